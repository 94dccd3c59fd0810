"""The stateful item types in the room: clocks, radios and pianos with their actors.

``RoomStatefulItems`` extends the item mixin of the RoomActor. Each clock, radio and
piano gets its own actor (``ClockSchedulerActor``, ``RadioMetadataPollerActor``,
``PianoRecorderActor``), started when the item is loaded or added and stopped when it is
deleted or the room stops. This mixin:

- starts, stops and supervises those actors: an item actor that failed asks to be
  replaced (``item_actor_failed``), and one found dead when the room wants to tell it
  something is replaced on the spot; restarts are rate-limited so a deterministic
  crash cannot spin;
- handles ``item_piano_note`` (live notes, rebroadcast at once with the piano's
  current voice) and ``item_piano_recording`` (common checks here, the decision table
  in the piano's actor);
- receives the item actors' reports (``clock_announce``, ``radio_poll_due``,
  ``radio_metadata``, ``piano_reply``, ``piano_recording_finished``,
  ``piano_playback_notes``) as room messages — each one ``@actor_step``, so its frames
  leave in one batch and its database writes happen in the same step, before them.

Room and item actors only tell each other (proxy calls whose futures are dropped),
never wait on each other, so no deadlock between them is possible.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import logging
from dataclasses import dataclass
from typing import Any

import pykka

from chgrid.actors.clock_scheduler import ClockSchedulerActor
from chgrid.actors.piano_recorder import PianoRecorderActor, PianoReply
from chgrid.actors.radio_poller import RadioMetadataPollerActor
from chgrid.actors.room_items import RoomItems
from chgrid.items.actions import check_piano_recording, piano_note_allowed
from chgrid.items.model import SYSTEM_ACTOR, ItemState
from chgrid.items.sounds import effective_emit_range
from chgrid.items.store import SongWrite
from chgrid.items.types.piano.notes import HeldKeys, current_octave, current_voice, note_payload
from chgrid.items.types.piano.recording import RecordedNote, apply_finished_recording, song_id_for
from chgrid.items.types.radio_station.actions import apply_station_metadata
from chgrid.items.types.radio_station.icy import should_poll
from chgrid.settings import RadioSettings

log = logging.getLogger(__name__)

CLOCK, RADIO, PIANO = "clock", "radio_station", "piano"
STATEFUL_TYPES = frozenset({CLOCK, RADIO, PIANO})
HELD_KEYS = "piano_keys"  # Player.extra key of the connection's held piano keys
# Restart budget per item actor: more failures than this within the window wait out
# RESTART_BACKOFF_S before the next start, so a crash on every message cannot spin.
MAX_QUICK_RESTARTS = 3
RESTART_WINDOW_S = 60.0
RESTART_BACKOFF_S = 30.0
STOP_WAIT_S = 10.0
PIANO_UNAVAILABLE = "Piano is not available."
RECORDING_NOT_SAVED = "The recording could not be saved."


def _step(method):
    """``chgrid.actors.room.actor_step`` around a room method, bound on first call.

    ``chgrid.actors.room`` imports this module before it is complete, so the decorator cannot
    be imported while this module loads; by the first message it is there.
    """
    stepped = None

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        nonlocal stepped
        if stepped is None:
            from chgrid.actors.room import actor_step

            stepped = actor_step(method)
        return stepped(self, *args, **kwargs)

    return wrapper


@dataclass
class _ItemActorHandle:
    """A running item actor as the room knows it."""

    kind: str
    ref: pykka.ActorRef
    proxy: Any


class RoomStatefulItems(RoomItems):
    """Item mixin of the RoomActor with the clock, radio and piano actors."""

    def init_items(self, registry: Any, store: Any) -> None:
        super().init_items(registry, store)
        self.songs: dict[str, dict] = {}
        self._item_actors: dict[str, _ItemActorHandle] = {}
        self._restart_log: dict[str, list[float]] = {}
        self._item_handlers["item_piano_note"] = self._on_item_piano_note
        self._item_handlers["item_piano_recording"] = self._on_item_piano_recording

    # -- lifecycle -----------------------------------------------------------------------

    def start_items(self) -> None:
        super().start_items()
        if self.item_store is not None:
            self.songs = self.item_store.load_songs()
        if self.item_registry is None:
            return
        for item in list(self.items.values()):
            self._start_item_actor(item)

    def stop_items(self) -> None:
        """Stop every item actor; wait a bounded time (a radio may be mid-fetch)."""
        handles = list(self._item_actors.values())
        self._item_actors.clear()
        futures = []
        for handle in handles:
            try:
                futures.append(handle.ref.stop(block=False))
            except pykka.ActorDeadError:
                pass
        deadline = self.clock.monotonic() + STOP_WAIT_S
        for future in futures:
            try:
                future.get(timeout=max(0.01, deadline - self.clock.monotonic()))
            except Exception:
                log.warning("room %s: an item actor did not stop in time", self.name)
        super().stop_items()

    def _start_item_actor(self, item: ItemState) -> _ItemActorHandle | None:
        if item.type not in STATEFUL_TYPES:
            return None
        self._stop_item_actor(item.id)
        common = (item.id, self._self_proxy, self.clock, self.scheduler)
        if item.type == CLOCK:
            ref = ClockSchedulerActor.start(*common, item.params)
        elif item.type == RADIO:
            ref = RadioMetadataPollerActor.start(
                *common, settings=getattr(self, "radio_settings", None) or RadioSettings(),
                fetcher=getattr(self, "radio_fetcher", None))
        else:
            ref = PianoRecorderActor.start(*common)
        handle = _ItemActorHandle(item.type, ref, ref.proxy())
        self._item_actors[item.id] = handle
        return handle

    def _stop_item_actor(self, item_id: str) -> None:
        handle = self._item_actors.pop(item_id, None)
        if handle is None:
            return
        try:
            handle.ref.stop(block=False)
        except pykka.ActorDeadError:
            pass

    def _restart_item_actor(self, item_id: str, why: str) -> _ItemActorHandle | None:
        """Replace an item's actor now, or after a back-off when it keeps failing."""
        item = self.items.get(item_id)
        if item is None or item.type not in STATEFUL_TYPES:
            self._stop_item_actor(item_id)
            return None
        now = self.clock.monotonic()
        recent = [t for t in self._restart_log.get(item_id, []) if now - t < RESTART_WINDOW_S]
        if len(recent) >= MAX_QUICK_RESTARTS:
            log.error("room %s: %s actor of %s keeps failing (%s); next try in %.0f s",
                      self.name, item.type, item_id, why, RESTART_BACKOFF_S)
            self._stop_item_actor(item_id)
            self._restart_log[item_id] = recent
            proxy = self._self_proxy
            self.scheduler(RESTART_BACKOFF_S, lambda: _tell_quietly(proxy, "restart_item_actor", item_id))
            return None
        recent.append(now)
        self._restart_log[item_id] = recent
        log.warning("room %s: restarting the %s actor of %s (%s)", self.name, item.type, item_id, why)
        return self._start_item_actor(item)

    @_step
    def restart_item_actor(self, item_id: str) -> None:
        """The back-off is over: start the item's actor again if it still exists."""
        item = self.items.get(item_id)
        if item is not None and item_id not in self._item_actors:
            self._start_item_actor(item)

    @_step
    def item_actor_failed(self, item_id: str, actor_urn: str) -> None:
        """An item actor crashed and stopped itself: replace it (if it is still current)."""
        handle = self._item_actors.get(item_id)
        if handle is not None and handle.ref.actor_urn == actor_urn:
            self._restart_item_actor(item_id, "it failed")

    def _tell_item(self, item_id: str, method: str, *args: Any) -> bool:
        """Tell an item's actor (never wait); a dead actor is replaced first.

        False when the item has no running actor (none, or waiting out a back-off).
        """
        handle = self._item_actors.get(item_id)
        for _attempt in range(2):
            if handle is None:
                return False
            if not handle.ref.is_alive():
                handle = self._restart_item_actor(item_id, "found dead")
                continue
            try:
                getattr(handle.proxy, method)(*args)
                return True
            except pykka.ActorDeadError:
                handle = self._restart_item_actor(item_id, "died")
        return False

    def item_actor_kinds(self) -> dict[str, str]:
        """Item id → type of every running item actor (tests, health figures)."""
        return {item_id: h.kind for item_id, h in self._item_actors.items() if h.ref.is_alive()}

    # -- hooks of the item mixin ---------------------------------------------------------

    def after_item_changed(self, old: ItemState | None, new: ItemState, action: str) -> None:
        if new.type not in STATEFUL_TYPES:
            return
        if old is None or new.id not in self._item_actors:
            self._start_item_actor(new)
            return
        if new.type == CLOCK and new.params != old.params:
            # A copy: the actor's thread must never share a dict with the room's.
            self._tell_item(new.id, "update_params", copy.deepcopy(new.params))
        elif new.type == RADIO and _poll_inputs(new) != _poll_inputs(old):
            self._tell_item(new.id, "poll_now")
        elif new.type == PIANO and action == "pickup":
            self._tell_item(new.id, "picked_up", self.clock.now_ms())

    def before_item_removed(self, item: ItemState) -> None:
        # Stopping the piano actor discards a recording in progress and its playback;
        # the store deletes the item's song in the same transaction as the item.
        self._stop_item_actor(item.id)
        self._restart_log.pop(item.id, None)
        self.songs.pop(song_id_for(item.id), None)

    def items_on_leave(self, player: Any) -> None:
        super().items_on_leave(player)
        now = self.clock.now_ms()
        for item_id, handle in list(self._item_actors.items()):
            if handle.kind == PIANO:
                self._tell_item(item_id, "owner_left", player.client_id, now)

    # -- clock -----------------------------------------------------------------------

    @_step
    def clock_announce(self, item_id: str, announcements: list[list[str]]) -> None:
        """Automatic announcements of one clock, in order, to everyone (§10.1)."""
        item = self.items.get(item_id)
        if item is None or item.type != CLOCK:
            return
        x, y = self._sound_position(item)
        sound_range = effective_emit_range(item, self.item_registry.get(CLOCK))
        for sounds in announcements:
            self.send_all("item_clock_announce",
                          {"itemId": item_id, "sounds": list(sounds), "x": x, "y": y, "range": sound_range})

    # -- radio -----------------------------------------------------------------------

    @_step
    def radio_poll_due(self, item_id: str, token: int) -> None:
        """A poller asks whether to fetch now; always answered, with the URL or None."""
        url = None
        try:
            item = self.items.get(item_id)
            listeners = [(p.x, p.y) for p in self.players.values()]
            if item is not None and item.type == RADIO and should_poll(item, listeners):
                url = item.params["streamUrl"].strip()
        finally:
            self._tell_item(item_id, "poll_answer", token, url)

    @_step
    def radio_metadata(self, item_id: str, url: str, station_name: str, now_playing: str) -> None:
        """A fetch result: stored, saved and broadcast when it changes anything."""
        item = self.items.get(item_id)
        if item is None or item.type != RADIO:
            return
        current = item.params.get("streamUrl")
        if not isinstance(current, str) or current.strip() != url:
            return  # the URL changed while fetching: this result is about another stream
        updated = apply_station_metadata(item, station_name, now_playing, self.clock.now_ms())
        if updated is None or not self._persist(upserts=[updated]):
            return  # unchanged, or not saved (the next poll tries again)
        self.items[item_id] = updated
        self.send_all("item_upsert", {"item": self.item_wire(updated)})

    # -- piano: live notes -----------------------------------------------------------

    def _on_item_piano_note(self, player: Any, data: dict) -> None:
        item = self.items.get(data["itemId"])
        if not piano_note_allowed(item, self._acting(player)):
            return
        held = player.extra.get(HELD_KEYS)
        if held is None:
            held = player.extra[HELD_KEYS] = HeldKeys()
        key_id, midi, on = data["keyId"], data["midi"], data["on"]
        # Flood control, silent like every dropped live note. Releasing a held key is
        # free (its note-on paid), so a limited player never leaves a note sounding.
        if (on or key_id not in held) and not self.note_buckets.take(
                player.user_id, self.clock.monotonic()).admitted:
            return
        if not held.accept(key_id, on):
            return
        params = item.params
        voice = current_voice(params)
        # Recorded only if this sender owns the piano's running recording (actor decides).
        self._tell_item(item.id, "live_note", player.client_id, self.clock.now_ms(), key_id, midi, on, voice)
        x, y = self._sound_position(item)
        self.send_all("item_piano_note", note_payload(
            item_id=item.id, sender_id=player.client_id, key_id=key_id, midi=midi, on=on,
            voice=voice, octave=current_octave(params), x=x, y=y), exclude=player.client_id)

    # -- piano: recording and playback -----------------------------------------------

    def _on_item_piano_recording(self, player: Any, data: dict) -> None:
        item = self.items.get(data["itemId"])
        refusal = check_piano_recording(item, self._acting(player))
        if refusal is not None:
            result = {"ok": False, "action": "use", "message": refusal.message}
            if refusal.with_item_id and item is not None:
                result["itemId"] = item.id
            self.send(player.client_id, "item_action_result", result)
            return
        song_id = item.params.get("songId")
        song = self.songs.get(song_id) if isinstance(song_id, str) else None
        told = self._tell_item(item.id, "request", data["action"], player.client_id,
                               self.clock.now_ms(), song)
        if not told:
            self.send(player.client_id, "item_action_result",
                      {"ok": False, "action": "use", "message": PIANO_UNAVAILABLE, "itemId": item.id})

    def _send_piano_reply(self, item_id: str, reply: PianoReply) -> None:
        """Status (if any) just before the result, to the asking client if still here."""
        if reply.client_id not in self.players:
            return
        if reply.event:
            self.send(reply.client_id, "item_piano_status",
                      {"itemId": item_id, "event": reply.event, "recordingState": reply.recording_state})
        self.send(reply.client_id, "item_action_result",
                  {"ok": reply.ok, "action": "use", "message": reply.message, "itemId": item_id})

    def _send_note_offs(self, item: ItemState, sender_id: str, keys: list[tuple[str, int]]) -> None:
        """Note-offs for keys a playback left on, with the piano's current voice."""
        x, y = self._sound_position(item)
        voice, octave = current_voice(item.params), current_octave(item.params)
        for key_id, midi in keys:
            self.send_all("item_piano_note", note_payload(
                item_id=item.id, sender_id=sender_id, key_id=key_id, midi=midi, on=False,
                voice=voice, octave=octave, x=x, y=y))

    def _piano(self, item_id: str) -> ItemState | None:
        item = self.items.get(item_id)
        return item if item is not None and item.type == PIANO else None

    @_step
    def piano_reply(self, item_id: str, reply: PianoReply, note_offs: list[tuple[str, int]]) -> None:
        """The piano actor's answer: note-offs of a playback it stopped, status, result."""
        item = self._piano(item_id)
        if item is not None and note_offs:
            self._send_note_offs(item, f"item:{item_id}:playback", note_offs)
        self._send_piano_reply(item_id, reply)

    @_step
    def piano_recording_finished(self, item_id: str, owner_client_id: str, song: dict,
                                 reply: PianoReply | None) -> None:
        """Finalise (§10.3): song and item saved together, ``item_upsert``, then the
        owner's status and result (none when the owner has left)."""
        item = self._piano(item_id)
        if item is None:
            return  # deleted meanwhile: the recording is discarded with the piano
        owner = self.players.get(owner_client_id)
        user_id, username = (str(owner.user_id), owner.username) if owner else (SYSTEM_ACTOR, SYSTEM_ACTOR)
        song_id = song_id_for(item_id)
        updated = apply_finished_recording(item, song_id, self.clock.now_ms(), user_id, username)
        # The song and the item commit together before anything is kept or sent.
        if not self._persist(upserts=[updated], songs=[SongWrite(song_id, item_id, song)]):
            if reply is not None:
                self._send_piano_reply(item_id, dataclasses.replace(
                    reply, ok=False, message=RECORDING_NOT_SAVED))
            return
        self.songs[song_id] = song
        self.items[item_id] = updated
        self.send_all("item_upsert", {"item": self.item_wire(updated)})
        if reply is not None:
            self._send_piano_reply(item_id, reply)

    @_step
    def piano_playback_notes(self, item_id: str, sender_id: str, notes: list[RecordedNote],
                             note_offs: list[tuple[str, int]]) -> None:
        """Played-back notes to everyone: the event's voice, the piano's current octave
        and position; then note-offs for keys left sounding at the end."""
        item = self._piano(item_id)
        if item is None:
            return
        x, y = self._sound_position(item)
        octave = current_octave(item.params)
        for note in notes:
            self.send_all("item_piano_note", note_payload(
                item_id=item_id, sender_id=sender_id, key_id=note.key_id, midi=note.midi,
                on=note.on, voice=note.voice, octave=octave, x=x, y=y))
        if note_offs:
            self._send_note_offs(item, sender_id, note_offs)


def _poll_inputs(item: ItemState) -> tuple:
    """What makes a radio worth polling again at once when it changes."""
    return (item.params.get("streamUrl"), item.params.get("enabled", True))


def _tell_quietly(proxy: Any, method: str, *args: Any) -> None:
    """A scheduler callback: tell the room, ignoring a room that has stopped."""
    try:
        getattr(proxy, method)(*args)
    except pykka.ActorDeadError:
        pass
