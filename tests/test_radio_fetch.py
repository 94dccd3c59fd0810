"""The hardened ICY fetch (chgrid.net) against a real local stream server."""
from __future__ import annotations

import ipaddress
import threading
import time

import pytest

from chgrid.net.addresses import AddressPolicy
from chgrid.net.icy_fetch import FetchError, IcyFetcher, parse_target
from tests.icy_stream import IcyStreamServer, metadata_block


@pytest.fixture(scope="module")
def icy():
    with IcyStreamServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _reset(icy):
    icy.station_name, icy.title, icy.metaint, icy.name_header = "Test FM", "Artist - Song", 16, "icy-name"
    yield


def lan_fetcher(**kw) -> IcyFetcher:
    kw.setdefault("timeout_s", 3.0)
    return IcyFetcher(allow_private=True, **kw)


def test_station_and_title_from_a_real_stream(icy):
    result = lan_fetcher()(icy.url())
    assert (result.station_name, result.now_playing, result.error) == ("Test FM", "Artist - Song", None)
    path, headers = icy.requests[-1]
    # The reference's observed request headers.
    assert headers["Icy-Metadata"] == "1" and headers["User-Agent"] == "ChatGrid"
    assert headers["Accept-Encoding"] == "identity" and headers["Connection"] == "close"


def test_title_follows_the_stream_and_unicode_survives(icy):
    icy.title, icy.station_name = "Guns N' Roses – Patience", "Radio Ünïcode"
    icy.metaint = 8192
    result = lan_fetcher()(icy.url())
    assert result.now_playing == "Guns N' Roses – Patience"
    assert result.station_name == "Radio Ünïcode"


def test_ice_name_and_missing_metaint(icy):
    icy.name_header = "ice-name"
    assert lan_fetcher()(icy.url()).station_name == "Test FM"
    result = lan_fetcher()(icy.url("/nometa"))
    assert (result.station_name, result.now_playing, result.error) == ("Test FM", "", None)


def test_icy_status_line_of_old_servers(icy):
    result = lan_fetcher()(icy.url("/icy"))
    assert (result.station_name, result.now_playing) == ("Shout FM", "Old School")


def test_redirects_are_followed_up_to_five(icy):
    # upstream-0.1.md §13.2: at most 5 redirects, each hop checked again.
    one = icy.url("/redirect?to=/stream")
    assert lan_fetcher()(one).now_playing == "Artist - Song"
    three = icy.url("/redirect?to=" + "/redirect%3Fto%3D" * 1 + "/redirect%3Fto%3D/stream")
    assert lan_fetcher()(three).now_playing == "Artist - Song"
    before = icy.hits["/loop"]
    result = lan_fetcher()(icy.url("/loop"))
    assert result.error == "more than 5 redirects" and result.station_name == ""
    assert icy.hits["/loop"] - before == 6


@pytest.mark.parametrize("path, problem", [
    ("/error", "HTTP status 500"),
    ("/huge", None),
])
def test_errors_and_refused_interval(icy, path, problem):
    result = lan_fetcher()(icy.url(path))
    assert result.error == problem
    if path == "/huge":
        # An interval above 64 KiB is never read through; the name still counts.
        assert (result.station_name, result.now_playing) == ("Huge FM", "")


def test_total_timeout_bounds_a_silent_stream(icy):
    started = time.monotonic()
    result = lan_fetcher(timeout_s=0.4)(icy.url("/silent"))
    assert result.error == "timed out" and result.station_name == ""
    assert time.monotonic() - started < 2.0


def test_connection_refused_is_a_failed_fetch():
    from tests.support import free_port

    result = lan_fetcher()(f"http://127.0.0.1:{free_port()}/stream")
    assert result.error and not result.station_name and not result.now_playing


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "data:text/plain,hi",
                                 "gopher://x", "http://", "http://exa mple.com/", "javascript:alert(1)"])
def test_only_http_and_https(url):
    with pytest.raises(FetchError):
        parse_target(url)
    assert IcyFetcher(allow_private=True)(url).error


def test_loopback_refused_by_default_and_nothing_is_sent(icy):
    before = sum(icy.hits.values())
    result = IcyFetcher(timeout_s=2)(icy.url())
    assert "refused" in result.error and result.station_name == ""
    assert sum(icy.hits.values()) == before


@pytest.mark.parametrize("address, allowed", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("2002:7f00:1::", False), ("64:ff9b::a9fe:a9fe", False),
    ("8.8.8.8", True), ("2001:4860:4860::8888", True), ("::ffff:8.8.8.8", True),
])
def test_address_policy(address, allowed):
    ip = ipaddress.ip_address(address)
    assert AddressPolicy(False).allowed(ip) is allowed
    # The LAN switch allows private peers but never multicast or "any".
    assert AddressPolicy(True).allowed(ip) is (address not in ("0.0.0.0", "224.0.0.1"))


def test_checked_after_resolution_and_connects_to_the_checked_address(icy):
    calls = []

    def resolver(host, port):
        calls.append(host)
        # A rebinding resolver: public-looking first, loopback afterwards.
        return ["127.0.0.1"] if len(calls) == 1 else ["10.9.9.9"]

    only_first = lambda ip: str(ip) == "127.0.0.1"  # noqa: E731  (stands in for "public")
    url = f"http://radio.example:{icy.port}/stream"
    result = IcyFetcher(policy=only_first, resolver=resolver, timeout_s=3)(url)
    assert result.now_playing == "Artist - Song" and calls == ["radio.example"]
    assert icy.requests[-1][1]["Host"] == f"radio.example:{icy.port}"
    # A name that resolves to a refused address is refused although it is not an IP.
    refused = IcyFetcher(resolver=lambda h, p: ["127.0.0.1"], timeout_s=3)(url)
    assert "refused" in refused.error


def test_redirect_to_a_refused_address_is_refused(icy):
    policy = lambda ip: str(ip) == "127.0.0.1"  # noqa: E731
    resolver = {"public.example": ["127.0.0.1"], "internal.example": ["127.0.0.2"]}
    fetch = IcyFetcher(policy=policy, resolver=lambda h, p: resolver[h], timeout_s=3)
    hop = f"http://internal.example:{icy.port}/stream"
    result = fetch(f"http://public.example:{icy.port}/redirect?to={hop}")
    assert "refused" in result.error
    ok = fetch(f"http://public.example:{icy.port}/redirect?to=http://public.example:{icy.port}/stream")
    assert ok.now_playing == "Artist - Song"


def test_concurrency_is_limited(icy):
    slots = threading.BoundedSemaphore(2)
    fetch = lan_fetcher(timeout_s=2.0, slots=slots)
    # Earlier tests may leave a silent request open on the server: count from there.
    baseline = icy.silent_active
    icy.silent_peak, icy.silent_hold = baseline, 0.3
    results = []
    threads = [threading.Thread(target=lambda: results.append(fetch(icy.url("/silent")))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    icy.silent_hold = 30.0
    assert len(results) == 4 and all(r.error for r in results)
    assert icy.silent_peak - baseline == 2


def test_no_free_slot_skips_without_a_verdict(icy):
    slots = threading.BoundedSemaphore(1)
    slots.acquire()
    result = lan_fetcher(timeout_s=0.1, slots=slots)(icy.url())
    assert result.skipped and result.station_name == ""


def test_metadata_block_helper_matches_the_reader():
    from chgrid.items.types.radio_station.icy import IcyTitleReader

    reader = IcyTitleReader(4)
    assert reader.feed(b"abcd" + metadata_block("StreamTitle='x';")) and reader.title == "x"
