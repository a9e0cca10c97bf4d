"""``GET /live-token`` (``live_updates.issuer``) against Secrets Manager in moto: the
token it issues opens a connection at the ``$connect`` authorizer; an expired or forged
one, or a caller without a verified identity, does not get in."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from tests.support.usage_events import FakeContext
from tools.local_live.http_api import proxy_event

ORIGIN = "https://shop.example.com"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/live/$connect"


@pytest.fixture
def secret(aws: str, monkeypatch: pytest.MonkeyPatch) -> str:
    value = "issuer-test-secret"
    arn = boto3.client("secretsmanager").create_secret(Name="live-token", SecretString=value)
    monkeypatch.setenv("TOKEN_SECRET_ARN", str(arn["ARN"]))
    from live_updates import authorizer

    authorizer._cached.clear()
    return value


def _get_token(claims: dict[str, Any], origin: str = ORIGIN) -> dict[str, Any]:
    from live_updates import issuer

    event = proxy_event("/live-token", {"Origin": origin}, claims)
    response: dict[str, Any] = issuer.handler(event, FakeContext())
    return response


def _connect(token: str) -> str:
    from live_updates import authorizer

    event = {"type": "REQUEST", "methodArn": METHOD_ARN, "queryStringParameters": {"token": token}}
    decision = authorizer.handler(event, FakeContext())
    return str(decision["policyDocument"]["Statement"][0]["Effect"])


def test_an_issued_token_opens_a_connection_for_the_caller(secret: str) -> None:
    from live_updates import authorizer

    response = _get_token({"sub": "user-42", "email": "a@example.com"})
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["expires_in"] == 900
    event = {
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "queryStringParameters": {"token": body["token"]},
    }
    decision = authorizer.handler(event, FakeContext())
    assert decision["principalId"] == "user-42"
    assert decision["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    # A credential: no cache may keep it.
    assert response["multiValueHeaders"]["Cache-Control"] == ["no-store"]


def test_expired_and_forged_tokens_do_not_connect(
    secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from live_updates import issuer
    from live_updates.tokens import issue

    # Issued in 1970 (the issuer's clock only; the authorizer's is today's).
    monkeypatch.setattr(issuer, "time", SimpleNamespace(time=lambda: 1_000_000.0))
    expired = json.loads(_get_token({"sub": "user-42"})["body"])["token"]
    monkeypatch.setattr(issuer, "time", time)
    assert _connect(expired) == "Deny"
    assert _connect(issue(b"not the secret", "user-42")) == "Deny"
    payload, _, signature = issue(secret.encode(), "user-42").partition(".")
    other_payload = issue(secret.encode(), "admin").partition(".")[0]
    assert _connect(f"{other_payload}.{signature}") == "Deny"
    assert _connect(f"{payload}.{signature}") == "Allow"


def test_a_caller_without_verified_claims_gets_no_token(secret: str) -> None:
    response = _get_token({})
    assert response["statusCode"] == 401
    assert "token" not in json.loads(response["body"])


def test_the_lifetime_comes_from_the_environment(
    secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKEN_LIFETIME_SECONDS", "60")
    body = json.loads(_get_token({"sub": "user-42"})["body"])
    assert body["expires_in"] == 60
    assert _connect(body["token"]) == "Allow"
