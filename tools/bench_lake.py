"""Benchmark rows of the data-lake pattern.

- synthesis of the dev ``DataLake`` stack (jsii already started, cdk-nag on), median of 3;
- catalog indexer throughput: S3 object-created events indexed per second end to end
  (tags read from S3, one DynamoDB transaction per object) against a local moto server,
  with the catalog table created from the synthesized template;

    python -m tools.bench_lake
"""

from __future__ import annotations

import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tools.assembly import StackArtifact, stacks
from tools.measure import LAMBDAS, local_aws

OBJECTS = 300
SYNTH_RUNS = 3
DATASETS = ("usage-events", "orders", "products")


def rows() -> list[tuple[str, str]]:
    """(label, value) rows for the benchmark table."""
    with tempfile.TemporaryDirectory() as out:
        seconds, stack = _synthesize(Path(out))
        rate = _indexer_rate(stack)
    return [
        (
            f"DataLake: synthesis of the dev DataLake stack, cdk-nag on (median of {SYNTH_RUNS})",
            f"{seconds:.2f} s",
        ),
        (
            f"DataLake: catalog indexer, {OBJECTS} object events against moto",
            f"{rate:.0f} events/s",
        ),
    ]


def _synthesize(out: Path) -> tuple[float, StackArtifact]:
    import aws_cdk as cdk

    from stacks import DEV
    from stacks.compliance import add_compliance_checks
    from stacks.data_lake import DataLakeStack
    from stacks.function_settings import function_defaults
    from tools.cdk_context import cli_context

    cdk.App()  # start the jsii runtime outside the measurement
    timings = []
    for run in range(SYNTH_RUNS):
        started = time.perf_counter()
        app = cdk.App(outdir=str(out / str(run)), context=cli_context())
        stage = cdk.Stage(app, DEV.stage_id)
        function_defaults(DEV).apply_to(stage)
        add_compliance_checks(stage, DEV)
        DataLakeStack(stage, "DataLake", config=DEV)
        app.synth()
        timings.append(time.perf_counter() - started)
    [stack] = stacks(out / "0")
    return statistics.median(timings), stack


def _indexer_rate(stack: StackArtifact) -> float:
    if str(LAMBDAS) not in sys.path:
        sys.path.insert(0, str(LAMBDAS))
    with local_aws():
        import boto3
        from catalog_indexer.app import index_event
        from catalog_indexer.catalog import CatalogTable, LakeObjects

        from tests.support.tables import create_table_like

        create_table_like(stack, "CatalogTable", "bench-catalog")
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bench-raw")
        events = []
        for n in range(OBJECTS):
            key = f"{DATASETS[n % 3]}/dt=2026-11-{n % 28 + 1:02d}/part-{n}.json"
            s3.put_object(Bucket="bench-raw", Key=key, Body=b"{}", Tagging="team=shop&pii=no")
            events.append(
                {
                    "source": "aws.s3",
                    "detail-type": "Object Created",
                    "time": "2026-11-23T10:00:00Z",
                    "detail": {
                        "bucket": {"name": "bench-raw"},
                        "object": {"key": key, "size": 2, "sequencer": f"{n + 1:X}"},
                    },
                }
            )
        catalog, objects, zones = CatalogTable("bench-catalog"), LakeObjects(), {"bench-raw": "raw"}
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the handlers' metric lines
            outcomes = [index_event(event, catalog, objects, zones) for event in events]
        elapsed = time.perf_counter() - started
    if outcomes.count("indexed") != OBJECTS:
        raise RuntimeError(f"the indexer did not index every benchmark object: {set(outcomes)}")
    return OBJECTS / elapsed


if __name__ == "__main__":
    for label, value in rows():
        print(f"| {label} | {value} |")
