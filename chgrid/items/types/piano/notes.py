"""Piano note shaping shared by live play, recording and playback (items.md §10.3).

A note always goes out with the piano's *current* parameters, clamped to the ranges the
reference client accepts (it drops a note whose voiceMode is not mono/poly or whose
envelope leaves 0–100).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chgrid.items.numbers import clamp_int
from chgrid.items.types.piano.definition import DEFAULTS

MAX_HELD_KEYS = 12
KEY_ID_MAX = 32


@dataclass(frozen=True)
class NoteVoice:
    """The sound of a note: everything but key, pitch, octave and position."""

    instrument: str
    voice_mode: str
    attack: int
    decay: int
    release: int
    brightness: int
    emit_range: int

    def as_state(self) -> list[Any]:
        """The song format's state tuple."""
        return [self.instrument, self.voice_mode, self.attack, self.decay, self.release,
                self.brightness, self.emit_range]

    @classmethod
    def from_values(cls, instrument: Any, voice_mode: Any, attack: Any, decay: Any,
                    release: Any, brightness: Any, emit_range: Any) -> NoteVoice:
        """Clamped: unreadable values take the piano defaults."""
        return cls(
            instrument=instrument if isinstance(instrument, str) and instrument else DEFAULTS["instrument"],
            voice_mode="mono" if voice_mode == "mono" else "poly",
            attack=clamp_int(attack, 0, 100, DEFAULTS["attack"]),
            decay=clamp_int(decay, 0, 100, DEFAULTS["decay"]),
            release=clamp_int(release, 0, 100, DEFAULTS["release"]),
            brightness=clamp_int(brightness, 0, 100, DEFAULTS["brightness"]),
            emit_range=clamp_int(emit_range, 5, 20, DEFAULTS["emitRange"]),
        )

    @classmethod
    def from_state(cls, state: Sequence[Any]) -> NoteVoice:
        return cls.from_values(*state[:7])


DEFAULT_VOICE = NoteVoice.from_values(None, None, None, None, None, None, None)


def current_voice(params: dict[str, Any]) -> NoteVoice:
    return NoteVoice.from_values(
        params.get("instrument"), params.get("voiceMode"), params.get("attack"),
        params.get("decay"), params.get("release"), params.get("brightness"),
        params.get("emitRange"),
    )


def current_octave(params: dict[str, Any]) -> int:
    return clamp_int(params.get("octave"), -2, 2, DEFAULTS["octave"])


def note_payload(*, item_id: str, sender_id: str, key_id: str, midi: int, on: bool,
                 voice: NoteVoice, octave: int, x: int, y: int) -> dict[str, Any]:
    """The ``item_piano_note`` fields in protocol order."""
    return {
        "itemId": item_id,
        "senderId": sender_id,
        "keyId": key_id,
        "midi": midi,
        "on": on,
        "instrument": voice.instrument,
        "voiceMode": voice.voice_mode,
        "octave": octave,
        "attack": voice.attack,
        "decay": voice.decay,
        "release": voice.release,
        "brightness": voice.brightness,
        "x": x,
        "y": y,
        "emitRange": voice.emit_range,
    }


class HeldKeys:
    """The keys one connection holds down, across all pianos (at most 12)."""

    def __init__(self, limit: int = MAX_HELD_KEYS) -> None:
        self._limit = limit
        self._held: set[str] = set()

    def accept(self, key_id: str, on: bool) -> bool:
        """False when a new note-on would exceed the limit (the note is dropped)."""
        if not on:
            self._held.discard(key_id)
            return True
        if key_id not in self._held and len(self._held) >= self._limit:
            return False
        self._held.add(key_id)
        return True

    def restore(self, key_id: str, held: bool) -> None:
        """Put one key back as it was before ``accept`` (a failed step's undo)."""
        if held:
            self._held.add(key_id)
        else:
            self._held.discard(key_id)

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._held
