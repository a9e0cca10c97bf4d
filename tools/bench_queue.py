"""Benchmark rows of the catalog indexer behind its queue (``QueueProcessor``).

The same S3 object-created events as ``tools.bench_lake`` (tags read from S3, one
DynamoDB transaction per object, against a local moto server, the catalog table and the
index queue created from the synthesized dev ``DataLake`` stack), indexed three ways:

- one invocation per event, as the EventBridge rule did before the queue (the figure of
  ``bench_lake``);
- through the queue, one poller: batches of the stack's batch size, partial batch
  responses, each batch's messages deleted after it (what Lambda's poller does);
- through the queue with as many pollers as the mapping's ``MaximumConcurrency``.

Events/s from the first message sent to the queue being empty, all events indexed.

    python -m tools.bench_queue
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.assembly import StackArtifact, stacks
from tools.measure import LAMBDAS, local_aws

OBJECTS = 300
DATASETS = ("usage-events", "orders", "products")


def rows() -> list[tuple[str, str]]:
    """(label, value) rows for the benchmark table."""
    with tempfile.TemporaryDirectory() as out:
        stack = _synthesize(Path(out))
        rates = measure(stack)
    return [
        (
            f"DataLake: catalog indexer, {OBJECTS} object events, {how} against moto",
            r,
        )
        for how, r in rates.items()
    ]


def _synthesize(out: Path) -> StackArtifact:
    import aws_cdk as cdk

    from stacks import DEV
    from stacks.data_lake import DataLakeStack
    from stacks.function_settings import function_defaults
    from tools.cdk_context import cli_context

    app = cdk.App(outdir=str(out), context=cli_context())
    stage = cdk.Stage(app, DEV.stage_id)
    function_defaults(DEV).apply_to(stage)
    DataLakeStack(stage, "DataLake", config=DEV)
    app.synth()
    [stack] = stacks(out)
    return stack


def _events(bucket: str) -> list[dict[str, Any]]:
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    events = []
    for n in range(OBJECTS):
        key = f"{DATASETS[n % 3]}/dt=2026-11-{n % 28 + 1:02d}/part-{n}.json"
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}", Tagging="team=shop&pii=no")
        events.append(
            {
                "id": f"bench-{n}",
                "source": "aws.s3",
                "detail-type": "Object Created",
                "time": "2026-11-23T10:00:00Z",
                "detail": {
                    "bucket": {"name": bucket},
                    "object": {"key": key, "size": 2, "sequencer": f"{n + 1:X}"},
                },
            }
        )
    return events


def measure(stack: StackArtifact) -> dict[str, str]:
    """Events/s of each way, by its label."""
    if str(LAMBDAS) not in sys.path:
        sys.path.insert(0, str(LAMBDAS))
    resources = stack.template()["Resources"]
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    queue_id = mapping["EventSourceArn"]["Fn::GetAtt"][0]
    batch = int(mapping["BatchSize"])
    concurrency = int(mapping.get("ScalingConfig", {}).get("MaximumConcurrency", 1))
    rates: dict[str, str] = {}
    with local_aws():
        from tests.support.tables import create_table_like

        for n, (label, run) in enumerate(
            (
                ("one invocation per event (today's rule)", _direct),
                (f"through the queue, batches of {batch}, 1 poller", _queued(1)),
                (
                    f"through the queue, batches of {batch}, {concurrency} pollers",
                    _queued(concurrency),
                ),
            )
        ):
            table, bucket = f"bench-catalog-{n}", f"bench-raw-{n}"
            create_table_like(stack, "CatalogTable", table)
            events = _events(bucket)
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # the handlers' log lines
                    seconds = run(events, table, {bucket: "raw"}, resources, queue_id, batch)
                _check_indexed(table)
            except RuntimeError as error:
                # Concurrent pollers: moto answers some concurrent TransactWriteItems with
                # HTTP 500 (a fault of the emulator's, not DynamoDB's), so not all index.
                rates[label] = f"n/a on moto ({error})"
                continue
            rates[label] = f"{OBJECTS / seconds:.1f} events/s"
    return rates


Run = Callable[[list[dict[str, Any]], str, dict[str, str], dict[str, Any], str, int], float]


def _direct(events: list[dict[str, Any]], table: str, zones: dict[str, str], *_: Any) -> float:
    from catalog_indexer.app import index_event
    from catalog_indexer.catalog import CatalogTable, LakeObjects

    catalog, objects = CatalogTable(table), LakeObjects()
    started = time.perf_counter()
    for event in events:
        index_event(event, catalog, objects, zones)
    return time.perf_counter() - started


#: Messages received more than once (retried after a failed batch item), by pollers.
retried: dict[int, int] = {}


def _queued(concurrency: int) -> Run:
    def run(
        events: list[dict[str, Any]],
        table: str,
        zones: dict[str, str],
        resources: dict[str, Any],
        queue_id: str,
        batch: int,
    ) -> float:
        import os

        import boto3
        from catalog_indexer import app as indexer_app

        from tests.support.sqs_poller import drain, queue_from_template

        os.environ.update(CATALOG_TABLE=table, LAKE_ZONES=json.dumps(zones))
        indexer_app._adapters.cache_clear()
        url, _ = queue_from_template(resources, queue_id, f"index-{table}", visibility_timeout=60)
        sqs = boto3.client("sqs")
        context = _Context()
        started = time.perf_counter()
        for n in range(0, len(events), 10):  # as EventBridge puts them, ten at most a call
            entries = [
                {"Id": str(i), "MessageBody": json.dumps(e)}
                for i, e in enumerate(events[n : n + 10])
            ]
            failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")
            if failed:
                raise RuntimeError(f"the queue refused messages: {failed}")
        seen = drain(
            url,
            lambda event: indexer_app.handler(event, context),
            batch_size=batch,
            concurrency=concurrency,
            expected=len(events),
            timeout=120,
        )
        elapsed = time.perf_counter() - started
        if len(seen.processed) != len(events):
            raise RuntimeError(f"{len(seen.processed)} of {len(events)} messages processed")
        retried[concurrency] = sum(seen.received.values()) - len(events)
        return elapsed

    return run


class _Context:
    function_name, memory_limit_in_mb, aws_request_id = "indexer", 256, "bench"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:indexer"


def _check_indexed(table: str) -> None:
    import boto3

    from shop_common import catalog_keys

    client = boto3.resource("dynamodb").Table(table)
    items = client.scan(ConsistentRead=True)["Items"]
    found = sum(1 for i in items if i["sk"] == catalog_keys.META)
    if found != OBJECTS:
        raise RuntimeError(f"the indexer indexed {found} of {OBJECTS} benchmark objects")


def main() -> int:
    for label, value in rows():
        print(f"| {label} | {value} |")
    for pollers, count in retried.items():
        print(f"{pollers} poller(s): {count} message deliveries retried (emulator errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
