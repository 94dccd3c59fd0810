"""Login tokens (spec/auth.md §6): generation and the keyed hash that is stored.

A token is shown to the client once and never stored: the database keeps only its
HMAC-SHA256 keyed with the server secret, so a leaked database cannot be replayed and
changing the secret invalidates every token.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 48
TOKEN_CHARS = 64  # 48 bytes are exactly 64 base64 characters, so there is no padding
TOKEN_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000  # 1,209,600,000 ms, rolled on every resume


def new_token() -> str:
    """64 characters over ``A–Z a–z 0–9 - _`` from 48 CSPRNG bytes."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).rstrip(b"=").decode("ascii")


def token_hash(token: str, secret: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``token`` keyed with ``secret`` (both UTF-8)."""
    return hmac.new(
        secret.encode("utf-8", "surrogatepass"),
        token.encode("utf-8", "surrogatepass"),
        hashlib.sha256,
    ).hexdigest()
