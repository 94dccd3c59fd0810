"""The radio's stateful plug-in: one RadioMetadataPollerActor per radio.

A radio whose stream URL or on/off switch changes is polled again at once. The poller
asks before each fetch whether anyone is in range (only the room knows); a fetch result
is applied, saved and broadcast when it changes the station name or title.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from chgrid.actors.item_actor import ItemReport, RoomLink
from chgrid.actors.item_plugin import PluginHost, StatefulPart
from chgrid.items.model import ItemState
from chgrid.items.types.radio_station import ITEM_TYPE
from chgrid.items.types.radio_station.actions import apply_station_metadata
from chgrid.items.types.radio_station.actor import (
    RadioMetadata,
    RadioMetadataPollerActor,
    RadioPollDue,
    RadioProxy,
)
from chgrid.items.types.radio_station.icy import should_poll
from chgrid.items.types.radio_station.validate import configure_stream_urls
from chgrid.net.icy_fetch import IcyResult
from chgrid.net.stream_url import StreamUrlRules
from chgrid.settings import RadioSettings, Settings

log = logging.getLogger(__name__)

Fetcher = Callable[[str], IcyResult]


def _poll_inputs(item: ItemState) -> tuple:
    """What makes a radio worth polling again at once when it changes."""
    return (item.params.get("streamUrl"), item.params.get("enabled", True))


class RadioPart(StatefulPart):
    """The radios of one room."""

    def __init__(self, host: PluginHost, settings: RadioSettings, fetcher: Fetcher | None) -> None:
        self._host = host
        self._settings = settings
        self._fetcher = fetcher
        self._actors = host.supervise(self._start)

    def _start(self, item: ItemState, link: RoomLink) -> RadioProxy:
        host = self._host
        ref = RadioMetadataPollerActor.start(item.id, link, host.clock, host.scheduler,
                                             settings=self._settings, fetcher=self._fetcher)
        return cast(RadioProxy, ref.proxy())

    def item_changed(self, old: ItemState, new: ItemState, action: str) -> None:
        if _poll_inputs(new) != _poll_inputs(old):
            self._actors.tell(new.id, lambda radio: radio.poll_now())

    def on_report(self, item: ItemState, report: ItemReport) -> None:
        if isinstance(report, RadioPollDue):
            self._answer(item, report.token)
        elif isinstance(report, RadioMetadata):
            self._metadata(item, report)

    def _answer(self, item: ItemState, token: int) -> None:
        """Always answered, with the URL or None: the poller's next pass depends on it."""
        url: str | None = None
        try:
            listeners = [(p.x, p.y) for p in self._host.players()]
            if should_poll(item, listeners):
                url = item.params["streamUrl"].strip()
        except Exception:
            log.exception("radio %s: could not decide whether to poll", item.id)
        self._actors.tell(item.id, lambda radio: radio.poll_answer(token, url))

    def _metadata(self, item: ItemState, report: RadioMetadata) -> None:
        """A fetch result: stored, saved and broadcast when it changes anything."""
        current = item.params.get("streamUrl")
        if not isinstance(current, str) or current.strip() != report.url:
            return  # the URL changed while fetching: this result is about another stream
        host = self._host
        updated = apply_station_metadata(item, report.station_name, report.now_playing, host.clock.now_ms())
        if updated is None or not host.commit(upserts=[updated]):
            return  # unchanged, or not saved (the next poll tries again)
        host.replace_item(updated)


class RadioType:
    """The radio's plug-in (one per server); ``fetcher`` replaces the real fetch (tests).

    Creating it also sets this process's ``streamUrl`` rules from the same settings.
    """

    type_id = ITEM_TYPE.type_id

    def __init__(self, settings: RadioSettings, fetcher: Fetcher | None = None) -> None:
        self._settings = settings
        self._fetcher = fetcher
        configure_stream_urls(StreamUrlRules(allow_private=settings.allow_private_networks,
                                             dns_timeout_s=settings.dns_timeout_s))

    def bind(self, host: PluginHost) -> StatefulPart:
        return RadioPart(host, self._settings, self._fetcher)


def create(settings: Settings) -> RadioType:
    return RadioType(settings.radio)
