"""Short-lived tokens a trusted backend issues and the ``$connect`` authorizer checks.

A token is ``<payload>.<signature>``: the payload is base64url JSON ``{"sub": <who>,
"exp": <epoch seconds>, "scope": "live"}``, the signature base64url HMAC-SHA256 of the
payload's text under the stage's signing secret (in Secrets Manager). What is checked:
the signature (constant-time), the scope, that it has not expired, and that it does not
live longer than :data:`MAX_LIFETIME_SECONDS`. Only the standard library is needed, so
the authorizer has no dependency to package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

SCOPE = "live"
#: Tokens may live at most this long (a dashboard asks for a new one to reconnect).
MAX_LIFETIME_SECONDS = 3600


class InvalidTokenError(ValueError):
    """The token is malformed, forged, expired or for something else."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def issue(
    secret: bytes, subject: str, lifetime_seconds: int = 900, now: float | None = None
) -> str:
    """A token for ``subject`` valid ``lifetime_seconds`` (at most an hour)."""
    if not 0 < lifetime_seconds <= MAX_LIFETIME_SECONDS:
        raise ValueError(f"lifetime_seconds must be 1..{MAX_LIFETIME_SECONDS}")
    issued = int(time.time() if now is None else now)
    body = {"sub": subject, "exp": issued + lifetime_seconds, "scope": SCOPE}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def verify(secret: bytes, token: str, now: float | None = None) -> str:
    """The subject of a valid ``token``, else ``InvalidTokenError``."""
    payload, dot, signature = token.partition(".")
    if not dot or len(token) > 2048:
        raise InvalidTokenError("malformed token")
    if not hmac.compare_digest(_sign(secret, payload), signature):
        raise InvalidTokenError("bad signature")
    try:
        claims: Any = json.loads(_unb64(payload))
    except (ValueError, binascii.Error) as error:
        raise InvalidTokenError("malformed payload") from error
    current = time.time() if now is None else now
    if not isinstance(claims, dict) or claims.get("scope") != SCOPE:
        raise InvalidTokenError("not a live-updates token")
    expires, subject = claims.get("exp"), claims.get("sub")
    if not isinstance(expires, int) or not isinstance(subject, str) or not subject:
        raise InvalidTokenError("malformed claims")
    if expires <= current:
        raise InvalidTokenError("expired")
    if expires - current > MAX_LIFETIME_SECONDS:
        raise InvalidTokenError("lifetime too long")
    return subject
