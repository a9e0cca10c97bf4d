"""The storefront in headless Chromium against the local backend (``tools.local_shop``):
the real handlers in-process on moto, reached over HTTP from another origin (CORS), the
page signing in against moto's Cognito, usage events landing in a moto Kinesis stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.browser.conftest import PRODUCTS
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
    """A fresh page (its own storage: no cart, not signed in) on the storefront."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield opened
    finally:
        context.close()
    assert errors == [], "the page raised or broke its Content-Security-Policy"


def skus(page: Any) -> list[str]:
    page.wait_for_selector("#products li")
    return list(page.eval_on_selector_all("#products li", "items => items.map(i => i.dataset.sku)"))


def orders(shop: LocalShop) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(shop.table_of("TABLE_NAME"))
    items = table.scan()["Items"]
    return [item for item in items if item["sk"] == "ORDER"]


def test_lists_and_pages_through_products(page: Any, shop: LocalShop) -> None:
    page.goto(shop.url)
    assert skus(page) == [p["sku"] for p in PRODUCTS[:8]]
    assert page.is_disabled("#previous-page")
    page.click("#next-page")
    page.wait_for_selector("#products li[data-sku='ITEM-08']")
    assert skus(page) == [p["sku"] for p in PRODUCTS[8:16]]
    page.click("#next-page")
    page.wait_for_selector("#products li[data-sku='ITEM-16']")
    assert skus(page) == [p["sku"] for p in PRODUCTS[16:]]
    assert page.is_disabled("#next-page"), "the last page has no next one"
    page.click("#previous-page")
    page.wait_for_selector("#products li[data-sku='ITEM-08']")
    assert skus(page) == [p["sku"] for p in PRODUCTS[8:16]]


def test_product_page_and_cart(page: Any, shop: LocalShop) -> None:
    page.goto(shop.url)
    page.click("#products li[data-sku='ITEM-03'] a")
    page.wait_for_selector("article[data-sku='ITEM-03']")
    assert page.text_content("article h1") == "Item 03"
    assert page.text_content("article .price") == "$5.75"
    add_to_cart(page, shop, "ITEM-03", 2)
    page.click("#cart-link")
    page.wait_for_selector("#cart-lines")
    assert page.text_content("#cart-lines tbody tr[data-sku='ITEM-03'] td:nth-child(2)") == "2"
    assert page.text_content(".total") == "Total $11.50"
    assert page.is_visible("#sign-in-to-order"), "ordering needs a signed-in shopper"


def test_a_double_click_places_one_order(page: Any, shop: LocalShop) -> None:
    before = {o["order_id"] for o in orders(shop)}
    sign_in(page, shop)
    add_to_cart(page, shop, "ITEM-05", 3)
    page.goto(f"{shop.url}#/cart")
    posts: list[Any] = []
    page.on(
        "request", lambda r: posts.append(r) if r.method == "POST" and "/orders" in r.url else None
    )
    page.dblclick("#place-order")
    page.wait_for_selector("#order-id")
    placed = [o for o in orders(shop) if o["order_id"] not in before]
    assert len(placed) == 1, placed
    assert page.text_content("#order-id") == placed[0]["order_id"]
    assert page.text_content("#order-status") == "PLACED"
    assert [(i["sku"], int(i["quantity"])) for i in placed[0]["items"]] == [("ITEM-05", 3)]
    assert len(posts) == 1, "the second click must not send another order"
    assert page.text_content("#cart-count") == "0"


def test_errors_are_shown_and_a_retry_reuses_the_key(page: Any, shop: LocalShop) -> None:
    page.route(
        "**/v1/products?*",
        lambda route: route.fulfill(status=500, body='{"message": "Internal server error"}'),
    )
    page.goto(shop.url)
    page.wait_for_selector("#message:not([hidden])")
    assert "Internal server error" in page.text_content("#message-text")
    assert "error" in page.get_attribute("#message", "class")
    page.unroute("**/v1/products?*")

    before = {o["order_id"] for o in orders(shop)}
    sign_in(page, shop)
    add_to_cart(page, shop, "ITEM-07", 1)
    page.goto(f"{shop.url}#/cart")
    keys: list[str] = []

    def offline(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        route.abort("internetdisconnected")

    page.route("**/v1/orders", offline)
    page.click("#place-order")
    page.wait_for_selector("#message:not([hidden])")
    assert "could not be reached" in page.text_content("#message-text")
    assert page.is_enabled("#place-order"), "the person can try again"
    assert [o for o in orders(shop) if o["order_id"] not in before] == []
    page.unroute("**/v1/orders")
    with page.expect_request("**/v1/orders") as retried:
        page.click("#place-order")
    page.wait_for_selector("#order-id")
    assert retried.value.headers["idempotency-key"] == keys[0], "one key per checkout attempt"
    assert len([o for o in orders(shop) if o["order_id"] not in before]) == 1


def without_identity_pool(page: Any) -> None:
    """Serve the page a ``config.json`` without the identity pool: the page then posts its
    events to the events API (its fallback; ``test_direct_events.py`` tests the direct
    path)."""

    def strip(route: Any) -> None:
        response = route.fetch()
        config = {k: v for k, v in response.json().items() if k not in IDENTITY_KEYS}
        route.fulfill(response=response, json=config)

    page.route("**/config.json", strip)


IDENTITY_KEYS = ("identityPoolId", "identityEndpoint", "eventsStream", "kinesisEndpoint")


def test_signed_in_view_and_cart_events_reach_the_stream(page: Any, shop: LocalShop) -> None:
    without_identity_pool(page)
    seen = {event["event_id"] for _, event in read_stream(shop)}
    add_to_cart(page, shop, "ITEM-10", 1)  # signed out: not recorded
    sign_in(page, shop)
    with page.expect_response("**/ingest/v1/records", timeout=TIMEOUT_MS) as sent:
        add_to_cart(page, shop, "ITEM-11", 1)
        add_to_cart(page, shop, "ITEM-12", 1)
    # Accepted with the shopper's ID token (the stand-in refuses a token it cannot verify).
    assert sent.value.status == 200
    assert sent.value.request.headers["authorization"].count(".") == 2
    page.goto("about:blank")  # leaving the page: what is still queued goes on pagehide
    new = new_events(shop, seen, 4, page)
    mine = sorted((e["event_type"], e["product_id"]) for _, e in new)
    assert mine == [
        ("add_to_cart", "ITEM-11"),
        ("add_to_cart", "ITEM-12"),
        ("view", "ITEM-11"),
        ("view", "ITEM-12"),
    ]
    check_keys(new)


def test_an_order_the_api_refuses_is_told_and_not_placed(page: Any, shop: LocalShop) -> None:
    shop.add_products([{"sku": "GONE-1", "name": "Withdrawn", "price_cents": 100}])
    table = boto3.resource("dynamodb").Table(shop.table_of("TABLE_NAME"))
    before = {o["order_id"] for o in orders(shop)}
    sign_in(page, shop)
    try:
        add_to_cart(page, shop, "GONE-1", 1)
    finally:  # withdrawn while in the cart
        table.delete_item(Key={"pk": "PRODUCT", "sk": "GONE-1"})
    page.goto(f"{shop.url}#/cart")
    page.click("#place-order")
    page.wait_for_selector("#message.error:not([hidden])")
    text = page.text_content("#message-text") or ""
    assert "was not placed" in text
    assert "unknown product(s): GONE-1 (HTTP 400)" in text
    assert [o for o in orders(shop) if o["order_id"] not in before] == []
