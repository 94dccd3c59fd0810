"""RadioMetadataPollerActor: keeps one radio's ``stationName``/``nowPlaying`` current.

One pass (items.md §10.4): the actor's timer fires, it asks the room whether the radio
is due (on, has a stream URL, someone within its emit range: only the room knows where
people are), the room answers with the URL or None, the actor fetches, reports the
result to the room, and waits the poll interval before the next pass. The fetch blocks
in this actor's own thread — never the IOLoop's or the room's — and is bounded by
``chgrid.net.icy_fetch`` (timeout, read caps, redirects, address policy, concurrency).

Each pass carries a token; an answer for another token (an older pass, or a pass of a
previous incarnation of this actor) is ignored, so exactly one timer chain runs.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chgrid.actors.item_actor import ItemActor, Scheduler, item_message
from chgrid.net.icy_fetch import IcyResult, fetcher_from_settings
from chgrid.settings import RadioSettings

log = logging.getLogger(__name__)


class RadioMetadataPollerActor(ItemActor):
    """One radio's metadata poller. ``fetcher(url) -> IcyResult`` is injectable."""

    kind = "radio"

    def __init__(self, item_id: str, room: Any, clock: Any, scheduler: Scheduler,
                 settings: RadioSettings | None = None,
                 fetcher: Callable[[str], IcyResult] | None = None) -> None:
        super().__init__(item_id, room, clock, scheduler)
        self._settings = settings or RadioSettings()
        self._fetch = fetcher or fetcher_from_settings(self._settings)
        self._token = 0
        self._awaiting: int | None = None  # token of the pass waiting for the room
        self._last_problem: tuple[str, str] | None = None

    def begin(self) -> None:
        # First pass right away: a freshly added or loaded radio shows its metadata soon.
        self._later(0.0, "tick", self._token)

    @item_message
    def tick(self, token: int) -> None:
        """Start a pass: ask the room whether this radio is due."""
        if token != self._token:
            return
        self._token += 1
        self._awaiting = self._token
        self._room.radio_poll_due(self.item_id, self._token)

    @item_message
    def poll_answer(self, token: int, url: str | None) -> None:
        """The room's answer; ``url`` None means "not due now"."""
        if token != self._awaiting:
            return
        self._awaiting = None
        try:
            if url:
                result = self._fetch(url)
                self._log_outcome(url, result)
                if not result.skipped:
                    self._room.radio_metadata(self.item_id, url, result.station_name,
                                              result.now_playing)
        finally:
            # The interval counts from the end of the pass, as in the reference loop.
            self._later(self._settings.poll_interval_s, "tick", self._token)

    def _log_outcome(self, url: str, result: IcyResult) -> None:
        # A dead stream fails every pass: say so once per new problem, not every 10 s.
        problem = (url, result.error) if result.error else None
        if problem and problem != self._last_problem:
            log.info("radio %s: fetch of %s failed: %s", self.item_id, url, result.error)
        elif problem:
            log.debug("radio %s: fetch of %s failed again: %s", self.item_id, url, result.error)
        self._last_problem = problem

    @item_message
    def poll_now(self) -> None:
        """Stream URL or on/off changed: start a fresh pass now, dropping the old chain."""
        self._token += 1
        self._awaiting = None
        self._later(0.0, "tick", self._token)
