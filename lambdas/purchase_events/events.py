"""Which usage events a new order makes: plain functions, no AWS calls.

An order is one ``purchase`` event per line (per product), whose event id is the order's
id with the product's SKU, so the same order always makes the same ids (a record's
redelivery makes the same events, never new ones).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from shop_common.usage_events import (
    MAX_ID_LENGTH,
    InvalidUsageEventError,
    UsageEvent,
    parse_usage_event,
)

#: The item's sort key that marks an order (``lambdas/orders/orders.py``).
ORDER_SORT_KEY = "ORDER"


class NotAnOrderError(ValueError):
    """The stream record is not a new order (another item, or an order without lines)."""


def event_id(order_id: str, sku: str) -> str:
    """``<order id>:<sku>``; a SKU too long for the id's limit is replaced by its hash."""
    plain = f"{order_id}:{sku}"
    if len(plain) <= MAX_ID_LENGTH:
        return plain
    return f"{order_id}:{hashlib.sha256(sku.encode()).hexdigest()[:32]}"


def purchase_events(order: Mapping[str, Any]) -> list[UsageEvent]:
    """The purchase events of a stored order item (as the table holds it, deserialised)."""
    if order.get("sk") != ORDER_SORT_KEY:
        raise NotAnOrderError(f"item {order.get('pk')!r}/{order.get('sk')!r} is not an order")
    order_id, lines = order.get("order_id"), order.get("items")
    if not isinstance(order_id, str) or not isinstance(lines, list) or not lines:
        raise NotAnOrderError(f"order item {order.get('pk')!r} has no order_id or no lines")
    events = []
    for line in lines:
        sku = line.get("sku") if isinstance(line, Mapping) else None
        if not isinstance(sku, str):
            raise NotAnOrderError(f"order {order_id} has a line without a sku")
        raw = {
            "event_id": event_id(order_id, sku),
            "event_type": "purchase",
            "occurred_at": order.get("created_at"),
            "product_id": sku,
        }
        try:
            events.append(parse_usage_event(json.dumps(raw).encode()))
        except InvalidUsageEventError as error:
            raise NotAnOrderError(f"order {order_id}: {error}") from None
    return events
