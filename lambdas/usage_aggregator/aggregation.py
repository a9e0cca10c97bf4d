"""Counting a Kinesis batch of usage events: aggregate in memory, one update per key.

Plain functions and data; the DynamoDB access is the ``CounterStore`` passed in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import (
    KinesisStreamRecord,
)

from shop_common.observability import logger, metrics
from shop_common.usage_events import UsageEvent, decode_usage_event
from usage_aggregator.counters import padded


class Counters(Protocol):
    """What the aggregation needs from the counts table."""

    def add(self, product_id: str, event_type: str, entries: list[tuple[str, bool]]) -> int: ...


@dataclass
class KeyTotal:
    """The batch's events for one (product, event type)."""

    product_id: str
    event_type: str
    #: (padded sequence number, whether it counts) per record; duplicates do not count.
    entries: list[tuple[str, bool]] = field(default_factory=list)
    #: Every record behind the entries: reported together if the update fails.
    records: list[KinesisStreamRecord] = field(default_factory=list)


@dataclass
class BatchAggregate:
    """Totals per key, with in-batch duplicates (same ``event_id``) counted once."""

    totals: dict[tuple[str, str], KeyTotal] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    duplicates: int = 0

    def add(self, record: KinesisStreamRecord, event: UsageEvent) -> None:
        key = (event.product_id, event.event_type)
        total = self.totals.get(key)
        if total is None:
            total = self.totals[key] = KeyTotal(event.product_id, event.event_type)
        counts = event.event_id not in self.seen
        if counts:
            self.seen.add(event.event_id)
        else:
            self.duplicates += 1
        total.entries.append((padded(record.kinesis.sequence_number), counts))
        total.records.append(record)


def write_totals(
    aggregate: BatchAggregate, store: Counters, *, workers: int = 8
) -> Iterator[tuple[KeyTotal, int | Exception]]:
    """Send one counter update per key (in parallel); yield each total with its outcome."""

    def write(total: KeyTotal) -> int | Exception:
        try:
            return store.add(total.product_id, total.event_type, total.entries)
        except Exception as error:  # reported per record; the other keys still count
            logger.warning(
                "Counter update failed; its records are reported as failures",
                product_id=total.product_id,
                event_type=total.event_type,
                error=repr(error),
            )
            return error

    totals = list(aggregate.totals.values())
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(totals) or 1))) as pool:
        yield from zip(totals, pool.map(write, totals), strict=True)


def count_usage_events(
    event: Mapping[str, Any], processor: BatchProcessor, store: Counters, *, workers: int = 8
) -> PartialItemFailureResponse:
    """Count a Kinesis batch; the response names exactly the records not counted.

    Malformed records (bad base64, not JSON, missing or wrong fields) and the records of a
    key whose update failed are reported as batch item failures; every other record is
    counted once, duplicates within the batch included in their original's count.
    """
    aggregate = BatchAggregate()

    def record_handler(record: KinesisStreamRecord) -> None:
        aggregate.add(record, decode_usage_event(record.kinesis.data))

    counted = failed = 0
    with processor(records=list(event.get("Records", [])), handler=record_handler):
        processor.process()
        for total, outcome in write_totals(aggregate, store, workers=workers):
            if isinstance(outcome, Exception):
                failed += len(total.records)
                for record in total.records:
                    processor.failure_handler(
                        record, (type(outcome), outcome, outcome.__traceback__)
                    )
            else:
                counted += outcome
    rejected = len(processor.fail_messages) - failed
    metrics.add_metric(name="UsageEventsCounted", unit=MetricUnit.Count, value=counted)
    metrics.add_metric(name="UsageEventsRejected", unit=MetricUnit.Count, value=rejected)
    metrics.add_metric(name="CounterUpdatesFailed", unit=MetricUnit.Count, value=failed)
    logger.info(
        "Counted usage events",
        records=len(processor.records),
        counted=counted,
        duplicates=aggregate.duplicates,
        rejected=rejected,
        failed=failed,
        keys=len(aggregate.totals),
    )
    return processor.response()
