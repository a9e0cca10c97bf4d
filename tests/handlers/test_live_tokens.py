"""What the live-updates token check accepts and refuses, without AWS."""

from __future__ import annotations

import base64
import json

import pytest
from live_updates.tokens import MAX_LIFETIME_SECONDS, InvalidTokenError, issue, verify

SECRET = b"k" * 32
NOW = 1_800_000_000


def _forge(claims: object) -> str:
    """A correctly signed token carrying ``claims`` (what a holder of the secret could make)."""
    import hashlib
    import hmac

    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    signature = hmac.new(SECRET, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_a_fresh_token_names_its_subject() -> None:
    assert verify(SECRET, issue(SECRET, "ops", 60, now=NOW), now=NOW + 59) == "ops"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (issue(SECRET, "ops", 60, now=NOW), "expired"),  # checked at NOW + 60 below
        (
            _forge({"sub": "ops", "exp": NOW + 70 + MAX_LIFETIME_SECONDS, "scope": "live"}),
            "too long",
        ),
        (_forge({"sub": "ops", "exp": NOW + 60, "scope": "admin"}), "not a live"),
        (_forge({"sub": "", "exp": NOW + 60, "scope": "live"}), "claims"),
        (_forge(["not", "an", "object"]), "not a live"),
        ("no-dot", "malformed"),
        ("a." + "b" * 3000, "malformed"),
        (issue(SECRET, "ops", 60, now=NOW).replace(".", ".x"), "signature"),
    ],
)
def test_refused_tokens_say_why(token: str, reason: str) -> None:
    with pytest.raises(InvalidTokenError, match=reason):
        verify(SECRET, token, now=NOW + 60)


def test_issue_refuses_long_lifetimes() -> None:
    with pytest.raises(ValueError, match="lifetime_seconds"):
        issue(SECRET, "ops", MAX_LIFETIME_SECONDS + 1)
