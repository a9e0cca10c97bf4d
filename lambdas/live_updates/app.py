"""Lambda entry point of the live-updates WebSocket routes: ``$connect``, ``$disconnect``
and ``$default`` (subscribe, unsubscribe, ping)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from live_updates.connections import ConnectionStore
from live_updates.routes import route
from shop_common.observability import logger, tracer


@cache
def _store() -> ConnectionStore:
    return ConnectionStore(
        os.environ["CONNECTIONS_TABLE"], int(os.environ.get("CONNECTION_TTL_SECONDS", "10800"))
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return route(event, _store())
