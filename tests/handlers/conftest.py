"""Fixtures the usage-event handler tests share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.tables import create_table_like
from tests.support.usage_counts import TABLE
from tools.assembly import StackArtifact


@pytest.fixture
def metrics_namespace(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shared Powertools ``Metrics`` with a namespace, emptied after the test.

    Handler modules are imported only once the test environment is set: the shared
    Metrics object reads its namespace when it is created. Should it exist already, it
    gets the namespace for this test.
    """
    from shop_common.observability import metrics

    monkeypatch.setattr(metrics, "namespace", metrics.namespace or "ShopTests")
    yield
    metrics.clear_metrics()  # functions called without the handler do not flush them


@pytest.fixture
def table(aws: str, stack_artifacts: dict[str, StackArtifact], metrics_namespace: None) -> Any:
    """The counts table, created in the emulator as the Dev Streaming stack defines it."""
    return create_table_like(stack_artifacts["Dev/Streaming"], "CountsTable", TABLE)
