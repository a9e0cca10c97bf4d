"""Products: validating requests and shaping items. Plain functions, no AWS calls."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Partition key value under which every product item is stored (sort key: the SKU).
PRODUCT_PARTITION = "PRODUCT"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")


class InvalidProductError(ValueError):
    """A request that does not describe a valid product (answered with 400)."""


@dataclass(frozen=True)
class Product:
    """One product of the catalogue; prices in cents avoid floating point."""

    sku: str
    name: str
    price_cents: int
    description: str
    created_at: str

    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item."""
        return {"pk": PRODUCT_PARTITION, "sk": self.sku, **self.to_json()}

    def to_json(self) -> dict[str, Any]:
        """The API representation."""
        return {
            "sku": self.sku,
            "name": self.name,
            "price_cents": self.price_cents,
            "description": self.description,
            "created_at": self.created_at,
        }


def parse_new_product(body: Mapping[str, Any], now: datetime) -> Product:
    """A ``Product`` from a create request; ``InvalidProductError`` names what is wrong."""
    missing = [field for field in ("sku", "name", "price_cents") if field not in body]
    if missing:
        raise InvalidProductError(f"missing field(s): {', '.join(missing)}")
    sku = body["sku"]
    if not isinstance(sku, str) or not _SKU.match(sku):
        raise InvalidProductError("sku must be 2-32 upper-case letters, digits or '-'")
    name = body["name"]
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
        raise InvalidProductError("name must be a non-empty string of at most 200 characters")
    price = body["price_cents"]
    if isinstance(price, bool) or not isinstance(price, int) or not 1 <= price <= 10_000_000:
        raise InvalidProductError("price_cents must be an integer from 1 to 10000000")
    description = body.get("description", "")
    if not isinstance(description, str) or len(description) > 2000:
        raise InvalidProductError("description must be a string of at most 2000 characters")
    return Product(
        sku=sku,
        name=name.strip(),
        price_cents=price,
        description=description,
        created_at=now.isoformat(timespec="seconds"),
    )


def product_from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """The API representation of a stored item (DynamoDB numbers come back as Decimal)."""
    return {
        "sku": str(item["sk"]),
        "name": str(item["name"]),
        "price_cents": int(item["price_cents"]),
        "description": str(item.get("description", "")),
        "created_at": str(item.get("created_at", "")),
    }


def parse_page_size(value: str | None) -> int:
    """The ``limit`` query parameter: 1..100, default 20."""
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise InvalidProductError(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}")
    return int(value)
