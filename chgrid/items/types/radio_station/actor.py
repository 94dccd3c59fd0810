"""RadioMetadataPollerActor: keeps one radio's ``stationName``/``nowPlaying`` current.

One pass (items.md §10.4): the actor's timer fires, it reports :class:`RadioPollDue`
(is the radio due? only the room knows where people are), the radio's plug-in answers
``poll_answer`` with the URL or None, the actor fetches, reports
:class:`RadioMetadata`, and waits the poll interval before the next pass. The fetch
blocks in this actor's own thread — never the IOLoop's or the room's — and is bounded
by ``chgrid.net.icy_fetch`` (timeout, read caps, redirects, address policy,
concurrency).

Each pass carries a token; an answer for another token (an older pass, or a pass of a
previous incarnation of this actor) is ignored, so exactly one timer chain runs.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import pykka
from pykka.typing import ActorMemberMixin, proxy_method

from chgrid.actors.item_actor import ItemActor, ItemReport, RoomLink, item_message
from chgrid.actors.timers import Clock, Scheduler
from chgrid.net.icy_fetch import IcyResult, fetcher_from_settings
from chgrid.settings import RadioSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RadioPollDue(ItemReport):
    """A pass starts: should this radio be fetched now? Always answered (``poll_answer``)."""

    token: int


@dataclass(frozen=True)
class RadioMetadata(ItemReport):
    """A fetch result for ``url`` (two empty strings after a failed fetch)."""

    url: str
    station_name: str
    now_playing: str


class RadioMetadataPollerActor(ItemActor):
    """One radio's metadata poller. ``fetcher(url) -> IcyResult`` is injectable."""

    kind = "radio"

    def __init__(self, item_id: str, room: RoomLink, clock: Clock, scheduler: Scheduler,
                 settings: RadioSettings | None = None,
                 fetcher: Callable[[str], IcyResult] | None = None) -> None:
        super().__init__(item_id, room, clock, scheduler)
        self._settings = settings or RadioSettings()
        self._fetch = fetcher or fetcher_from_settings(self._settings)
        self._token = 0
        self._awaiting: int | None = None  # token of the pass waiting for the room
        self._last_problem: tuple[str, str] | None = None

    def _me(self) -> RadioProxy:
        return cast(RadioProxy, self._own_proxy)

    def begin(self) -> None:
        # First pass right away: a freshly added or loaded radio shows its metadata soon.
        self.later(0.0, self._me().tick, self._token)

    @item_message
    def tick(self, token: int) -> None:
        """Start a pass: ask the room whether this radio is due."""
        if token != self._token:
            return
        self._token += 1
        self._awaiting = self._token
        self.report(RadioPollDue(self.item_id, self._token))

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
                    self.report(RadioMetadata(self.item_id, url, result.station_name, result.now_playing))
        finally:
            # The interval counts from the end of the pass, as in the reference loop.
            self.later(self._settings.poll_interval_s, self._me().tick, self._token)

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
        self.later(0.0, self._me().tick, self._token)


class RadioProxy(ActorMemberMixin, pykka.ActorProxy[RadioMetadataPollerActor]):
    """The radio poller's messages, typed."""

    tick = proxy_method(RadioMetadataPollerActor.tick)
    poll_answer = proxy_method(RadioMetadataPollerActor.poll_answer)
    poll_now = proxy_method(RadioMetadataPollerActor.poll_now)
