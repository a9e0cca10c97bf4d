"""Recovering the ranges Lambda gave up on: read them back from the stream, count once.

An on-failure record (what Lambda puts in the failure queue for a Kinesis source) names
the shard and the first and last sequence numbers of the batch it abandoned, not the
data. :func:`replay_failed_batch` reads that range back (``AT_SEQUENCE_NUMBER`` the first,
up to the last), runs it through the aggregator's own decoding (:func:`aggregate`), and
per counter counts exactly the records that no ledger entry covers (see
``aggregation``), whatever later batches did to the watermarks since. The addition is
conditional on a token naming the range, and the replay then records the range in the
ledger itself: running the same replay twice, or a range overlapping one replayed
before, counts nothing again.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from usage_aggregator.aggregation import aggregate
from usage_aggregator.counters import CounterKey, CounterStore

#: GetRecords calls in a row that return nothing before the range is taken as read (a
#: shard's iterator can return empty pages before it reaches the records).
MAX_EMPTY_READS = 20


@dataclass(frozen=True)
class FailedBatch:
    """The range of one shard that Lambda gave up on."""

    stream_arn: str
    shard_id: str
    first: int
    last: int

    @classmethod
    def from_message(cls, body: str | Mapping[str, Any]) -> FailedBatch:
        """From an on-failure record's JSON (``KinesisBatchInfo``); ``ValueError`` if not one."""
        document = json.loads(body) if isinstance(body, str) else body
        try:
            info = document["KinesisBatchInfo"]
            return cls(
                stream_arn=str(info["streamArn"]),
                shard_id=str(info["shardId"]),
                first=int(info["startSequenceNumber"]),
                last=int(info["endSequenceNumber"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a Kinesis on-failure record: {error!r}") from None

    @property
    def token(self) -> str:
        return f"{self.shard_id}/{self.first}-{self.last}"


@dataclass(frozen=True)
class ReplayResult:
    """What a replay found in its range."""

    records: int
    counted: int  # recovered now
    already_counted: int  # by a batch before, or by an earlier run of this replay
    rejected: int


def read_range(
    kinesis: Any, batch: FailedBatch, page_size: int = 10_000
) -> Iterator[dict[str, Any]]:
    """The range's records from the stream, shaped as Lambda delivers them."""
    iterator = kinesis.get_shard_iterator(
        StreamARN=batch.stream_arn,
        ShardId=batch.shard_id,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=str(batch.first),
    )["ShardIterator"]
    empty = 0
    while iterator and empty < MAX_EMPTY_READS:
        page = kinesis.get_records(
            ShardIterator=iterator, Limit=page_size, StreamARN=batch.stream_arn
        )
        empty = 0 if page["Records"] else empty + 1
        for record in page["Records"]:
            if int(record["SequenceNumber"]) > batch.last:
                return
            yield {
                "kinesis": {
                    "partitionKey": record["PartitionKey"],
                    "sequenceNumber": record["SequenceNumber"],
                    "data": base64.b64encode(record["Data"]).decode("ascii"),
                },
                "eventID": f"{batch.shard_id}:{record['SequenceNumber']}",
            }
        if not page["Records"] and page.get("MillisBehindLatest", 1) == 0:
            return  # at the tip of an open shard: nothing further exists yet
        iterator = page.get("NextShardIterator")


def replay_failed_batch(batch: FailedBatch, kinesis: Any, store: CounterStore) -> ReplayResult:
    """Count the records of ``batch`` that were never counted; see the module docstring."""
    records = list(read_range(kinesis, batch))
    aggregate_ = aggregate(records)
    ledger = store.ledger(batch.shard_id, batch.first, batch.last)
    counted = already = 0
    done: list[tuple[CounterKey, int]] = []
    for total in aggregate_.totals.values():
        key = total.key
        missing = [
            sequence
            for sequence in total.sequences
            if not any(entry.covers(key, sequence) for entry in ledger)
        ]
        if missing:
            added = store.add_replayed(key, len(missing), batch.token)
            counted += added
            already += len(total.sequences) - added
        else:
            already += len(total.sequences)
        done.append((key, batch.last))
    store.record_ledger(batch.shard_id, batch.first, batch.last, done)
    return ReplayResult(len(records), counted, already, len(aggregate_.rejected))
