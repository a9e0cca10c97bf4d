"""Capacity per entry point of a stage: what rate its templates allow, the first limit it
hits, and what a month at the seed's 25 billion requests (and at 1 %) would cost.

The ingest API's figures come from :mod:`tools.capacity` (the usage-event path); the
other entry points are read here from their stages and functions with the same published
limits: a method's throttle (its own or the stage's), Lambda's reserved concurrency over
the handler's measured duration (the local figure, see :mod:`tools.cost.runs`), the
account's regional quotas (API Gateway 10,000 requests/s shared by every API, Lambda 1,000
concurrent executions, WebSocket 500 new connections/s), and a DynamoDB partition's 3,000
read units/s for the product list (every product sits in one partition).
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.capacity import (
    API_REGIONAL_RATE_QUOTA,
    LAMBDA_CONCURRENCY_QUOTA,
    Capacity,
    streaming_capacity,
)
from tools.capacity_template import _stage_default, waf_rate
from tools.cost import prices
from tools.cost.actions import ActionCost
from tools.cost.runs import Measured
from tools.cost.stage import Stage

SEED_MONTHLY_REQUESTS = 25e9
WEBSOCKET_CONNECT_QUOTA = 500
PARTITION_READ_UNITS = 3_000
#: Limits an account owner can have raised (Service Quotas) before launch.
ACCOUNT_QUOTAS = (
    "API Gateway account rate",
    "Lambda account concurrency",
    "WebSocket new connections",
)


@dataclass(frozen=True)
class EntryPoint:
    """One entry point's rates (requests/s) by limit, its burst, and its action's cost."""

    name: str
    limits: dict[str, float]
    burst: float
    waf_per_ip: float | None
    request_usd: float  # one request, at the first REST tier
    api_usd: float  # of which API Gateway
    rest_api: bool = True  # priced through the REST request tiers

    @property
    def sustained(self) -> float:
        return min(self.limits.values())

    @property
    def first_limit(self) -> str:
        return min(self.limits, key=lambda k: self.limits[k])

    def monthly_usd(self, requests: float) -> float:
        """``requests`` a month: the API's tiers plus everything else per request."""
        tiered = prices.rest_requests_usd(requests) if self.rest_api else 0.0
        return tiered + (self.request_usd - self.api_usd) * requests


def _lambda_rate(function: dict[str, object], duration_ms: float) -> dict[str, float]:
    seconds = max(duration_ms, 1.0) / 1000
    rates = {"Lambda account concurrency": LAMBDA_CONCURRENCY_QUOTA / seconds}
    reserved = function.get("ReservedConcurrentExecutions")
    if isinstance(reserved, int):
        rates["function reserved concurrency"] = reserved / seconds
    return rates


def _rest(stage: Stage, stack: str) -> tuple[float, float]:
    default = _stage_default(stage.rest_stage(stack))
    return float(default.get("ThrottlingRateLimit", 10_000)), float(
        default.get("ThrottlingBurstLimit", 5_000)
    )


def entry_points(
    stage: Stage, measured: list[Measured], costs: list[ActionCost]
) -> list[EntryPoint]:
    by_action = {m.scenario.action: m for m in measured}
    cost_of = {c.action: c for c in costs}
    found = []
    for name, stack, action in (
        ("shop API", "Web", "product page view"),
        ("catalog search API", "DataLake", "search"),
    ):
        run = by_action[action]
        rate, burst = _rest(stage, stack)
        limits = {
            "stage throttle": rate,
            "API Gateway account rate": float(API_REGIONAL_RATE_QUOTA),
        }
        limits.update(_lambda_rate(stage.function(stack, run.scenario.handler), run.duration_ms))
        if action == "product page view":
            lister = by_action["product list page"]
            limits["one DynamoDB partition (list pages)"] = PARTITION_READ_UNITS / max(
                lister.rru, 0.5
            )
        resources = stage.templates[stack]["Resources"]
        cost = cost_of[action]
        found.append(
            EntryPoint(
                name, limits, burst, waf_rate(resources), cost.total, cost.lines["API Gateway"]
            )
        )
    capacity: Capacity = streaming_capacity(stage.templates["Streaming"])
    usage = cost_of["usage event"]
    found.append(
        EntryPoint(
            "ingest API (POST /record)",
            {
                "method throttle": capacity.single_requests,
                "stream writes": capacity.write_events(),
                "consumer at its timeout": capacity.consumer_records,
                "counts table writes": capacity.table_writes,
                "API Gateway account rate": float(API_REGIONAL_RATE_QUOTA),
            },
            _rest(stage, "Streaming")[1],
            capacity.waf_requests_per_ip,
            usage.total,
            usage.lines["API Gateway"],
        )
    )
    ((_, _, ws),) = list(stage.resources("AWS::ApiGatewayV2::Stage"))
    settings = ws.get("DefaultRouteSettings", {})
    message = prices.PRICES["apigw.ws.message"].usd
    found.append(
        EntryPoint(
            "WebSocket (messages)",
            {
                "stage throttle": float(settings.get("ThrottlingRateLimit", 10_000)),
                "API Gateway account rate": float(API_REGIONAL_RATE_QUOTA),
                "WebSocket new connections": float(WEBSOCKET_CONNECT_QUOTA),
            },
            float(settings.get("ThrottlingBurstLimit", 5_000)),
            None,
            message,
            0.0,
            rest_api=False,
        )
    )
    return found
