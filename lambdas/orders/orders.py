"""Orders: validating requests and pricing them. Plain functions, no AWS calls."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

ORDER_SORT_KEY = "ORDER"
#: An order's statuses: placed at once, or held for a person's review, which places,
#: rejects or (unanswered in time) cancels it (``lambdas/order_review``).
PLACED = "PLACED"
PENDING_REVIEW = "PENDING_REVIEW"
MAX_LINES = 50
MAX_QUANTITY = 100
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")


class InvalidOrderError(ValueError):
    """A request that does not describe a valid order (answered with 400)."""


def order_partition(order_id: str) -> str:
    """Partition key of an order item."""
    return f"ORDER#{order_id}"


def check_idempotency_key(value: str | None) -> str:
    """The ``Idempotency-Key`` header: 8..128 safe characters (a UUID fits)."""
    if not value:
        raise InvalidOrderError("the Idempotency-Key header is required")
    if not _KEY.match(value):
        raise InvalidOrderError("Idempotency-Key must be 8-128 letters, digits or '_.:-'")
    return value


def parse_order_lines(body: Mapping[str, Any]) -> dict[str, int]:
    """``{"items": [{"sku", "quantity"}]}`` -> quantity by SKU (repeated SKUs add up)."""
    items = body.get("items")
    if items is None:
        raise InvalidOrderError("missing field: items")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_LINES:
        raise InvalidOrderError(f"items must be a list of 1 to {MAX_LINES} lines")
    lines: dict[str, int] = {}
    for position, line in enumerate(items):
        if not isinstance(line, dict) or "sku" not in line or "quantity" not in line:
            raise InvalidOrderError(f"items[{position}] needs sku and quantity")
        sku, quantity = line["sku"], line["quantity"]
        if not isinstance(sku, str) or not sku:
            raise InvalidOrderError(f"items[{position}].sku must be a non-empty string")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise InvalidOrderError(f"items[{position}].quantity must be a positive integer")
        lines[sku] = lines.get(sku, 0) + quantity
        if lines[sku] > MAX_QUANTITY:
            raise InvalidOrderError(f"at most {MAX_QUANTITY} of one product per order")
    return lines


def price_order(
    lines: Mapping[str, int],
    products: Mapping[str, Mapping[str, Any]],
    *,
    customer: str,
    created_at: str,
    order_id: str | None = None,
    review_above_cents: int | None = None,
) -> dict[str, Any]:
    """The order (API representation) for ``lines`` at the products' current prices:
    ``PENDING_REVIEW`` when its total is above ``review_above_cents`` (a person approves
    it first), else ``PLACED``. Default: no review."""
    unknown = sorted(set(lines) - set(products))
    if unknown:
        raise InvalidOrderError(f"unknown product(s): {', '.join(unknown)}")
    priced = [
        {
            "sku": sku,
            "name": str(products[sku]["name"]),
            "quantity": quantity,
            "unit_price_cents": int(products[sku]["price_cents"]),
        }
        for sku, quantity in sorted(lines.items())
    ]
    total = sum(quantity * int(products[sku]["price_cents"]) for sku, quantity in lines.items())
    held = review_above_cents is not None and total > review_above_cents
    return {
        "order_id": order_id or str(uuid.uuid4()),
        "customer": customer,
        "status": PENDING_REVIEW if held else PLACED,
        "items": priced,
        "total_cents": total,
        "created_at": created_at,
    }


def order_item(order: Mapping[str, Any]) -> dict[str, Any]:
    """The DynamoDB item of an order."""
    return {"pk": order_partition(order["order_id"]), "sk": ORDER_SORT_KEY, **order}


def order_from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """The API representation of a stored order (Decimals back to ints); a reviewed
    order's ``reason`` too, never its review's task token."""
    reason = {"reason": str(item["reason"])} if "reason" in item else {}
    return {
        "order_id": str(item["order_id"]),
        "customer": str(item["customer"]),
        "status": str(item["status"]),
        "items": [
            {
                "sku": str(line["sku"]),
                "name": str(line["name"]),
                "quantity": int(line["quantity"]),
                "unit_price_cents": int(line["unit_price_cents"]),
            }
            for line in item["items"]
        ],
        "total_cents": int(item["total_cents"]),
        "created_at": str(item["created_at"]),
        **reason,
    }
