"""One headless Chromium for every browser test of the session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The session's Playwright ``Browser``; give each test its own context."""
    with chromium() as launched:
        yield launched
