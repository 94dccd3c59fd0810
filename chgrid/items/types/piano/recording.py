"""Piano recording and playback as pure state machines (items.md §10.3).

Time is an input: the PianoRecorderActor passes ``now_ms`` to every call and asks how
long until the next step (``Recorder.ms_until_limit``, ``Playback.ms_until_next``), so
these classes never sleep and tests drive them with plain numbers.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chgrid.items.model import ItemState
from chgrid.items.types.piano.notes import DEFAULT_VOICE, KEY_ID_MAX, NoteVoice

MAX_RECORDING_MS = 30_000
MAX_EVENTS = 4096
WATCHDOG_MS = 250

# Outcomes of Recorder.record
RECORDED = "recorded"
FULL = "full"          # event cap reached: not recorded, still broadcast
LIMIT = "limit"        # 30 s reached: not recorded; the caller finalises now
IGNORED = "ignored"    # paused: nothing recorded


def song_id_for(item_id: str) -> str:
    return f"item:{item_id}:recording"


def playback_sender_id(item_id: str) -> str:
    return f"item:{item_id}:playback"


@dataclass(frozen=True)
class RecordedNote:
    """One note event: ``t`` is recorded time (pauses excluded) in ms."""

    t: int
    key_id: str
    midi: int
    on: bool
    voice: NoteVoice


class Recorder:
    """A recording in progress on one piano, owned by one connection."""

    def __init__(self, item_id: str, owner_client_id: str, now_ms: int) -> None:
        self.item_id = item_id
        self.owner_client_id = owner_client_id
        self.notes: list[RecordedNote] = []
        self._banked_ms = 0
        self._running_since: int | None = now_ms

    @property
    def paused(self) -> bool:
        return self._running_since is None

    def recorded_ms(self, now_ms: int) -> int:
        """Sum of the running periods so far, capped at 30 s."""
        total = self._banked_ms
        if self._running_since is not None:
            total += max(0, now_ms - self._running_since)
        return min(total, MAX_RECORDING_MS)

    def pause(self, now_ms: int) -> None:
        if self._running_since is not None:
            self._banked_ms = self.recorded_ms(now_ms)
            self._running_since = None

    def resume(self, now_ms: int) -> None:
        if self._running_since is None:
            self._running_since = now_ms

    def advance(self, now_ms: int) -> bool:
        """The watchdog step: True when the recording must be finalised now."""
        return self.recorded_ms(now_ms) >= MAX_RECORDING_MS

    def ms_until_limit(self, now_ms: int) -> int | None:
        """When the 30 s limit falls due if nothing changes; None while paused."""
        if self.paused:
            return None
        return max(0, MAX_RECORDING_MS - self.recorded_ms(now_ms))

    def record(self, now_ms: int, key_id: str, midi: int, on: bool, voice: NoteVoice) -> str:
        """Record one note; the return value says what happened (see module constants)."""
        if self.paused:
            return IGNORED
        t = self.recorded_ms(now_ms)
        if t >= MAX_RECORDING_MS:
            return LIMIT
        if len(self.notes) >= MAX_EVENTS:
            return FULL
        self.notes.append(RecordedNote(t, key_id[:KEY_ID_MAX], midi, bool(on), voice))
        return RECORDED

    def finish(self, now_ms: int) -> dict[str, Any]:
        """The song to store; the recorder stays usable only for reading afterwards."""
        length = self.recorded_ms(now_ms)
        self.pause(now_ms)
        return build_song(self.notes, length)


def build_song(notes: Sequence[RecordedNote], length_ms: int) -> dict[str, Any]:
    """The stored song format: distinct keys and states in first-use order, events
    ``[t, key index, midi, on 1/0, state index]`` sorted by ``t`` (stable)."""
    keys: list[str] = []
    key_index: dict[str, int] = {}
    states: list[list[Any]] = []
    state_index: dict[tuple, int] = {}
    events: list[list[int]] = []
    for note in notes:
        if note.key_id not in key_index:
            key_index[note.key_id] = len(keys)
            keys.append(note.key_id)
        state = note.voice.as_state()
        marker = tuple(state)
        if marker not in state_index:
            state_index[marker] = len(states)
            states.append(state)
        events.append([note.t, key_index[note.key_id], note.midi, 1 if note.on else 0,
                       state_index[marker]])
    events.sort(key=lambda event: event[0])
    first = NoteVoice.from_state(states[0]) if states else DEFAULT_VOICE
    meta = {
        "instrument": first.instrument,
        "voiceMode": first.voice_mode,
        "attack": first.attack,
        "decay": first.decay,
        "release": first.release,
        "brightness": first.brightness,
        "emitRange": first.emit_range,
        "recordingLengthMs": length_ms,
    }
    return {"meta": meta, "keys": keys, "states": states, "events": events}


def apply_finished_recording(item: ItemState, song_id: str, now_ms: int, user_id: str,
                             username: str) -> ItemState:
    """The piano after a recording is finalised: new ``songId``, stamped, version + 1.

    ``user_id``/``username`` are the owner's, or ``"system"`` when the owner left.
    """
    updated = item.copy()
    updated.params["songId"] = song_id
    updated.stamp(user_id, username, now_ms)
    updated.version += 1
    return updated


def _meta_voice(song: dict[str, Any]) -> NoteVoice:
    meta = song.get("meta")
    if not isinstance(meta, dict):
        return DEFAULT_VOICE
    return NoteVoice.from_values(
        meta.get("instrument"), meta.get("voiceMode"), meta.get("attack"), meta.get("decay"),
        meta.get("release"), meta.get("brightness"), meta.get("emitRange"),
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def playback_notes(song: Any) -> list[RecordedNote]:
    """The notes of a stored song in play order; malformed events are skipped.

    Stored songs come from disk, so nothing about their shape is trusted.
    """
    if not isinstance(song, dict):
        return []
    keys = song.get("keys") if isinstance(song.get("keys"), list) else []
    states = song.get("states") if isinstance(song.get("states"), list) else []
    events = song.get("events") if isinstance(song.get("events"), list) else []
    fallback = _meta_voice(song)
    notes: list[RecordedNote] = []
    for event in events:
        if not isinstance(event, list) or len(event) < 4:
            continue
        t, key, midi, on = event[0], event[1], event[2], event[3]
        if not (_is_int(t) and t >= 0 and _is_int(key) and _is_int(midi) and 0 <= midi <= 127):
            continue
        if not (0 <= key < len(keys)) or not isinstance(keys[key], str) or not keys[key]:
            continue
        voice = fallback
        if len(event) > 4 and _is_int(event[4]) and 0 <= event[4] < len(states):
            state = states[event[4]]
            if isinstance(state, list) and len(state) >= 7:
                voice = NoteVoice.from_state(state)
        notes.append(RecordedNote(t, keys[key][:KEY_ID_MAX], midi, bool(on), voice))
    notes.sort(key=lambda note: note.t)
    return notes


class Playback:
    """One playback of a song on one piano, started at ``start_ms``."""

    def __init__(self, item_id: str, notes: Sequence[RecordedNote], start_ms: int) -> None:
        self.item_id = item_id
        self.sender_id = playback_sender_id(item_id)
        self._notes = list(notes)
        self._next = 0
        self._start_ms = start_ms
        self._sounding: dict[str, int] = {}

    @classmethod
    def from_song(cls, item_id: str, song: Any, start_ms: int) -> Playback:
        return cls(item_id, playback_notes(copy.deepcopy(song)), start_ms)

    @property
    def finished(self) -> bool:
        return self._next >= len(self._notes)

    def advance(self, now_ms: int) -> list[RecordedNote]:
        """Notes due by ``now_ms``, in order; keeps track of keys left sounding."""
        due: list[RecordedNote] = []
        elapsed = now_ms - self._start_ms
        while self._next < len(self._notes) and self._notes[self._next].t <= elapsed:
            note = self._notes[self._next]
            self._next += 1
            if note.on:
                self._sounding[note.key_id] = note.midi
            else:
                self._sounding.pop(note.key_id, None)
            due.append(note)
        return due

    def ms_until_next(self, now_ms: int) -> int | None:
        """Delay to the next note; None once every note has been played."""
        if self.finished:
            return None
        return max(0, self._start_ms + self._notes[self._next].t - now_ms)

    def stop(self) -> list[tuple[str, int]]:
        """End playback; returns ``(keyId, midi)`` of keys still on, for the note-offs."""
        self._next = len(self._notes)
        sounding = list(self._sounding.items())
        self._sounding.clear()
        return sounding
