"""The piano's stateful plug-in: live notes, recording and playback (items.md §10.3).

Per room it keeps the stored songs, each connection's held keys and the per-account
note bucket, and one PianoRecorderActor per piano. It handles two packets itself:

- ``item_piano_note``: rebroadcast at once with the piano's current voice (silently
  dropped when not allowed, over the held-key limit or over the note rate; releasing a
  held key is free, so a limited player never leaves a note sounding), and told to the
  piano's actor, which records it if the sender owns the running recording;
- ``item_piano_recording``: common checks here, the decision table in the actor.

The actor's reports come back as ``PianoReplied``, ``RecordingFinished`` (the song and
the piano commit together before anything is kept or sent) and ``PlaybackNotes``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, cast

from chgrid.actors.item_actor import ItemReport, RoomLink
from chgrid.actors.item_plugin import PluginHost, StatefulPart
from chgrid.actors.room_routes import Charge, Route
from chgrid.actors.room_state import Player
from chgrid.items.model import SYSTEM_ACTOR, ItemState
from chgrid.items.store import SongWrite
from chgrid.items.types.piano import ITEM_TYPE
from chgrid.items.types.piano.actor import (
    PianoProxy,
    PianoRecorderActor,
    PianoReplied,
    PianoReply,
    PlaybackNotes,
    RecordingFinished,
)
from chgrid.items.types.piano.checks import PIANO_NOT_AVAILABLE, check_recording, note_allowed
from chgrid.items.types.piano.notes import HeldKeys, current_octave, current_voice, note_payload
from chgrid.items.types.piano.recording import apply_finished_recording, playback_sender_id, song_id_for
from chgrid.settings import LimitsSettings, Settings
from chgrid.world.flood import RateLimit, UserBuckets

RECORDING_NOT_SAVED = "The recording could not be saved."


class PianoPart(StatefulPart):
    """The pianos of one room."""

    def __init__(self, host: PluginHost, limits: LimitsSettings) -> None:
        self._host = host
        self._actors = host.supervise(self._start)
        self._songs: dict[str, dict[str, Any]] = {}
        self._held: dict[str, HeldKeys] = {}
        self._note_buckets = UserBuckets(RateLimit(limits.piano_notes_burst, limits.piano_notes_per_second))

    def _start(self, item: ItemState, link: RoomLink) -> PianoProxy:
        host = self._host
        return cast(PianoProxy, PianoRecorderActor.start(item.id, link, host.clock, host.scheduler).proxy())

    def routes(self) -> Mapping[str, Route]:
        return {
            "item_piano_note": Route(self._on_note),  # its own note bucket, below
            "item_piano_recording": Route(self._on_recording, Charge.ACTION, self._host.refusal("use")),
        }

    # -- lifecycle --------------------------------------------------------------------------

    def load(self) -> None:
        self._songs = self._host.load_songs()

    def item_changed(self, old: ItemState, new: ItemState, action: str) -> None:
        if action == "pickup":
            now = self._host.clock.now_ms()
            self._actors.tell(new.id, lambda piano: piano.picked_up(now))

    def item_removed(self, item: ItemState) -> None:
        # The host stops the actor, discarding a recording in progress and its playback;
        # the store deletes the item's song in the same transaction as the item.
        self._host.journal.pop(self._songs, song_id_for(item.id))

    def player_left(self, player: Player) -> None:
        host = self._host
        host.journal.pop(self._held, player.client_id)
        self._note_buckets.prune(host.clock.monotonic(), host.connected_user_ids())
        now, client_id = host.clock.now_ms(), player.client_id
        for item_id in self._actors.item_ids():
            self._actors.tell(item_id, lambda piano: piano.owner_left(client_id, now))

    # -- live notes ---------------------------------------------------------------------------

    def _on_note(self, player: Player, data: dict[str, Any]) -> None:
        host = self._host
        item = host.item(data["itemId"])
        if item is None or not note_allowed(item, host.acting(player)):
            return
        held = self._held.get(player.client_id)
        if held is None:
            held = HeldKeys()
            host.journal.put(self._held, player.client_id, held)
        key_id, midi, on = data["keyId"], data["midi"], data["on"]
        # Flood control, silent like every dropped live note. Releasing a held key is
        # free (its note-on paid), so a limited player never leaves a note sounding.
        was_held = key_id in held
        if (on or not was_held) and not self._note_buckets.take(
                player.user_id, host.clock.monotonic()).admitted:
            return
        if not held.accept(key_id, on):
            return
        host.journal.on_undo(lambda: held.restore(key_id, was_held))
        voice = current_voice(item.params)
        now, client_id = host.clock.now_ms(), player.client_id
        # Recorded only if this sender owns the piano's running recording (actor decides).
        self._actors.tell(item.id, lambda piano: piano.live_note(client_id, now, key_id, midi, on, voice))
        place = host.place_of(item)
        host.send_all("item_piano_note", note_payload(
            item_id=item.id, sender_id=client_id, key_id=key_id, midi=midi, on=on,
            voice=voice, octave=current_octave(item.params), x=place.x, y=place.y), exclude=client_id)

    # -- recording and playback ----------------------------------------------------------------

    def _on_recording(self, player: Player, data: dict[str, Any]) -> None:
        host = self._host
        item = host.item(data["itemId"])
        refusal = check_recording(item, host.acting(player))
        if refusal is not None:
            named = item.id if refusal.with_item_id and item is not None else None
            host.answer(player.client_id, False, "use", refusal.message, named)
            return
        assert item is not None
        song_id = item.params.get("songId")
        song = self._songs.get(song_id) if isinstance(song_id, str) else None
        action, client_id, now = data["action"], player.client_id, host.clock.now_ms()
        if not self._actors.tell(item.id, lambda piano: piano.request(action, client_id, now, song)):
            host.answer(client_id, False, "use", PIANO_NOT_AVAILABLE, item.id)

    def on_report(self, item: ItemState, report: ItemReport) -> None:
        if isinstance(report, PianoReplied):
            if report.note_offs:
                self._send_note_offs(item, playback_sender_id(item.id), report.note_offs)
            self._send_reply(item.id, report.reply)
        elif isinstance(report, RecordingFinished):
            self._finished(item, report)
        elif isinstance(report, PlaybackNotes):
            self._played(item, report)

    def _send_reply(self, item_id: str, reply: PianoReply) -> None:
        """Status (if any) just before the result, to the asking client if still here."""
        host = self._host
        if host.player(reply.client_id) is None:
            return
        if reply.event:
            host.send(reply.client_id, "item_piano_status",
                      {"itemId": item_id, "event": reply.event, "recordingState": reply.recording_state})
        host.answer(reply.client_id, reply.ok, "use", reply.message, item_id)

    def _finished(self, item: ItemState, report: RecordingFinished) -> None:
        """Finalise (§10.3): song and item saved together, ``item_upsert``, then the
        owner's status and result (none when the owner has left)."""
        host = self._host
        owner = host.player(report.owner_client_id)
        user_id, username = (str(owner.user_id), owner.username) if owner else (SYSTEM_ACTOR, SYSTEM_ACTOR)
        song_id = song_id_for(item.id)
        updated = apply_finished_recording(item, song_id, host.clock.now_ms(), user_id, username)
        # The song and the item commit together before anything is kept or sent.
        if not host.commit(upserts=[updated], songs=[SongWrite(song_id, item.id, report.song)]):
            if report.reply is not None:
                self._send_reply(item.id, dataclasses.replace(report.reply, ok=False, message=RECORDING_NOT_SAVED))
            return
        host.journal.put(self._songs, song_id, report.song)
        host.replace_item(updated)
        if report.reply is not None:
            self._send_reply(item.id, report.reply)

    def _played(self, item: ItemState, report: PlaybackNotes) -> None:
        """Played-back notes to everyone: the event's voice, the piano's current octave
        and position; then note-offs for keys left sounding at the end."""
        place = self._host.place_of(item)
        octave = current_octave(item.params)
        for note in report.notes:
            self._host.send_all("item_piano_note", note_payload(
                item_id=item.id, sender_id=report.sender_id, key_id=note.key_id, midi=note.midi,
                on=note.on, voice=note.voice, octave=octave, x=place.x, y=place.y))
        if report.note_offs:
            self._send_note_offs(item, report.sender_id, report.note_offs)

    def _send_note_offs(self, item: ItemState, sender_id: str, keys: tuple[tuple[str, int], ...]) -> None:
        """Note-offs for keys a playback left on, with the piano's current voice."""
        place = self._host.place_of(item)
        voice, octave = current_voice(item.params), current_octave(item.params)
        for key_id, midi in keys:
            self._host.send_all("item_piano_note", note_payload(
                item_id=item.id, sender_id=sender_id, key_id=key_id, midi=midi, on=False,
                voice=voice, octave=octave, x=place.x, y=place.y))


class PianoType:
    """The piano's plug-in (one per server)."""

    type_id = ITEM_TYPE.type_id

    def __init__(self, limits: LimitsSettings) -> None:
        self._limits = limits

    def bind(self, host: PluginHost) -> StatefulPart:
        return PianoPart(host, self._limits)


def create(settings: Settings) -> PianoType:
    return PianoType(settings.limits)
