"""What each stage costs a month at zero traffic, from its templates.

Counted: interface VPC endpoints (per Availability Zone, i.e. subnet, and hour), web ACLs
and their rules, CloudWatch alarms (one per metric they read) and dashboards, API caches by
size, customer-managed KMS keys, Secrets Manager secrets, provisioned Kinesis shards or an
on-demand stream's hours, Route 53 health checks. Not counted (zero at zero traffic and
zero data): requests, storage and backups of empty tables and buckets (priced per GB held
in the price table), Glue crawler runs over an empty lake; and, though not zero, the
scheduled jobs' invocations and the requests Route 53's health checkers send to
``/health`` (every 30 s from several regions).
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.cost import prices
from tools.cost.prices import HOURS_PER_MONTH, usd
from tools.cost.stage import Stage


@dataclass(frozen=True)
class IdleLine:
    """One kind of standing resource: how many, of what, USD a month."""

    what: str
    quantity: float
    unit: str
    monthly_usd: float


def _alarm_metrics(props: dict[str, object]) -> int:
    metrics = props.get("Metrics")
    if isinstance(metrics, list):
        return max(1, sum(1 for m in metrics if isinstance(m, dict) and "MetricStat" in m))
    return 1


def idle_lines(stage: Stage) -> list[IdleLine]:
    """The stage's standing monthly costs, largest first, zero lines left out."""
    lines: list[IdleLine] = []

    def add(what: str, quantity: float, unit: str, monthly: float) -> None:
        if quantity:
            lines.append(IdleLine(what, quantity, unit, monthly))

    az_hours = sum(
        len(p.get("SubnetIds", [])) * HOURS_PER_MONTH
        for _, _, p in stage.resources("AWS::EC2::VPCEndpoint")
        if p.get("VpcEndpointType") == "Interface"
    )
    add("interface VPC endpoints", az_hours, "AZ-hours", usd("vpce.az_hour", az_hours))
    acls = list(stage.resources("AWS::WAFv2::WebACL"))
    rules = sum(len(p.get("Rules", [])) for _, _, p in acls)
    add("WAF web ACLs", len(acls), "web ACLs", usd("waf.web_acl", len(acls)))
    add("WAF rules", rules, "rules", usd("waf.rule", rules))
    alarms = sum(_alarm_metrics(p) for _, _, p in stage.resources("AWS::CloudWatch::Alarm"))
    add("CloudWatch alarms", alarms, "alarm metrics", usd("cloudwatch.alarm", alarms))
    dashboards = len(list(stage.resources("AWS::CloudWatch::Dashboard")))
    add("CloudWatch dashboards", dashboards, "dashboards", usd("cloudwatch.dashboard", dashboards))
    for stack, _, p in stage.resources("AWS::ApiGateway::Stage"):
        if p.get("CacheClusterEnabled"):
            size = str(p.get("CacheClusterSize", "0.5"))
            add(
                f"API cache ({stack}, {size} GB)",
                HOURS_PER_MONTH,
                "hours",
                prices.api_cache_month_usd(size),
            )
    keys = len(list(stage.resources("AWS::KMS::Key")))
    add("KMS customer-managed keys", keys, "key-months", usd("kms.key_month", keys))
    secrets = len(list(stage.resources("AWS::SecretsManager::Secret")))
    add("Secrets Manager secrets", secrets, "secret-months", usd("secrets.secret_month", secrets))
    for _, _, p in stage.resources("AWS::Kinesis::Stream"):
        if p.get("StreamModeDetails", {}).get("StreamMode") == "ON_DEMAND":
            add(
                "Kinesis on-demand stream",
                HOURS_PER_MONTH,
                "stream-hours",
                usd("kinesis.ondemand.stream_hour", HOURS_PER_MONTH),
            )
        else:
            hours = int(p.get("ShardCount", 1)) * HOURS_PER_MONTH
            add(
                "Kinesis provisioned shards", hours, "shard-hours", usd("kinesis.shard_hour", hours)
            )
    checks = len(list(stage.resources("AWS::Route53::HealthCheck")))
    add("Route 53 health checks", checks, "checks", usd("route53.health_check", checks))
    return sorted(lines, key=lambda line: -line.monthly_usd)


def idle_total(stage: Stage) -> float:
    return sum(line.monthly_usd for line in idle_lines(stage))
