"""What AWS will carry with a stage's synthesized templates: the usage-event path's capacity.

Every figure is derived from the templates (the ``Streaming`` stack, and for the account
quotas every stack of the stage) with AWS's published limits below, never from the
``StageConfig`` that produced them:

- writes: provisioned shards take 1,000 records/s and 1 MiB/s each; an on-demand stream
  starts at 4,000 records/s and 4 MiB/s and only doubles as traffic is seen;
- the ingest API: each method's throttle (its own, or the stage's default), the request
  model's most records per batch, and the WAF rule's requests per IP per 5 minutes;
- reads: a shard gives 2 MiB/s and 5 reads/s to all its standard readers together (the
  counting mapping and the Firehose archive each read all of it, about once a second);
- the consumer: shards x parallelization batches at once, each of at most
  ``BatchSize`` records (fewer when 6 MB of Lambda payload fill first) and at most the
  function's timeout long: the rate it drains at in the worst case, given the function's
  reserved concurrency leaves it that many instances;
- the counts table: one write per counter per batch; in the worst case (every record a
  different counter) one per record, against the table's warm throughput (4,000 writes/s
  for a new on-demand table);
- the latency from ingest to counts: Lambda polls each shard about once a second, waits
  up to ``MaximumBatchingWindowInSeconds`` to fill a batch and the batch takes at most
  the timeout (the archive's Firehose buffering is not on this path);
- account quotas per region: API Gateway's request rate (10,000/s per account, shared by
  every API) against the sum of the stages' rates; Lambda's concurrency (1,000 per
  region) against the reserved concurrency plus the 100 that AWS keeps unreserved.

    python -m tools.capacity <cdk.out directory> [--stage Prod]
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.assembly import stacks
from tools.capacity_template import (
    account_quotas,
    function_of,
    ids,
    largest_event_bytes,
    mapping_of,
    method_rates,
    models,
    refs,
    standard_readers,
    waf_rate,
)

MIB = 1024 * 1024
SHARD_WRITE_RECORDS = 1_000
SHARD_WRITE_BYTES = MIB
SHARD_READ_BYTES = 2 * MIB
SHARD_READS_PER_SECOND = 5
ON_DEMAND_START_RECORDS = 4_000
ON_DEMAND_START_BYTES = 4 * MIB
#: Lambda's synchronous payload limit, which also caps a Kinesis batch.
LAMBDA_PAYLOAD_BYTES = 6 * MIB
#: A standard (shared-throughput) reader polls each shard about once a second.
POLL_SECONDS = 1.0
ON_DEMAND_TABLE_START_WRITES = 4_000
API_REGIONAL_RATE_QUOTA = 10_000
LAMBDA_CONCURRENCY_QUOTA = 1_000


@dataclass(frozen=True)
class Capacity:
    """Events per second each part of the path carries, and the latency budget."""

    shards: int | None  # None: on-demand
    write_records: float
    write_bytes: float
    event_bytes: int  # the largest event the request model allows (its declared fields)
    single_requests: float  # POST /record requests (one event each) per second
    batch_requests: float  # POST /records requests per second
    batch_records: int  # most records in one /records request
    waf_requests_per_ip: float | None  # per second, None without a rate rule
    readers: int  # standard readers of every shard
    records_per_batch: int  # per invocation, after the 6 MB payload limit
    parallelization: int
    timeout_seconds: float
    reserved_concurrency: int | None
    batching_window_seconds: float
    table_writes: float

    @property
    def concurrency(self) -> int:
        """Instances the consumer needs: one per shard and parallel batch."""
        return (self.shards or 0) * self.parallelization

    @property
    def consumer_records(self) -> float:
        """Records/s drained when every batch is full and takes the whole timeout."""
        instances = self.concurrency
        if self.reserved_concurrency is not None:
            instances = min(instances, self.reserved_concurrency)
        return instances * self.records_per_batch / self.timeout_seconds

    def write_events(self) -> float:
        """Events/s the stream accepts: records and bytes, whichever binds first."""
        return min(self.write_records, self.write_bytes / self.event_bytes)

    def batch_events(self) -> float:
        """Events/s the batch method accepts at full batches."""
        return self.batch_requests * self.batch_records

    def read_share_bytes(self, events: float) -> float:
        """Bytes/s one shard serves to all its readers at ``events``/s."""
        return self.readers * events * self.event_bytes / max(self.shards or 1, 1)

    def latency_budget(self) -> dict[str, float]:
        """Seconds from the API's answer to the counts table, by part (worst case)."""
        return {
            "poll": POLL_SECONDS,
            "batching window": self.batching_window_seconds,
            "function (timeout)": self.timeout_seconds,
        }


def streaming_capacity(template: dict[str, Any], bytes_per_character: int = 1) -> Capacity:
    """The capacity of one ``Streaming`` template (one stream, its ingest API, its mapping).

    Event sizes assume ``bytes_per_character`` bytes per character of the model's lengths:
    1 for ASCII ids (the shop's), up to 4 for UTF-8 ids at their longest.
    """
    resources = template["Resources"]
    (stream_id,) = ids(resources, "AWS::Kinesis::Stream")
    stream = resources[stream_id]["Properties"]
    provisioned = stream.get("StreamModeDetails", {}).get("StreamMode") != "ON_DEMAND"
    shards = int(stream.get("ShardCount", 1)) if provisioned else None
    record_model, batch_model = models(resources)
    event_bytes = largest_event_bytes(record_model, bytes_per_character)
    single, batch = method_rates(resources)
    mapping = mapping_of(resources, stream_id)
    function = function_of(resources, mapping["FunctionName"])
    # The table the consumer writes is the one its environment names (not, say, the
    # live updates' connections table beside it).
    (table_id,) = [
        key
        for key in ids(resources, "AWS::DynamoDB::Table")
        if key in set(refs(function.get("Environment", {})))
    ]
    warm = resources[table_id]["Properties"].get("WarmThroughput", {})
    return Capacity(
        shards=shards,
        write_records=(shards * SHARD_WRITE_RECORDS if shards else ON_DEMAND_START_RECORDS),
        write_bytes=(shards * SHARD_WRITE_BYTES if shards else ON_DEMAND_START_BYTES),
        event_bytes=event_bytes,
        single_requests=single,
        batch_requests=batch,
        batch_records=int(batch_model["properties"]["records"]["maxItems"]),
        waf_requests_per_ip=waf_rate(resources),
        readers=standard_readers(resources, stream_id),
        records_per_batch=min(
            int(mapping.get("BatchSize", 100)), LAMBDA_PAYLOAD_BYTES // envelope_bytes(event_bytes)
        ),
        parallelization=int(mapping.get("ParallelizationFactor", 1)),
        timeout_seconds=float(function.get("Timeout", 3)),
        reserved_concurrency=function.get("ReservedConcurrentExecutions"),
        batching_window_seconds=float(mapping.get("MaximumBatchingWindowInSeconds", 0)),
        table_writes=float(warm.get("WriteUnitsPerSecond", ON_DEMAND_TABLE_START_WRITES)),
    )


def envelope_bytes(event_bytes: int) -> int:
    """Bytes of one record in Lambda's Kinesis event: base64 data plus the record's fields,
    each at its longest (256-character partition key, 128-character stream and role names)."""
    sequence = "4" * 56
    record = {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "k" * 256,
            "sequenceNumber": sequence,
            "data": base64.b64encode(b"x" * event_bytes).decode(),
            "approximateArrivalTimestamp": 1795000000.123,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/" + "r" * 64,
        "awsRegion": "ap-southeast-2",
        "eventSourceARN": "arn:aws:kinesis:ap-southeast-2:123456789012:stream/" + "s" * 128,
    }
    return len(json.dumps(record)) + 2  # and the separator in the Records list


def rows(
    capacity: Capacity, quotas: dict[str, dict[str, int]], target: int
) -> list[tuple[str, str]]:
    """(what, figure) rows: each part's events/s beside the target, then the budget."""
    budget = capacity.latency_budget()
    per_ip = capacity.waf_requests_per_ip
    lines = [
        ("stream writes (events/s)", f"{capacity.write_events():,.0f}"),
        ("POST /record, one event a request (events/s)", f"{capacity.single_requests:,.0f}"),
        (
            f"POST /records, {capacity.batch_records} events a request (events/s)",
            f"{capacity.batch_events():,.0f}",
        ),
        (
            "consumer, full batches each taking the whole timeout (events/s)",
            f"{capacity.consumer_records:,.0f}",
        ),
        ("counts table writes, one per event at worst (writes/s)", f"{capacity.table_writes:,.0f}"),
        (
            f"read share of a shard at {target:,} events/s ({capacity.readers} readers)",
            f"{capacity.read_share_bytes(target) / 1024:,.0f} KiB/s of 2,048",
        ),
        (
            "ingest to counts, worst case (s)",
            " + ".join(f"{v:g} {k}" for k, v in budget.items()) + f" = {sum(budget.values()):g}",
        ),
    ]
    if per_ip:
        lines.append(("WAF rate rule, one IP (requests/s)", f"{per_ip:,.1f}"))
    for region, need in sorted(quotas.items()):
        lines.append(
            (
                f"quotas needed in {region}",
                f"API Gateway {need['api_rate']:,} requests/s "
                f"(default {API_REGIONAL_RATE_QUOTA:,}), "
                f"Lambda concurrency {need['lambda_concurrency']:,} "
                f"(default {LAMBDA_CONCURRENCY_QUOTA:,})",
            )
        )
    return lines


def stage_capacity(
    assembly_dir: Path, stage: str, bytes_per_character: int = 1
) -> tuple[Capacity, dict[str, dict[str, int]]]:
    """The ``Streaming`` capacity and the account quotas of ``stage`` in an assembly."""
    artifacts = [a for a in stacks(assembly_dir) if a.stage == stage]
    (streaming,) = [a for a in artifacts if a.display_name.endswith("/Streaming")]
    return streaming_capacity(streaming.template(), bytes_per_character), account_quotas(artifacts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assembly", type=Path)
    parser.add_argument("--stage", default="Prod")
    parser.add_argument("--target", type=int, default=10_000, help="events per second")
    parser.add_argument(
        "--bytes-per-character", type=int, default=1, choices=(1, 2, 3, 4), help="of ids"
    )
    args = parser.parse_args(argv)
    capacity, quotas = stage_capacity(args.assembly, args.stage, args.bytes_per_character)
    for what, figure in rows(capacity, quotas, args.target):
        print(f"| {what} | {figure} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
