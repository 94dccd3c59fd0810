"""chgrid: an audio-first multiplayer grid server, wire-compatible with Chat Grid.

The pykka actors live in the top-level ``actors/`` folder (the design card's layout) but
import as ``chgrid.actors``, so that no top-level ``actors`` name can collide with
another distribution's. An installed wheel has them at ``chgrid/actors`` (setup.py maps
the folder); a source checkout maps the folder in here.
"""
import importlib.util as _importlib_util
import sys as _sys
from pathlib import Path as _Path

__version__ = "0.1.0"


def _map_checkout_actors() -> None:
    here = _Path(__file__).resolve().parent
    folder = here.parent / "actors"
    if (here / "actors").is_dir() or "chgrid.actors" in _sys.modules or not folder.is_dir():
        return
    spec = _importlib_util.spec_from_file_location(
        "chgrid.actors", folder / "__init__.py", submodule_search_locations=[str(folder)])
    module = _importlib_util.module_from_spec(spec)
    _sys.modules["chgrid.actors"] = module
    spec.loader.exec_module(module)


_map_checkout_actors()
