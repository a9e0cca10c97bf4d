"""The local backend answers as the deployed API would where the storefront relies on it:
keys on partner routes, verified tokens on Cognito routes, request models, CORS."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

from tools.local_shop import LocalShop


def call(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, body: Any = None
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, dict(error.headers), error.read()
    return status, answer_headers, json.loads(raw) if raw else None


def id_token(shop: LocalShop) -> str:
    return shop.id_token()


def test_partner_routes_need_the_key_and_answer_as_the_public_ones(shop: LocalShop) -> None:
    status, _, _ = call(f"{shop.api_url}partner/products?limit=3")
    assert status == 403
    status, _, partner = call(
        f"{shop.api_url}partner/products?limit=3", headers={"X-Api-Key": shop.gateway.api_key}
    )
    assert status == 200
    assert call(f"{shop.api_url}products?limit=3")[2] == partner
    assert [p["sku"] for p in partner["products"]] == ["ITEM-00", "ITEM-01", "ITEM-02"]


def test_cognito_routes_take_only_a_verified_id_token(shop: LocalShop) -> None:
    url = f"{shop.api_url}orders/no-such-order"
    token = id_token(shop)
    assert call(url, headers={"Authorization": token})[0] == 404  # the handler ran
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for sent in (None, f"{header}.{forged}.{signature}", "not-a-token"):
        status, headers, body = call(url, headers={"Authorization": sent} if sent else {})
        assert (status, body) == (401, {"message": "Unauthorized"}), sent
        # API Gateway's own answers carry the storefront's origin, so the page can read them.
        assert headers["Access-Control-Allow-Origin"] == shop.url.rstrip("/")


def test_request_models_are_checked_before_the_handler(shop: LocalShop) -> None:
    headers = {"Authorization": id_token(shop), "Content-Type": "application/json"}
    url = f"{shop.api_url}orders"
    status, _, body = call(url, "POST", {**headers, "Idempotency-Key": "k" * 12}, {"items": []})
    assert (status, body) == (400, {"message": "Invalid request body"})
    status, _, body = call(url, "POST", headers, {"items": [{"sku": "ITEM-01", "quantity": 1}]})
    assert status == 400
    assert "Idempotency-Key" in body["message"]


def test_preflight_allows_what_the_page_sends(shop: LocalShop) -> None:
    status, headers, _ = call(f"{shop.api_url}orders", "OPTIONS")
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == shop.url.rstrip("/")
    allowed = {h.lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert "POST" in headers["Access-Control-Allow-Methods"].split(",")


def test_the_events_api_takes_signed_in_shoppers_batches_only(shop: LocalShop) -> None:
    assert shop.ingest_url is not None
    url = f"{shop.ingest_url}records"
    event = {
        "event_id": "e-1",
        "event_type": "view",
        "occurred_at": "2026-12-01T10:00:00.000Z",
        "product_id": "ITEM-01",
    }
    json_type = {"Content-Type": "application/json"}
    assert call(url, "POST", json_type, {"records": [event]})[0] == 401
    signed_in = {**json_type, "Authorization": id_token(shop)}
    status, _, body = call(url, "POST", signed_in, {"records": [{**event, "event_type": "x"}]})
    assert (status, body) == (400, {"message": "Invalid request body"})
    status, _, body = call(url, "POST", signed_in, {"records": [event] * 51})
    assert status == 400, "at most 50 events a request, as the template's model says"
    status, _, body = call(url, "POST", signed_in, {"records": [event]})
    assert status == 200
    assert body["failed_record_count"] == 0
