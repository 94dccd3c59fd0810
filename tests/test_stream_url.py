"""Pure rules of the radio's streamUrl (upstream-0.1.md §13.1) and the media proxy's
URL checks (§14.2), with injected resolvers: no network."""
from __future__ import annotations

import pytest

from chgrid.net.media_target import Refusal, check_addresses, check_target, dropbox_rewrite
from chgrid.net.addresses import parse_ip
from chgrid.net.stream_url import StreamUrlError, StreamUrlRules, check_stream_url


def rules(answers, allow_private=False):
    return StreamUrlRules(allow_private=allow_private, resolver=lambda host, port: answers[host])


@pytest.mark.parametrize("text, message", [
    ("//radio.example/a", "streamUrl must use http or https when specifying a host."),
    ("radio.example/a", "streamUrl must be an absolute http/https URL or site-relative path."),
    ("mailto:someone", "streamUrl must be a valid http/https URL."),
    ("ftp://radio.example/a", "streamUrl must use http or https."),
    ("http://u:p@radio.example/a", "streamUrl must not include credentials."),
    ("http://nowhere.example/a", "DNS resolution failed."),
    ("http://mixed.example/a", "streamUrl must resolve to a public IP address."),
    ("http://[fe80::1]/a", "streamUrl must resolve to a public IP address."),
])
def test_stream_url_refusals(text, message):
    answers = {"radio.example": ["8.8.8.8"], "mixed.example": ["8.8.8.8", "10.0.0.1"], "nowhere.example": []}
    with pytest.raises(StreamUrlError) as caught:
        check_stream_url(text, rules(answers))
    assert caught.value.message == message


def test_stream_url_accepted_forms():
    answers = {"radio.example": ["8.8.4.4"], "lan.example": ["192.168.1.5"]}
    assert check_stream_url("HTTP://Radio.Example:8000/Live?x=1", rules(answers)) == (
        "http://radio.example:8000/Live?x=1")
    assert check_stream_url("/grid/media_proxy.php?url=x", rules(answers)) == "/grid/media_proxy.php?url=x"
    assert check_stream_url("http://lan.example/s", rules(answers, allow_private=True)) == "http://lan.example/s"


def test_stream_url_dns_wait_is_bounded():
    import threading

    release = threading.Event()

    def hanging(host, port):
        release.wait(5)
        return ["8.8.8.8"]

    try:
        with pytest.raises(StreamUrlError) as caught:
            check_stream_url("http://slow.example/a", StreamUrlRules(dns_timeout_s=0.05, resolver=hanging))
        assert caught.value.message == "DNS resolution failed."
    finally:
        release.set()


@pytest.mark.parametrize("url, status, message", [
    ("ftp://a.example/x", 400, "unsupported scheme"),
    ("nothing", 400, "invalid url"),
    ("http://a:b@a.example/x", 400, "credentials not allowed"),
    ("http://localhost:8000/x", 403, "forbidden host"),
    ("http://[::1]/x", 403, "forbidden host"),
    ("http://evil.example/x", 403, "host not allowed"),
])
def test_proxy_target_refusals(url, status, message):
    with pytest.raises(Refusal) as caught:
        check_target(url, allow_private=False, allowlist=["example.org"])
    assert (caught.value.status, caught.value.message) == (status, message)


def test_proxy_target_allowlist_and_addresses():
    target = check_target("https://cdn.example.org/a%20é.mp3", allow_private=False, allowlist=["example.org"])
    assert (target.url, target.host, target.port) == ("https://cdn.example.org/a%20%C3%A9.mp3", "cdn.example.org", 443)
    check_addresses([parse_ip("8.8.8.8")], allow_private=False)
    with pytest.raises(Refusal) as caught:
        check_addresses([parse_ip("8.8.8.8"), parse_ip("169.254.169.254")], allow_private=False)
    assert caught.value.message == "resolved ip not allowed"
    with pytest.raises(Refusal) as caught:
        check_addresses([], allow_private=True)
    assert (caught.value.status, caught.value.message) == (502, "dns resolution failed")


def test_dropbox_links_are_rewritten_to_raw():
    assert dropbox_rewrite("https://www.dropbox.com/s/abc/song.mp3?dl=0") == (
        "https://www.dropbox.com/s/abc/song.mp3?raw=1")
    assert dropbox_rewrite("https://dl.dropboxusercontent.com/x.mp3?a=1&raw=0") == (
        "https://dl.dropboxusercontent.com/x.mp3?a=1&raw=1")
    assert dropbox_rewrite("https://notdropbox.com/x?dl=0") == "https://notdropbox.com/x?dl=0"
