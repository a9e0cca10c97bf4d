"""Benchmark rows of Prod's capacity for usage events: read from Prod's synthesized templates.

- the latency budget from ingest to counts, worst case (each batch taking the whole
  timeout), computed from the template's settings, against the 10-second budget;
- the same budget with the time a batch of Prod's size takes, measured here (the
  aggregator's code against DynamoDB in a local moto server, counts checked);
- what each part of the path carries, in events per second, from the template.

    python -m tools.bench_capacity
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tools import bench_stream
from tools.capacity import Capacity, stage_capacity
from tools.cdk_context import ROOT, cli_context
from tools.measure import local_aws
from tools.moto_server import reset

STAGE = "prod"
BUDGET_SECONDS = 10


def rows() -> list[tuple[str, str]]:
    """(label, measured value) rows for the benchmark table."""
    capacity = _prod_capacity()
    batch_seconds = _measured_batch_seconds(capacity.records_per_batch)
    budget = capacity.latency_budget()
    worst = sum(budget.values())
    measured = budget["poll"] + budget["batching window"] + batch_seconds
    measured_rate = (capacity.shards or 0) * capacity.records_per_batch / batch_seconds
    return [
        (
            "Prod: ingest to counts, worst case from the template (s, budget 10)",
            " + ".join(f"{seconds:g} {part}" for part, seconds in budget.items())
            + f" = {worst:g}"
            + (" (over budget)" if worst >= BUDGET_SECONDS else ""),
        ),
        (
            f"Prod: ingest to counts, with a {capacity.records_per_batch:,}-record batch's "
            "measured time against moto (s)",
            f"{budget['poll']:g} poll + {budget['batching window']:g} batching window + "
            f"{batch_seconds:.2f} batch = {measured:.2f}",
        ),
        (
            "Prod: events/s each part carries, from the template (target 10,000)",
            f"stream {capacity.write_events():,.0f}; POST /record {capacity.single_requests:,.0f}; "
            f"POST /records {capacity.batch_events():,.0f}; aggregator "
            f"{capacity.consumer_records:,.0f} at the timeout, {measured_rate:,.0f} at the "
            f"measured batch time; counts table {capacity.table_writes:,.0f} writes",
        ),
    ]


def _prod_capacity() -> Capacity:
    """Synthesize Prod as ``cdk synth`` would (``app.py`` in a fresh process) and read it."""
    with tempfile.TemporaryDirectory() as out:
        env = {
            **os.environ,
            "CDK_OUTDIR": out,
            "CDK_CONTEXT_JSON": json.dumps(cli_context(stage=STAGE)),
        }
        subprocess.run(
            [sys.executable, "app.py"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        capacity, _ = stage_capacity(Path(out), STAGE.title())
    return capacity


def _measured_batch_seconds(records: int) -> float:
    """Seconds the aggregator takes for one batch of ``records`` (counts checked)."""
    bench_stream._import_handlers()
    batch = bench_stream.kinesis_records(records)
    with local_aws() as endpoint:
        try:
            run = bench_stream._aggregator(batch)
        finally:
            reset(endpoint)  # moto's state outlives its server in this process
    return records / run.rate


if __name__ == "__main__":
    for label, value in rows():
        print(f"| {label} | {value} |")
