"""chgrid: an audio-first multiplayer grid server, wire-compatible with Chat Grid."""

__version__ = "0.1.0"
