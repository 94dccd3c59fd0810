"""Packaging glue: ships the top-level web/ client as ``chgrid_web`` and the top-level
actors/ folder as ``chgrid.actors``.

Everything else lives in setup.cfg; this file only adds the package-dir mappings that
setup.cfg's ``find:`` cannot express.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["chgrid", "chgrid.*"]) + ["chgrid.actors", "chgrid_web"],
    package_dir={"chgrid.actors": "actors", "chgrid_web": "web"},
    package_data={"chgrid_web": ["*", "**/*"], "chgrid": ["**/*.json"]},
)
