"""PianoRecorderActor: recording and playback of one piano (items.md §10.3).

The state machines are pure (``chgrid.items.types.piano.recording``: ``Recorder``,
``Playback``, ``decide``); this actor owns them and their timers and reports to the
room, where the piano's plug-in shapes and sends the packets and stores finished songs:

- ``request(action, client_id, now_ms, song)``: one ``item_piano_recording`` that
  passed the common checks. Answered with :class:`PianoReplied` (status + result,
  after the note-offs of a playback it stopped) or, when it finalises a recording,
  :class:`RecordingFinished` (the plug-in stores the song and the item in one
  transaction, sends ``item_upsert``, then status and result).
- ``live_note(...)``: every live note played on this piano, so the owner of a running
  recording gets it recorded (the plug-in broadcasts the note itself, without waiting).
- timers: the 30 s watchdog fires exactly when the running recording reaches the
  limit; playback wakes up at each event's offset and reports due notes as
  :class:`PlaybackNotes`, with note-offs for keys left sounding at the end.
- ``owner_left`` / ``picked_up``: the owner disconnected (finalised silently), or the
  piano was picked up (playback stopped, recording finalised with status to the owner).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

import pykka
from pykka.typing import ActorMemberMixin, proxy_method

from chgrid.actors.item_actor import ItemActor, ItemReport, RoomLink, item_message
from chgrid.actors.timers import Clock, Scheduler
from chgrid.items.types.piano.controls import (
    FINALISE_RECORDING,
    PAUSE_RECORDING,
    RESUME_RECORDING,
    START_PLAYBACK,
    START_RECORDING,
    STOP_PLAYBACK,
    decide,
)
from chgrid.items.types.piano.notes import NoteVoice
from chgrid.items.types.piano.recording import (
    LIMIT,
    Playback,
    RecordedNote,
    Recorder,
    playback_sender_id,
)

log = logging.getLogger(__name__)

RECORDING_STOPPED = "Recording stopped."


@dataclass(frozen=True)
class PianoReply:
    """Status (when ``event`` is set) and result for the client that asked."""

    client_id: str
    ok: bool
    message: str
    event: str | None = None
    recording_state: str | None = None


@dataclass(frozen=True)
class PianoReplied(ItemReport):
    """The answer to a request: note-offs of a playback it stopped, then the reply."""

    reply: PianoReply
    note_offs: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class RecordingFinished(ItemReport):
    """A recording ended: the song to store; the owner's reply (None when the owner left)."""

    owner_client_id: str
    song: dict[str, Any]
    reply: PianoReply | None


@dataclass(frozen=True)
class PlaybackNotes(ItemReport):
    """Played-back notes due now, then note-offs for keys a stopped playback left on."""

    sender_id: str
    notes: tuple[RecordedNote, ...]
    note_offs: tuple[tuple[str, int], ...]


def stopped_reply(client_id: str) -> PianoReply:
    """What the owner hears when the limit (or a pickup) ends the recording."""
    return PianoReply(client_id, True, RECORDING_STOPPED, "record_stopped", "idle")


class PianoRecorderActor(ItemActor):
    """Recording and playback of one piano."""

    kind = "piano"

    def __init__(self, item_id: str, room: RoomLink, clock: Clock, scheduler: Scheduler) -> None:
        super().__init__(item_id, room, clock, scheduler)
        self._recorder: Recorder | None = None
        self._playback: Playback | None = None
        # Timer tags: bumping one voids the pending timer of that kind.
        self._watchdog_gen = 0
        self._playback_gen = 0
        self._sender_id = playback_sender_id(item_id)

    def _me(self) -> PianoProxy:
        return cast(PianoProxy, self._own_proxy)

    def end(self) -> None:
        # Deleted or stopping: an unfinished recording is discarded (items.md §4.4).
        self._recorder = None
        self._playback = None

    # -- requests ------------------------------------------------------------------------

    @item_message
    def request(self, action: str, client_id: str, now_ms: int, song: dict | None) -> None:
        """One recording request; ``song`` is the stored song the piano names, if any."""
        recorder = self._recorder
        decision = decide(
            action, actor_client_id=client_id,
            recorder_client_id=recorder.owner_client_id if recorder else None,
            recorder_paused=recorder.paused if recorder else False,
            song_stored=song is not None,
        )
        reply = PianoReply(client_id, decision.ok, decision.message, decision.event,
                           decision.recording_state)
        note_offs: list[tuple[str, int]] = []
        effect = decision.effect
        if effect == START_RECORDING:
            # Recording and playback of one piano are exclusive.
            note_offs = self._stop_playback()
            self._recorder = Recorder(self.item_id, client_id, now_ms)
            self._arm_watchdog(now_ms)
        elif effect == PAUSE_RECORDING:
            assert recorder is not None  # decide() pauses only a running recording
            recorder.pause(now_ms)
            self._watchdog_gen += 1  # a paused recording cannot reach the limit
        elif effect == RESUME_RECORDING:
            assert recorder is not None
            recorder.resume(now_ms)
            self._arm_watchdog(now_ms)
        elif effect == FINALISE_RECORDING:
            self._finalise(now_ms, reply)
            return
        elif effect == START_PLAYBACK:
            note_offs = self._stop_playback()
            self._start_playback(song, now_ms)
        elif effect == STOP_PLAYBACK:
            note_offs = self._stop_playback()
        self.report(PianoReplied(self.item_id, reply, tuple(note_offs)))

    @item_message
    def live_note(self, client_id: str, now_ms: int, key_id: str, midi: int, on: bool,
                  voice: NoteVoice) -> None:
        """Record a live note when ``client_id`` owns the running recording."""
        recorder = self._recorder
        if recorder is None or recorder.owner_client_id != client_id:
            return
        if recorder.record(now_ms, key_id, midi, on, voice) == LIMIT:
            self._finalise(now_ms, stopped_reply(client_id))

    @item_message
    def owner_left(self, client_id: str, now_ms: int) -> None:
        """A connection left: finalise its recording without status or result."""
        if self._recorder is not None and self._recorder.owner_client_id == client_id:
            self._finalise(now_ms, None)

    @item_message
    def picked_up(self, now_ms: int) -> None:
        """The piano was picked up: stop playback and finish any recording."""
        note_offs = self._stop_playback()
        if note_offs:
            self.report(PlaybackNotes(self.item_id, self._sender_id, (), tuple(note_offs)))
        if self._recorder is not None:
            self._finalise(now_ms, stopped_reply(self._recorder.owner_client_id))

    # -- recording -----------------------------------------------------------------------

    def _arm_watchdog(self, now_ms: int) -> None:
        self._watchdog_gen += 1
        due = self._recorder.ms_until_limit(now_ms) if self._recorder else None
        if due is not None:
            self.later(due / 1000.0, self._me().watchdog, self._watchdog_gen)

    @item_message
    def watchdog(self, generation: int) -> None:
        """The 30 s limit check; finalises, or re-arms when the timer ran early."""
        recorder = self._recorder
        if generation != self._watchdog_gen or recorder is None:
            return
        now = self._clock.now_ms()
        if recorder.advance(now):
            self._finalise(now, stopped_reply(recorder.owner_client_id))
        else:
            self._arm_watchdog(now)

    def _finalise(self, now_ms: int, reply: PianoReply | None) -> None:
        recorder = self._recorder
        assert recorder is not None, "only a running recording is finalised"
        self._recorder = None
        self._watchdog_gen += 1
        song = recorder.finish(now_ms)
        self.report(RecordingFinished(self.item_id, recorder.owner_client_id, song, reply))

    # -- playback ------------------------------------------------------------------------

    def _start_playback(self, song: dict | None, now_ms: int) -> None:
        self._playback_gen += 1
        self._playback = Playback.from_song(self.item_id, song, now_ms)
        self._schedule_playback(now_ms)

    def _schedule_playback(self, now_ms: int) -> None:
        playback = self._playback
        if playback is None:
            return
        wait = playback.ms_until_next(now_ms)
        # An empty song still ends through a step, which sends nothing.
        self.later((wait or 0) / 1000.0, self._me().playback_step, self._playback_gen)

    @item_message
    def playback_step(self, generation: int) -> None:
        """Hand the due notes to the room; at the end, the note-offs of held keys."""
        playback = self._playback
        if generation != self._playback_gen or playback is None:
            return
        now = self._clock.now_ms()
        due = playback.advance(now)
        note_offs: list[tuple[str, int]] = []
        if playback.finished:
            note_offs = playback.stop()
            self._playback = None
        if due or note_offs:
            self.report(PlaybackNotes(self.item_id, self._sender_id, tuple(due), tuple(note_offs)))
        self._schedule_playback(now)

    def _stop_playback(self) -> list[tuple[str, int]]:
        """Stop this piano's playback (if any); the keys it left on, for note-offs."""
        playback = self._playback
        if playback is None:
            return []
        self._playback = None
        self._playback_gen += 1
        return playback.stop()


class PianoProxy(ActorMemberMixin, pykka.ActorProxy[PianoRecorderActor]):
    """The piano recorder's messages, typed."""

    request = proxy_method(PianoRecorderActor.request)
    live_note = proxy_method(PianoRecorderActor.live_note)
    owner_left = proxy_method(PianoRecorderActor.owner_left)
    picked_up = proxy_method(PianoRecorderActor.picked_up)
    watchdog = proxy_method(PianoRecorderActor.watchdog)
    playback_step = proxy_method(PianoRecorderActor.playback_step)
