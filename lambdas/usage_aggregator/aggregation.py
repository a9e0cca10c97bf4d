"""Counting a Kinesis batch of usage events exactly once: aggregate in memory, one write per key.

How every record is counted once, and only once:

* **Normal path: one conditional update per counter per batch** (the floor of writes). It
  adds the batch's records of that counter and sets the counter's watermark *for the
  batch's shard* to the last of them, on condition that this watermark is below the
  first. Kinesis orders sequence numbers only within a shard, so each shard that writes a
  counter (other partition keys, or a parent and its children after resharding) has its
  own watermark and never meets another shard's numbers. Lambda delivers one shard's
  batches in order and finishes a parent shard before its children, so a record at or
  below its shard's watermark was counted: a redelivered batch, the tail retried after a
  partial failure and the halves of a bisected batch hit the condition, read the
  watermark and count only the records above it.
* **Ranges Lambda gives up on.** After its retries, Lambda sends the shard and sequence
  range to the on-failure queue and moves on; later batches then move watermarks past
  records that were never counted, so the watermark alone cannot tell them apart. Hence,
  whenever a batch ends with counters it could not update, the handler first writes one
  *ledger* item for the shard (the failure path only): the range from the first record it
  reports to the batch's last record, and per counter the sequence number up to which its
  records there are counted: the range's end for counters updated now, the watermark (read
  after the failed update) for the others, since an earlier attempt that was killed may
  have counted them. Those are facts: a failed update changes nothing, so a record that no
  ledger entry covers for its counter has not been counted. ``replay`` reads a failed
  range back from the stream and counts exactly those records, once per range however
  often it runs.
* **Malformed records** are never counted and not reported as failures: a retry cannot
  change them, and a report would make Lambda redeliver the batch behind them over and
  over. They are logged with their sequence numbers and counted in
  ``UsageEventsRejected``; the archive keeps them under its error prefix.
* **Every record is one event**: two records with the same ``event_id`` count twice, as
  the archive keeps both (deduplicating producers' retries would need a write per event).

The limit: an invocation killed mid-way (out of memory, the Lambda timeout) writes no
ledger. Its updates are still seen by the next attempt on those records (the condition
fails, or the update is throttled and the watermark is read), so only a range whose every
later attempt dies too, or can neither write nor read a counter, can be replayed
inexactly. The deadline check below keeps the Lambda timeout from killing an attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from shop_common.observability import logger, metrics
from shop_common.usage_events import InvalidUsageEventError, decode_usage_event
from usage_aggregator.counters import CounterKey, CounterStore

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import (
        KinesisStreamRecord,
    )

#: Updates are not started with less time left than this (ms), so the batch answers
#: (and writes its ledger) before Lambda's timeout kills it.
DEADLINE_MARGIN_MS = 5_000
#: Rejected records logged one by one per batch; the rest are only counted.
LOGGED_REJECTS = 10


class DeadlineError(TimeoutError):
    """Too little of the invocation's time was left to start this update."""


@dataclass(slots=True)
class KeyTotal:
    """The batch's records of one counter from one shard."""

    key: CounterKey
    sequences: list[int] = field(default_factory=list)
    #: The records behind the sequences: reported together if the update fails.
    records: list[Mapping[str, Any]] = field(default_factory=list)
    #: After a failed update: the counter's watermark, if it could be read (an earlier,
    #: killed attempt may have counted these records; the ledger must know).
    counted_through: int | None = None


@dataclass
class BatchAggregate:
    """Valid records grouped per counter and shard, and the records rejected."""

    totals: dict[tuple[str, str, str], KeyTotal] = field(default_factory=dict)
    rejected: list[tuple[Mapping[str, Any], str]] = field(default_factory=list)

    @property
    def valid(self) -> int:
        return sum(len(total.sequences) for total in self.totals.values())


def aggregate(records: Iterable[Mapping[str, Any]]) -> BatchAggregate:
    """Decode and group the records (Lambda's Kinesis record shape); never raises.

    One tight loop over plain dicts: this is the per-record work of a 10,000-record batch.
    """
    batch = BatchAggregate()
    totals = batch.totals
    for record in records:
        try:
            kinesis = record["kinesis"]
            event = decode_usage_event(kinesis["data"])
            sequence = int(kinesis["sequenceNumber"])
            shard_id = record["eventID"].partition(":")[0]  # "<shard id>:<sequence number>"
        except InvalidUsageEventError as error:
            batch.rejected.append((record, str(error)))
            continue
        except Exception as error:  # not shaped like a Kinesis record at all
            batch.rejected.append((record, f"not a Kinesis record: {error!r}"))
            continue
        group = (shard_id, event.product_id, event.event_type)
        total = totals.get(group)
        if total is None:
            total = totals[group] = KeyTotal(CounterKey(*group))
        total.sequences.append(sequence)
        total.records.append(record)
    return batch


def write_totals(
    totals: Iterable[KeyTotal],
    store: CounterStore,
    *,
    workers: int = 8,
    remaining_ms: Callable[[], int] | None = None,
) -> list[tuple[KeyTotal, int | Exception]]:
    """Send one counter update per total (in parallel); each total with its outcome."""

    def write(total: KeyTotal) -> int | Exception:
        try:
            if remaining_ms is not None and remaining_ms() < DEADLINE_MARGIN_MS:
                raise DeadlineError("too little time left in this invocation")
            return store.add(total.key, total.sequences)
        except Exception as error:  # reported per record; the other keys still count
            logger.warning(
                "Counter update failed; its records are reported as failures",
                counter=total.key._asdict(),
                error=repr(error),
            )
            total.counted_through = _watermark_or_none(store, total.key)
            return error

    pending = list(totals)
    # More threads than the client's connection pool would open (and drop) a connection
    # per request beyond it: the pool is the real limit of requests in flight.
    threads = min(workers, len(pending), _pool_size(store))
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return list(zip(pending, pool.map(write, pending), strict=True))


def _pool_size(store: CounterStore) -> int:
    config = getattr(getattr(store.client, "meta", None), "config", None)
    size = getattr(config, "max_pool_connections", None)
    return size if isinstance(size, int) and size > 0 else 10  # botocore's default


def _watermark_or_none(store: CounterStore, key: CounterKey) -> int | None:
    try:
        return store.watermark(key)
    except Exception:  # throttled reads too: the ledger then says nothing of this counter
        return None


def record_ledger(outcomes: list[tuple[KeyTotal, int | Exception]], store: CounterStore) -> None:
    """Per shard with failed updates: up to where each counter's records are counted, from
    the first failed record to the batch's last (see the module docstring)."""
    for shard_id in {total.key.shard_id for total, outcome in outcomes if _failed(outcome)}:
        shard = [(total, outcome) for total, outcome in outcomes if total.key.shard_id == shard_id]
        first = min(min(total.sequences) for total, outcome in shard if _failed(outcome))
        last = max(max(total.sequences) for total, _ in shard)
        through = [
            (total.key, last if not _failed(outcome) else total.counted_through)
            for total, outcome in shard
            if max(total.sequences) >= first
        ]
        store.record_ledger(
            shard_id, first, last, [(k, s) for k, s in through if s is not None and s >= first]
        )


def _sequence_number(record: Any) -> Any:
    try:
        return record["kinesis"]["sequenceNumber"]
    except (KeyError, TypeError, IndexError):
        return None


def _failed(outcome: int | Exception) -> bool:
    return isinstance(outcome, Exception)


def _never_called(_: KinesisStreamRecord) -> None:  # pragma: no cover
    raise AssertionError("records are decoded by aggregate(), not one call per record")


def count_usage_events(
    event: Mapping[str, Any],
    store: CounterStore,
    *,
    workers: int = 8,
    remaining_ms: Callable[[], int] | None = None,
) -> PartialItemFailureResponse:
    """Count a Kinesis batch; the response names exactly the records not counted.

    The records of a counter whose update failed are reported as batch item failures,
    after the ledger is written (an error writing it fails the whole invocation, so that
    Lambda retries rather than moves on). Every other valid record is counted once.

    Powertools' batch utility builds the response only when records failed: importing it
    (with ``asyncio`` and every event data class) would cost each cold start about a fifth
    of its time for the rare batch that needs it.
    """
    records = list(event.get("Records", []))
    batch = aggregate(records)
    outcomes = write_totals(
        batch.totals.values(), store, workers=workers, remaining_ms=remaining_ms
    )
    failures = [(total, outcome) for total, outcome in outcomes if isinstance(outcome, Exception)]
    if failures:
        record_ledger(outcomes, store)
    counted = sum(outcome for _, outcome in outcomes if isinstance(outcome, int))
    failed = sum(len(total.sequences) for total, _ in failures)
    _report(batch, counted, failed, len(records), len(outcomes))
    if not failures:
        return {"batchItemFailures": []}
    return _partial_response(records, failures)


def _partial_response(
    records: list[Mapping[str, Any]], failures: list[tuple[KeyTotal, Exception]]
) -> PartialItemFailureResponse:
    """Powertools' partial batch response naming the records of ``failures`` (it raises
    ``BatchProcessingError`` when they are all of the batch, so that Lambda retries it)."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
    from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import (
        KinesisStreamRecord,
    )

    processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
    # Its process() would call a handler per record, which aggregate() already did in one loop.
    with processor(records=[dict(record) for record in records], handler=_never_called):
        for total, error in failures:
            for record in total.records:
                processor.failure_handler(
                    KinesisStreamRecord(dict(record)), (type(error), error, error.__traceback__)
                )
    return processor.response()


def _report(batch: BatchAggregate, counted: int, failed: int, records: int, keys: int) -> None:
    for record, reason in batch.rejected[:LOGGED_REJECTS]:
        logger.warning(
            "Rejected a record that is not a usage event",
            sequence_number=_sequence_number(record),
            reason=reason,
        )
    metrics.add_metric(name="UsageEventsCounted", unit=MetricUnit.Count, value=counted)
    metrics.add_metric(name="UsageEventsRejected", unit=MetricUnit.Count, value=len(batch.rejected))
    metrics.add_metric(name="CounterUpdatesFailed", unit=MetricUnit.Count, value=failed)
    logger.info(
        "Counted usage events",
        records=records,
        counted=counted,
        already_counted=batch.valid - counted - failed,
        rejected=len(batch.rejected),
        failed=failed,
        keys=keys,
    )
