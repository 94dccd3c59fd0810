"""Security headers for every HTTP answer, set in one place.

``security_transform`` builds a Tornado ``OutputTransform`` that the application runs on
the first chunk of every response: static files, errors from any handler (the default
404 included), the cookie helpers, ``/healthz`` and the websocket's 101. It adds the
headers below and drops Tornado's ``Server`` banner. The 503 that the listener writes
on a raw socket when a connection cap refuses someone uses ``static_headers`` too.
"""
from __future__ import annotations

from tornado.httputil import HTTPHeaders
from tornado.web import OutputTransform

# What the bundled client (web/) needs and no more:
# - scripts and styles only from files on this origin (no inline code, no eval);
# - media (radio stations, sound widgets) from any http/https host, since item owners
#   pick stream URLs; blob:/data: because a sound string may be one (sound-url.js);
# - fetch() of sound samples from those same places, and the websocket to this origin
#   ('self' covers ws:/wss: to the same host in CSP Level 3 browsers);
# - the data: favicon; nothing may frame the page, no plugins, no <base> rewriting.
DEFAULT_CSP = (
    "default-src 'none'; "
    "script-src 'self'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "media-src 'self' http: https: data: blob:; "
    "connect-src 'self' http: https: data: blob:; "
    "manifest-src 'self'; "
    "form-action 'self'; "
    "base-uri 'none'; "
    "object-src 'none'; "
    "frame-ancestors 'none'"
)
HSTS_VALUE = "max-age=31536000"  # no includeSubDomains: other services may share the domain


def resolve_csp(setting: str) -> str:
    """The policy to send for ``web.content_security_policy``: "default" is
    ``DEFAULT_CSP``; "" or "none" send no policy; anything else is sent as written."""
    text = setting.strip()
    if text.lower() == "default":
        return DEFAULT_CSP
    if text.lower() == "none":
        return ""
    return text


def static_headers(csp: str, tls: bool) -> list[tuple[str, str]]:
    """The security headers every answer carries, in order. ``csp`` "" sends none."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if csp:
        headers.append(("Content-Security-Policy", csp))
    if tls:
        headers.append(("Strict-Transport-Security", HSTS_VALUE))
    return headers


def security_transform(csp: str, tls: bool) -> type[OutputTransform]:
    """An ``OutputTransform`` class that stamps ``static_headers(csp, tls)`` on responses."""
    fixed = tuple(static_headers(csp, tls))

    class SecurityHeaders(OutputTransform):
        """Adds the security headers and removes the ``Server`` banner."""

        def transform_first_chunk(self, status_code: int, headers: HTTPHeaders, chunk: bytes,
                                  finishing: bool) -> tuple[int, HTTPHeaders, bytes]:
            for name, value in fixed:
                headers[name] = value  # replace, never duplicate, whatever a handler set
            if "Server" in headers:
                del headers["Server"]
            return status_code, headers, chunk

    return SecurityHeaders
