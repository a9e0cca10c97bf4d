"""What a stage pays each month once it has any traffic: CloudWatch custom metrics.

A custom metric is billed for every month it receives a value, whatever the traffic:
the handlers' own metrics (embedded metric format, as measured against moto, one set per
function since each function's ``service`` dimension is its own), and API Gateway's
detailed per-method metrics where a stage enables them (``MetricsEnabled``; seven each:
Count, 4XXError, 5XXError, Latency, IntegrationLatency, CacheHitCount, CacheMissCount).
"""

from __future__ import annotations

from tools.capacity_template import _stage_default
from tools.cost.idle import IdleLine
from tools.cost.prices import usd
from tools.cost.runs import Measured
from tools.cost.stage import Stage

API_METRICS_PER_METHOD = 7


def in_use_lines(stage: Stage, measured: list[Measured]) -> list[IdleLine]:
    """Custom metrics a month once the stage is used, zero lines left out."""
    lines = []
    functions = {(m.scenario.stack, m.scenario.handler): set[str]() for m in measured}
    for m in measured:
        functions[(m.scenario.stack, m.scenario.handler)] |= m.metrics
    own = sum(len(names) for names in functions.values())
    if own:
        lines.append(
            IdleLine("handlers' custom metrics", own, "metrics", usd("cloudwatch.metric", own))
        )
    methods = 0
    for stack, _, props in stage.resources("AWS::ApiGateway::Stage"):
        if _stage_default(props).get("MetricsEnabled"):
            methods += sum(
                1
                for where, _, method in stage.resources("AWS::ApiGateway::Method")
                if where == stack and method.get("HttpMethod") != "OPTIONS"
            )
    count = methods * API_METRICS_PER_METHOD
    if count:
        lines.append(
            IdleLine(
                f"API Gateway detailed metrics ({methods} methods)",
                count,
                "metrics",
                usd("cloudwatch.metric", count),
            )
        )
    return lines
