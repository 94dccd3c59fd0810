"""Packaging glue: ships the top-level web/ client inside the distribution as chgrid_web.

Everything else lives in setup.cfg; this file only adds the package-dir mapping that
setup.cfg's ``find:`` cannot express.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["chgrid", "chgrid.*", "actors", "actors.*"]) + ["chgrid_web"],
    package_dir={"chgrid_web": "web"},
    package_data={"chgrid_web": ["*", "**/*"], "chgrid": ["**/*.json"]},
)
