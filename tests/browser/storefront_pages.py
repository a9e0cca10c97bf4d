"""What the storefront's browser tests do on its pages, and read back from its stream."""

from __future__ import annotations

import json
from typing import Any

import boto3
from playwright.sync_api import expect

from tools.local_shop import LocalShop
from tools.local_shop.resources import MFA_CODE

#: How long a page may take to show a change (Playwright's waits and expectations).
TIMEOUT_MS = 10_000


def sign_in(page: Any, shop: LocalShop) -> None:
    email, password = shop.shopper
    page.goto(f"{shop.url}#/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")
    page.fill("#mfa-code", MFA_CODE)  # the pool requires TOTP MFA, as deployed
    page.click("#mfa-submit")
    page.wait_for_selector("#signed-in-as")
    assert page.text_content("#signed-in-as") == email


def add_to_cart(page: Any, shop: LocalShop, sku: str, quantity: int) -> None:
    before = int(page.text_content("#cart-count") or 0) if page.url.startswith(shop.url) else 0
    page.goto(f"{shop.url}#/product/{sku}")
    page.wait_for_selector(f"article[data-sku='{sku}']")
    page.fill("#quantity", str(quantity))
    page.click("#add-to-cart")
    # Playwright's own assertions: the page's CSP forbids the eval of wait_for_function.
    expect(page.locator("#cart-count")).to_have_text(str(before + quantity), timeout=TIMEOUT_MS)


def read_stream(shop: LocalShop) -> list[tuple[str, dict[str, Any]]]:
    kinesis = boto3.client("kinesis")
    (shard,) = kinesis.list_shards(StreamName=shop.stream)["Shards"]
    iterator = kinesis.get_shard_iterator(
        StreamName=shop.stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    return [(r["PartitionKey"], json.loads(r["Data"])) for r in records]


def new_events(shop: LocalShop, seen: set[str], count: int, page: Any) -> list[Any]:
    """The stream's events not in ``seen``, once there are ``count`` (or after 5 s: the
    last batch may be sent with keepalive after the page is gone)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for _ in range(50):
        found = [(k, e) for k, e in read_stream(shop) if e["event_id"] not in seen]
        if len(found) >= count:
            break
        page.wait_for_timeout(100)
    return found


def check_keys(new: list[tuple[str, dict[str, Any]]]) -> None:
    """Each event has its own id and is put with its product as partition key."""
    ids = [event["event_id"] for _, event in new]
    assert len(set(ids)) == len(ids), "every event has its own id"
    assert all(key == event["product_id"] for key, event in new), "partition key: product_id"
