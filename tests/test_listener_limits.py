"""The listener's pure bookkeeping: descriptor budget, connection counts, the accept
backoff and the interval-throttled log (no sockets, no loop, no sleeping)."""
from __future__ import annotations

import logging

from chgrid.web.headers import DEFAULT_CSP, resolve_csp, static_headers
from chgrid.web.limits import PER_IP, TOTAL, Backoff, ConnectionCounts, IntervalLog, derived_max_connections
from chgrid.web.listener import peer_key, refusal_bytes


def test_derived_cap_keeps_a_reserve_below_the_descriptor_limit():
    assert derived_max_connections(256) == 256 - (64 + 16)
    assert derived_max_connections(1024) == 1024 - (64 + 64)
    assert derived_max_connections(70) == 16  # never nothing at all
    assert 0 < derived_max_connections(-1) < 1_000_000  # RLIM_INFINITY


def test_counts_refuse_over_each_cap_and_release():
    counts = ConnectionCounts(total_cap=3, per_ip_cap=2)
    assert counts.admit("a") is None and counts.admit("a") is None
    assert counts.admit("a") == PER_IP
    assert counts.admit("b") is None
    assert counts.admit("c") == TOTAL
    counts.release("a")
    assert counts.admit("c") is None
    for ip in ("a", "b", "c"):
        counts.release(ip)
    assert counts.total == 0 and not counts.by_ip  # no entry kept per address ever seen


def test_no_per_ip_cap_when_zero():
    counts = ConnectionCounts(total_cap=100, per_ip_cap=0)
    assert all(counts.admit("a") is None for _ in range(100))
    assert counts.admit("a") == TOTAL


def test_backoff_doubles_to_a_cap_and_resets():
    backoff = Backoff(first=0.05, cap=1.0)
    assert [backoff.next_delay() for _ in range(7)] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    backoff.reset()
    assert backoff.next_delay() == 0.05


def test_interval_log_reports_once_per_interval_with_a_count(caplog):
    timers = []
    throttled = IntervalLog(logging.getLogger("test.interval"), "failed %d time(s): %s", 10.0,
                            lambda delay, fn: timers.append((delay, fn)))
    with caplog.at_level(logging.WARNING, "test.interval"):
        for _ in range(1000):
            throttled.hit("EMFILE")
        assert [r.getMessage() for r in caplog.records] == ["failed 1 time(s): EMFILE"]
        delay, fire = timers.pop()
        assert delay == 10.0
        fire()  # the interval ends with 999 more
        assert caplog.records[-1].getMessage() == "failed 999 time(s): EMFILE (in the last 10s)"
        timers.pop()[1]()  # a quiet interval closes the window
        throttled.hit("EMFILE")
        assert caplog.records[-1].getMessage() == "failed 1 time(s): EMFILE"
    assert len(caplog.records) == 3


def test_refusal_is_a_complete_closing_503():
    raw = refusal_bytes(static_headers(DEFAULT_CSP, tls=False))
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 503 Service Unavailable"
    assert "Connection: close" in lines and any(line.startswith("Retry-After: ") for line in lines)
    assert f"Content-Length: {len(body)}" in lines
    assert "X-Content-Type-Options: nosniff" in lines


def test_csp_setting_words():
    assert resolve_csp("default") == DEFAULT_CSP
    assert resolve_csp("none") == "" and resolve_csp("") == ""
    assert resolve_csp(" default-src 'self' ") == "default-src 'self'"
    names = [name for name, _ in static_headers("", tls=True)]
    assert "Content-Security-Policy" not in names and "Strict-Transport-Security" in names


def test_peer_key():
    assert peer_key(("10.0.0.1", 5555)) == "10.0.0.1"
    assert peer_key(("::1", 5555, 0, 0)) == "::1"
    assert peer_key("") == ""
