"""What AWS will carry with Prod's templates: 10,000 usage events a second from the first
minute, counted within 10 seconds; and the README's capacity table says the same."""

from __future__ import annotations

import re
from pathlib import Path

from stacks import DEV
from stacks.stream_settings import DEADLINE_MARGIN_SECONDS
from stacks.streaming import StreamingStack
from tests.support.cdk_app import ROOT, new_app
from tools import bench_stream
from tools.assembly import StackArtifact
from tools.capacity import (
    LAMBDA_PAYLOAD_BYTES,
    SHARD_READ_BYTES,
    SHARD_READS_PER_SECOND,
    Capacity,
    envelope_bytes,
    rows,
    streaming_capacity,
)
from tools.capacity_template import account_quotas

TARGET = 10_000  # events per second: the case's figure
BUDGET_SECONDS = 10
#: Smallest batch a producer is expected to send to POST /records.
SMALL_BATCH = 10


def capacity_of(artifacts: dict[str, StackArtifact], stack: str, per_char: int = 1) -> Capacity:
    return streaming_capacity(artifacts[stack].template(), bytes_per_character=per_char)


def test_prod_accepts_ten_thousand_events_a_second_from_the_first_minute(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    prod = capacity_of(stack_artifacts, "Prod/Streaming")
    # Provisioned shards carry their rate from creation; on-demand starts at 4,000/s.
    assert prod.shards is not None
    assert prod.write_events() >= TARGET
    # As single-event requests, and as batches (of 500, and of a few events).
    assert prod.single_requests >= TARGET
    assert prod.batch_events() >= TARGET
    assert prod.batch_requests * SMALL_BATCH >= TARGET
    # The aggregator drains it even if every batch is full and takes the whole timeout,
    # and its reserved concurrency leaves it one instance per shard and parallel batch.
    assert prod.consumer_records >= TARGET
    assert prod.reserved_concurrency is None or prod.reserved_concurrency >= prod.concurrency
    # The counting mapping and the archive share each shard's reads.
    assert prod.readers * 1 <= SHARD_READS_PER_SECOND
    assert prod.read_share_bytes(TARGET) <= SHARD_READ_BYTES
    # One counter write per event at worst, from the table's first minute.
    assert prod.table_writes >= TARGET


def test_the_longest_utf8_events_still_fit_the_stream_and_its_reads(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    prod = capacity_of(stack_artifacts, "Prod/Streaming", per_char=4)
    assert prod.event_bytes > 1_000
    assert prod.write_events() >= TARGET
    assert prod.read_share_bytes(TARGET) <= SHARD_READ_BYTES
    # Fewer of them fit Lambda's 6 MB payload: the README gives the consumer's figure.
    assert prod.records_per_batch < capacity_of(stack_artifacts, "Prod/Streaming").records_per_batch


def test_prod_counts_within_ten_seconds(stack_artifacts: dict[str, StackArtifact]) -> None:
    budget = capacity_of(stack_artifacts, "Prod/Streaming").latency_budget()
    assert set(budget) == {"poll", "batching window", "function (timeout)"}
    assert sum(budget.values()) < BUDGET_SECONDS


def test_one_producer_ip_passes_the_waf_rule_with_batches(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    prod = capacity_of(stack_artifacts, "Prod/Streaming")
    assert prod.waf_requests_per_ip is not None
    # Single-event requests need many sources (browsers); full batches need one.
    assert prod.waf_requests_per_ip < TARGET
    assert prod.waf_requests_per_ip * prod.batch_records >= TARGET


def test_the_model_finds_what_would_throttle_in_dev(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    dev = capacity_of(stack_artifacts, "Dev/Streaming")
    assert dev.write_events() == 1_000  # one shard
    assert dev.single_requests == 1_000  # the pattern's default stage throttle
    assert dev.table_writes == 4_000  # a new on-demand table
    assert dev.consumer_records < TARGET
    assert sum(dev.latency_budget().values()) > BUDGET_SECONDS  # 1 + 2 + 60 s


def test_an_on_demand_stream_starts_at_four_thousand_records(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    stack = StreamingStack(app, "Streaming", config=DEV.with_overrides({"stream_shards": None}))
    template = app.synth().get_stack_by_name(stack.stack_name).template
    on_demand = streaming_capacity(template)
    assert on_demand.shards is None
    assert on_demand.write_events() == 4_000


def test_batches_are_capped_by_lambdas_payload_limit() -> None:
    # A record's envelope (base64 data, sequence numbers, ARNs) is far larger than the event.
    assert envelope_bytes(365) > 365 * 4 / 3
    assert LAMBDA_PAYLOAD_BYTES // envelope_bytes(1_317) < 4_000


def test_prod_needs_the_regional_api_quota_raised(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    prod = [a for a in stack_artifacts.values() if a.stage == "Prod"]
    quotas = account_quotas(prod)
    primary = quotas["us-east-1"]
    # Every API of the account in the region shares 10,000 requests/s.
    assert primary["api_rate"] > 10_000
    assert primary["lambda_concurrency"] <= 1_000


def test_the_readme_capacity_table_is_prods(stack_artifacts: dict[str, StackArtifact]) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Capacity", 1)[1].split("\n## ", 1)[0]
    prod = [a for a in stack_artifacts.values() if a.stage == "Prod"]
    capacity = capacity_of(stack_artifacts, "Prod/Streaming")
    for what, figure in rows(capacity, account_quotas(prod), TARGET):
        numbers = re.findall(r"\d[\d,.]*", figure)
        for number in numbers:
            assert number.rstrip(".") in section, (
                f"README's capacity section lacks {what}: {figure}"
            )


def test_the_timeout_floor_is_the_aggregators_deadline_margin() -> None:
    bench_stream._import_handlers()
    from usage_aggregator.aggregation import DEADLINE_MARGIN_MS

    assert DEADLINE_MARGIN_SECONDS * 1_000 == DEADLINE_MARGIN_MS
