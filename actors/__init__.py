"""Pykka actors: the owners of chgrid state (accounts, rooms, stateful items); imported as ``chgrid.actors``."""
