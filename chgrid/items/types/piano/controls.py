"""The ``item_piano_recording`` decision table of items.md §10.3 as a pure function.

The piano's plug-in runs the common checks (``chgrid.items.types.piano.checks.
check_recording``); its PianoRecorderActor asks :func:`decide` what to do and performs
the ``effect``; the plug-in sends ``item_piano_status`` (when ``event`` is set) just
before the result. Every result uses ``action: "use"``.
"""
from __future__ import annotations

from dataclasses import dataclass

# Effects the actor carries out.
NOTHING = "nothing"
START_RECORDING = "start_recording"    # stop this piano's playback first
PAUSE_RECORDING = "pause_recording"
RESUME_RECORDING = "resume_recording"
FINALISE_RECORDING = "finalise_recording"  # item_upsert to all before the status
START_PLAYBACK = "start_playback"      # replaces any playback of this piano
STOP_PLAYBACK = "stop_playback"

ACTIONS = ("toggle_record", "stop_record", "playback", "stop_playback")
ALREADY_RECORDING = "This piano is already recording."


@dataclass(frozen=True)
class RecordingDecision:
    """What one recording request does: effect, status packet (if any) and result."""

    effect: str
    ok: bool
    message: str
    event: str | None = None
    recording_state: str | None = None


def decide(action: str, *, actor_client_id: str, recorder_client_id: str | None,
           recorder_paused: bool, song_stored: bool) -> RecordingDecision:
    """``recorder_client_id`` is the owner of this piano's recording (None if none);
    ``song_stored`` says whether the piano's ``songId`` names a stored song."""
    someone_else = recorder_client_id is not None and recorder_client_id != actor_client_id
    mine = recorder_client_id is not None and recorder_client_id == actor_client_id
    if action == "toggle_record":
        if someone_else:
            return RecordingDecision(NOTHING, False, ALREADY_RECORDING)
        if mine and recorder_paused:
            return RecordingDecision(RESUME_RECORDING, True, "Recording resumed.",
                                     "record_resumed", "recording")
        if mine:
            return RecordingDecision(PAUSE_RECORDING, True, "Recording paused.",
                                     "record_paused", "paused")
        return RecordingDecision(START_RECORDING, True, "Recording started.",
                                 "record_started", "recording")
    if action == "stop_record":
        if someone_else:
            return RecordingDecision(NOTHING, False, ALREADY_RECORDING)
        effect = FINALISE_RECORDING if mine else NOTHING
        return RecordingDecision(effect, True, "Recording stopped.", "record_stopped", "idle")
    if action == "playback":
        if recorder_client_id is not None:
            return RecordingDecision(NOTHING, False, "Stop recording before playback.")
        if not song_stored:
            return RecordingDecision(NOTHING, False, "No recording saved on this piano.")
        return RecordingDecision(START_PLAYBACK, True, "Playback started.",
                                 "playback_started", "playback")
    if action == "stop_playback":
        return RecordingDecision(STOP_PLAYBACK, True, "Playback stopped.",
                                 "playback_stopped", "idle")
    raise ValueError(f"unknown piano recording action {action!r}")
