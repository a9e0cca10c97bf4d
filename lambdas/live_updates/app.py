"""Lambda entry point of the live-updates WebSocket routes: ``$connect``, ``$disconnect``
and ``$default`` (subscribe, unsubscribe, ping, and a snapshot of the counters when
``COUNTS_TABLE`` names their table)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from live_updates.connections import ConnectionStore
from live_updates.routes import Snapshots, route
from live_updates.snapshot import CountsReader
from shop_common.observability import logger, tracer


@cache
def _store() -> ConnectionStore:
    return ConnectionStore(
        os.environ["CONNECTIONS_TABLE"], int(os.environ.get("CONNECTION_TTL_SECONDS", "10800"))
    )


@cache
def _snapshots() -> Snapshots:
    table = os.environ.get("COUNTS_TABLE")
    return CountsReader(table).page if table else None


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return route(event, _store(), _snapshots())
