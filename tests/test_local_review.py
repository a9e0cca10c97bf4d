"""Order review on the local shop (``LocalShop(review=True)``): a shopper's large order is
held, the template's pipe, workflow and inbox run on moto, an administrator approves,
rejects or holds it through the local API, and the order shows the outcome; what the
deployed stage does (``tests/handlers/test_order_review.py`` runs the same parts alone)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tools.assembly import StackArtifact
from tools.local_shop import LocalShop
from tools.local_shop.shop import running

PRODUCTS = [
    {"sku": "TV-BIG", "name": "Television", "price_cents": 249_900},
    {"sku": "MUG-1", "name": "Mug", "price_cents": 850},
]


def call(url: str, method: str, token: str, body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": token, "Content-Type": "application/json"}
    if method == "POST" and url.endswith("/orders"):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def shop(aws_endpoint: str, stack_artifacts: dict[str, StackArtifact]) -> Iterator[LocalShop]:
    template = stack_artifacts["Dev/Web"].template()
    with running(web_template=template, endpoint=aws_endpoint, review=True) as local:
        local.add_products(PRODUCTS)
        yield local


def _order(shop: LocalShop, sku: str) -> dict[str, Any]:
    status, order = call(
        f"{shop.api_url}orders", "POST", shop.id_token(), {"items": [{"sku": sku, "quantity": 1}]}
    )
    assert status == 201, order
    return dict(order)


def _review(shop: LocalShop, order_id: str, decision: dict[str, str]) -> tuple[int, Any]:
    """The administrator's decision, once the review has opened (the route answers 409
    until the inbox has stored the workflow's token on the order)."""
    url = f"{shop.api_url}orders/{order_id}/review"
    answer: tuple[int, Any] = (0, None)
    for _ in range(300):
        answer = call(url, "POST", shop.admin_id_token(), decision)
        if answer[0] != 409 or "not opened yet" not in str(answer[1]):
            return answer
        time.sleep(0.1)
    return answer


def _status_becomes(shop: LocalShop, order_id: str, wanted: str) -> dict[str, Any]:
    order: dict[str, Any] = {}
    for _ in range(300):
        status, order = call(f"{shop.api_url}orders/{order_id}", "GET", shop.id_token())
        assert status == 200, order
        if order["status"] == wanted:
            return order
        time.sleep(0.1)
    raise AssertionError(f"order {order_id} is {order.get('status')}, not {wanted}")


def test_an_approved_order_is_placed(shop: LocalShop) -> None:
    order = _order(shop, "TV-BIG")
    assert order["status"] == "PENDING_REVIEW"
    assert _review(shop, order["order_id"], {"decision": "approve"})[0] == 202
    placed = _status_becomes(shop, order["order_id"], "PLACED")
    assert placed["order_id"] == order["order_id"]


def test_a_rejected_order_says_why(shop: LocalShop) -> None:
    order = _order(shop, "TV-BIG")
    answer = _review(shop, order["order_id"], {"decision": "reject", "reason": "out of stock"})
    assert answer[0] == 202, answer
    rejected = _status_becomes(shop, order["order_id"], "REJECTED")
    assert "out of stock" in json.dumps(rejected)


def test_a_shopper_cannot_review_and_a_hold_keeps_it_pending(shop: LocalShop) -> None:
    order = _order(shop, "TV-BIG")
    url = f"{shop.api_url}orders/{order['order_id']}/review"
    assert call(url, "POST", shop.id_token(), {"decision": "approve"})[0] == 403
    assert _review(shop, order["order_id"], {"decision": "hold"})[0] == 202
    status, held = call(f"{shop.api_url}orders/{order['order_id']}", "GET", shop.id_token())
    assert (status, held["status"]) == (200, "PENDING_REVIEW")


def test_a_small_order_starts_no_review(shop: LocalShop) -> None:
    assert shop.review is not None
    before = len(shop.review.executions)
    order = _order(shop, "MUG-1")
    assert order["status"] == "PLACED"
    large = _order(shop, "TV-BIG")  # its review starts after the small order's record
    for _ in range(100):
        if len(shop.review.executions) > before:
            break
        time.sleep(0.1)
    started = shop.review.executions[before:]
    assert len(started) == 1
    execution = boto3.client("stepfunctions").describe_execution(executionArn=started[0])
    assert json.loads(execution["input"])["detail"]["order_id"] == large["order_id"]
