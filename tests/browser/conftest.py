"""One headless Chromium for every browser test of the session; one local backend per
module (``tools.local_shop``, on the session's moto, with Dev's templates)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import chromium
from tools.assembly import StackArtifact
from tools.local_shop import LocalShop
from tools.local_shop.shop import running

#: 20 products: with the page's 8 per page, three pages (8, 8, 4).
PRODUCTS = [
    {"sku": f"ITEM-{i:02d}", "name": f"Item {i:02d}", "price_cents": 500 + 25 * i}
    for i in range(20)
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The session's Playwright ``Browser``; give each test its own context."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def shop(aws_endpoint: str, stack_artifacts: dict[str, StackArtifact]) -> Iterator[LocalShop]:
    """The storefront and its local backend, with :data:`PRODUCTS` in the catalogue."""
    with running(
        web_template=stack_artifacts["Dev/Web"].template(), endpoint=aws_endpoint
    ) as local:
        local.add_products(PRODUCTS)
        yield local
