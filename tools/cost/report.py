"""The cost report as Markdown: per-action tables per stage, idle costs, capacity."""

from __future__ import annotations

from dataclasses import dataclass

from tools.capacity import API_REGIONAL_RATE_QUOTA, LAMBDA_CONCURRENCY_QUOTA
from tools.cost import prices
from tools.cost.actions import PLATFORM_LOG_BYTES, TRACED_SHARE, ActionCost
from tools.cost.capacity import ACCOUNT_QUOTAS, SEED_MONTHLY_REQUESTS, EntryPoint
from tools.cost.idle import IdleLine
from tools.cost.runs import RUNS, Measured

SERVICES = (
    "API Gateway",
    "WAF",
    "Lambda",
    "DynamoDB",
    "Kinesis",
    "Firehose",
    "S3",
    "Step Functions",
    "Rekognition",
    "CloudWatch Logs",
    "X-Ray",
    "SQS",
    "SNS",
    "KMS",
)


def services_used(costs: list[ActionCost]) -> list[str]:
    return [s for s in SERVICES if any(c.lines.get(s) for c in costs)]


def per_million(value: float) -> str:
    return f"{value * 1e6:,.2f}" if value else "-"


def action_table(costs: list[ActionCost]) -> list[str]:
    used = services_used(costs)
    lines = [
        "| action (USD per million) | " + " | ".join(used) + " | total |",
        "|---|" + "---:|" * (len(used) + 1),
    ]
    for cost in costs:
        cells = [per_million(cost.lines.get(s, 0.0)) for s in used]
        lines.append(
            f"| {cost.action} | " + " | ".join(cells) + f" | **{cost.total * 1e6:,.2f}** |"
        )
    return lines


def calls_table(measured: list[Measured]) -> list[str]:
    lines = [
        "| handler run | AWS calls per invocation (counted against moto) "
        "| DynamoDB read / write units | duration, local (ms) | invocations per action |",
        "|---|---|---:|---:|---:|",
    ]
    for m in measured:
        calls = ", ".join(f"{s} {op} x{n}" for (s, op), n in sorted(m.operations.items())) or "none"
        lines.append(
            f"| {m.scenario.action}: `{m.scenario.handler}` | {calls} | {m.rru:g} / {m.wru:g} "
            f"| {m.duration_ms:,.0f} | {m.scenario.share:g} |"
        )
    return lines


@dataclass(frozen=True)
class StageReport:
    """Everything the report says about one stage."""

    name: str
    costs: list[ActionCost]
    idle: list[IdleLine]
    in_use: list[IdleLine]
    points: list[EntryPoint]
    quotas: dict[str, dict[str, int]]  # region -> what the stage needs (tools.capacity)

    @property
    def fixed_usd(self) -> float:
        """A month's standing cost once in use: idle plus the custom metrics."""
        return sum(line.monthly_usd for line in [*self.idle, *self.in_use])


def idle_table(lines_: list[IdleLine], label: str = "total at zero traffic") -> list[str]:
    total = sum(line.monthly_usd for line in lines_)
    rows = ["| standing resource | quantity | USD a month |", "|---|---:|---:|"]
    rows += [
        f"| {line.what} | {line.quantity:,.0f} {line.unit} | {line.monthly_usd:,.2f} |"
        for line in lines_
    ]
    rows.append(f"| **{label}** | | **{total:,.2f}** |")
    return rows


def capacity_table(points: list[EntryPoint], idle: float) -> list[str]:
    seed = SEED_MONTHLY_REQUESTS
    need = seed / prices.SECONDS_PER_MONTH
    rows = [
        f"| entry point | sustained (req/s) | burst | first limit | WAF per IP (req/s) "
        f"| USD a month at {seed / 1e9:g} billion | at 1 % "
        f"| account quotas to raise for {need:,.0f} req/s |",
        "|---|---:|---:|---|---:|---:|---:|---|",
    ]
    for p in points:
        raise_ = [
            f"{k} ({v:,.0f}/s)" for k, v in p.limits.items() if k in ACCOUNT_QUOTAS and v < need
        ]
        per_ip = f"{p.waf_per_ip:,.1f}" if p.waf_per_ip else "-"
        rows.append(
            f"| {p.name} | {p.sustained:,.0f} | {p.burst:,.0f} | {p.first_limit} | {per_ip} "
            f"| {p.monthly_usd(seed) + idle:,.0f} | {p.monthly_usd(seed / 100) + idle:,.0f} "
            f"| {', '.join(raise_) or 'none'} |"
        )
    return rows


def _region(region: str) -> str:
    return (
        "the region deployed to (the stage is environment-agnostic)"
        if region == "agnostic"
        else region
    )


def quota_lines(quotas: dict[str, dict[str, int]]) -> list[str]:
    """The account quotas the stage's templates need, per region, beside AWS's defaults."""
    lines = []
    for region, need in sorted(quotas.items()):
        over = [
            what
            for what, value, default in (
                ("API Gateway", need["api_rate"], API_REGIONAL_RATE_QUOTA),
                ("Lambda", need["lambda_concurrency"], LAMBDA_CONCURRENCY_QUOTA),
            )
            if value > default
        ]
        lines.append(
            f"- Account quotas in {_region(region)} (every stack of the stage): API Gateway "
            f"{need['api_rate']:,} requests/s of stage throttles (default quota "
            f"{API_REGIONAL_RATE_QUOTA:,}, shared by every API), Lambda "
            f"{need['lambda_concurrency']:,} concurrent executions reserved or kept "
            f"unreserved (default {LAMBDA_CONCURRENCY_QUOTA:,})"
            + (f": raise {' and '.join(over)} before launch." if over else ".")
        )
    return lines


def markdown(
    stages: list[StageReport],
    measured: list[Measured],
    images: str = "docs/cost/",
) -> str:
    """The whole report; the charts' paths start with ``images``."""
    out = [
        f"Prices: AWS on-demand, {prices.REGION}, as published on {prices.TAKEN} "
        "(`tools/cost/prices.py`, each with its pricing page; re-check them there). "
        f"Lambda durations are the handlers' median of {RUNS} warm runs on this machine "
        f"against moto (the local figure); Lambda adds {PLATFORM_LOG_BYTES} bytes of "
        f"platform log lines per invocation; X-Ray records {TRACED_SHARE:.0%} of requests; "
        "cached GETs are priced as cache misses. An order is one row: one at or below the "
        "review amount; a reviewed order's pipe event, workflow, inbox and review calls "
        "are not priced. The idle cost leaves out storage and backups (nothing without "
        "data), the scheduled jobs' invocations and the API requests of Route 53's health "
        "checks (their checkers call `/health` every 30 s from several regions). "
        "Generated by `make cost`.",
        "",
        "### Calls each handler makes (the same in every stage)",
        "",
        *calls_table(measured),
    ]
    for stage in stages:
        name = stage.name
        out += [
            "",
            f"### {name}: cost per user action (prices of {prices.TAKEN})",
            "",
            *action_table(stage.costs),
            "",
            f"![{name}: cost per action by service]({images}{name.lower()}.svg)",
            "",
            f"#### {name}: a month at zero traffic (prices of {prices.TAKEN})",
            "",
            *idle_table(stage.idle),
            "",
            f"#### {name}: a month once in use, at any traffic (prices of {prices.TAKEN})",
            "",
            *idle_table(stage.in_use, "total once in use"),
            "",
            f"#### {name}: capacity per entry point (monthly cost includes the "
            f"{stage.fixed_usd:,.0f} USD of the two tables above)",
            "",
            *capacity_table(stage.points, stage.fixed_usd),
            "",
            *quota_lines(stage.quotas),
        ]
    return "\n".join(out) + "\n"
