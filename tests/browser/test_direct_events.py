"""The storefront in headless Chromium putting its usage events straight into Kinesis with
identity-pool credentials: the local backend's stand-in (``tools.local_shop.identity``)
exchanges the page's ID token (or, with Dev's guest events, nothing) for credentials of
the role the template maps it to, checks the page's SigV4 signature with botocore, and
puts the records into moto's stream."""

from __future__ import annotations

import base64
import datetime
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.browser.storefront_pages import (
    TIMEOUT_MS,
    add_to_cart,
    check_keys,
    new_events,
    read_stream,
    sign_in,
)
from tools.local_shop import LocalShop


@pytest.fixture
def page(browser: Any, shop: LocalShop) -> Iterator[Any]:
    """A fresh page (no storage, signed out); fails the test on a page error or a CSP
    violation, or on any request to the events API (the fallback path)."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    opened.on(
        "request",
        lambda r: errors.append(f"fallback used: {r.url}") if "/ingest/" in r.url else None,
    )
    try:
        yield opened
    finally:
        context.close()
    assert errors == []


def signer_of(request: Any, shop: LocalShop) -> str:
    """The role (logical id) of the credentials ``request`` was signed with."""
    authorization = request.headers["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=ASIA")
    key = authorization.split("Credential=")[1].split("/")[0]
    assert shop.identity is not None
    issued = shop.identity.issued[key]
    assert request.headers["x-amz-security-token"] == issued.token
    return issued.role


def test_a_shoppers_events_go_straight_into_the_stream(page: Any, shop: LocalShop) -> None:
    assert shop.identity is not None
    seen = {event["event_id"] for _, event in read_stream(shop)}
    sign_in(page, shop)
    with page.expect_response("**/aws/kinesis/", timeout=TIMEOUT_MS) as sent:
        add_to_cart(page, shop, "ITEM-03", 1)
        add_to_cart(page, shop, "ITEM-04", 2)
    # Accepted: signed with the credentials issued for the shopper's ID token, of the role
    # the template maps a user of no group to, and checked with botocore's signer.
    assert sent.value.status == 200
    assert signer_of(sent.value.request, shop) == shop.identity.spec.authenticated_role
    page.goto("about:blank")  # what is still queued goes on pagehide
    new = new_events(shop, seen, 4, page)
    assert sorted((e["event_type"], e["product_id"]) for _, e in new) == [
        ("add_to_cart", "ITEM-03"),
        ("add_to_cart", "ITEM-04"),
        ("view", "ITEM-03"),
        ("view", "ITEM-04"),
    ]
    check_keys(new)


def test_a_guests_events_go_in_with_the_guest_role_where_the_stage_allows(
    page: Any, shop: LocalShop
) -> None:
    assert shop.identity is not None
    assert shop.identity.spec.allow_guests, "Dev counts guests' events (guest_events)"
    seen = {event["event_id"] for _, event in read_stream(shop)}
    with page.expect_response("**/aws/kinesis/", timeout=TIMEOUT_MS) as sent:
        add_to_cart(page, shop, "ITEM-05", 1)
    assert sent.value.status == 200
    assert signer_of(sent.value.request, shop) == shop.identity.spec.guest_role
    new = new_events(shop, seen, 2, page)
    assert sorted((e["event_type"], e["product_id"]) for _, e in new) == [
        ("add_to_cart", "ITEM-05"),
        ("view", "ITEM-05"),
    ]


def _post(url: str, target: str, body: dict[str, Any], **headers: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_stand_in_refuses_what_aws_would(shop: LocalShop) -> None:
    """A forged login gets no credentials; a request whose body was changed after it was
    signed, or that names another stream, puts nothing."""
    assert shop.identity is not None
    config = shop.config()
    exchange = config["identityEndpoint"]
    provider = shop.identity.provider
    status, answer = _post(
        exchange,
        "AWSCognitoIdentityService.GetId",
        {"IdentityPoolId": config["identityPoolId"], "Logins": {provider: "a.b.c"}},
    )
    assert (status, answer["__type"]) == (400, "NotAuthorizedException")
    # A guest's credentials (Dev), then signed PutRecords calls.
    _, got = _post(
        exchange, "AWSCognitoIdentityService.GetId", {"IdentityPoolId": config["identityPoolId"]}
    )
    _, answer = _post(
        exchange,
        "AWSCognitoIdentityService.GetCredentialsForIdentity",
        {"IdentityId": got["IdentityId"]},
    )
    keys = answer["Credentials"]
    credentials = Credentials(keys["AccessKeyId"], keys["SecretKey"], keys["SessionToken"])
    record = {"Data": base64.b64encode(b'{"event_id": "x"}').decode(), "PartitionKey": "P"}

    def put(stream_arn: str, tamper: bool = False) -> tuple[int, Any]:
        body = {"StreamARN": stream_arn, "Records": [record]}
        signed = AWSRequest(
            method="POST",
            url=config["kinesisEndpoint"],
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "Kinesis_20131202.PutRecords",
            },
        )
        now = datetime.datetime.now(datetime.UTC)
        with mock.patch("botocore.auth.get_current_datetime", return_value=now):
            SigV4Auth(credentials, "kinesis", shop.region).add_auth(signed)
        headers = {
            k: str(v)
            for k, v in signed.headers.items()
            if k.lower().startswith(("x-amz-d", "x-amz-s", "authorization"))
        }
        if tamper:
            body["Records"] = [record, record]
        return _post(config["kinesisEndpoint"], "Kinesis_20131202.PutRecords", body, **headers)

    status, answer = put(config["eventsStream"])
    assert (status, answer["FailedRecordCount"]) == (200, 0)
    status, answer = put(config["eventsStream"], tamper=True)
    assert (status, answer["__type"]) == (400, "InvalidSignatureException")
    other = config["eventsStream"].rsplit("/", 1)[0] + "/another"
    status, answer = put(other)
    assert (status, answer["__type"]) == (400, "AccessDeniedException")


def test_a_failed_exchange_falls_back_to_the_events_api(browser: Any, shop: LocalShop) -> None:
    """When the identity pool cannot be reached, a signed-in shopper's events still reach
    the stream, through the events API with the ID token."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    opened.route("**/aws/identity/", lambda route: route.abort())
    try:
        seen = {event["event_id"] for _, event in read_stream(shop)}
        sign_in(opened, shop)
        with opened.expect_response("**/ingest/v1/records", timeout=TIMEOUT_MS) as sent:
            add_to_cart(opened, shop, "ITEM-06", 1)
        assert sent.value.status == 200
        new = new_events(shop, seen, 2, opened)
        assert sorted((e["event_type"], e["product_id"]) for _, e in new) == [
            ("add_to_cart", "ITEM-06"),
            ("view", "ITEM-06"),
        ]
    finally:
        context.close()
