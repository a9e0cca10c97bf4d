"""Event source mappings, locally: threads that read a stream's shards and invoke a
function with Lambda's event for that source, batched as the template's mapping says.

Per shard, like Lambda: records are read in order; a batch is sent when it holds
``BatchSize`` records or the oldest waited ``MaximumBatchingWindowInSeconds`` (at once with
no window); the next batch of a shard waits for the previous one. A failed invocation is
retried whole, a partial batch response from its first failed record, at most
``MaximumRetryAttempts`` times; then the batch is dropped and kept in ``discarded`` (the
on-failure destination is not emulated). Bisecting on error is not emulated either.
Records the mapping's ``FilterCriteria`` do not match never reach the function (Lambda
drops them before batching); filters are emulated for DynamoDB Streams only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from tools.event_filters import passes
from tools.local_live.settings import Mapping as MappingSettings
from tools.sandbox.events import dynamodb_event, kinesis_event

log = logging.getLogger(__name__)
#: Retries of a failing batch when the template says -1 (forever): locally, give up.
LOCAL_RETRY_LIMIT = 10


class ShardPoller(threading.Thread):
    """Reads every shard of one stream and invokes ``function`` (see the module)."""

    def __init__(
        self,
        *,
        name: str,
        client: Any,
        stream_arn: str,
        function: Callable[[Mapping[str, Any]], Any],
        mapping: MappingSettings,
        poll_seconds: float,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.client = client
        self.stream_arn = stream_arn
        self.function = function
        self.mapping = mapping
        self.poll_seconds = poll_seconds
        self.discarded: list[dict[str, Any]] = []
        #: How many batches were delivered (answered without a failure).
        self.batches = 0
        self._halt = threading.Event()
        self._iterators = {shard: self.iterator(shard) for shard in self.shards()}

    # What differs between Kinesis and DynamoDB Streams.
    def shards(self) -> list[str]:
        raise NotImplementedError

    def iterator(self, shard: str) -> str:
        raise NotImplementedError

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        raise NotImplementedError

    def event(self, shard: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        raise NotImplementedError

    def item_id(self, record: dict[str, Any]) -> str:
        raise NotImplementedError

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)

    def run(self) -> None:
        pending: dict[str, list[dict[str, Any]]] = {s: [] for s in self._iterators}
        since: dict[str, float] = {}
        while not self._halt.is_set():
            for shard, iterator in list(self._iterators.items()):
                wanted = self.mapping.batch_size - len(pending[shard])
                if iterator and wanted > 0:
                    try:
                        records, following = self.read(iterator, wanted)
                    except Exception:
                        log.exception("reading %s failed", shard)
                        continue
                    self._iterators[shard] = following or ""
                    records = [r for r in records if passes(r, self.mapping.filters)]
                    if records and not pending[shard]:
                        since[shard] = time.monotonic()
                    pending[shard].extend(records)
                batch = pending[shard]
                full = len(batch) >= self.mapping.batch_size
                waited = time.monotonic() - since.get(shard, 0.0)
                if batch and (full or waited >= self.mapping.window_seconds):
                    pending[shard] = batch[self.mapping.batch_size :]
                    since[shard] = time.monotonic()
                    self._deliver(shard, batch[: self.mapping.batch_size])
            busy = any(len(b) >= self.mapping.batch_size for b in pending.values())
            self._halt.wait(0 if busy else self.poll_seconds)

    def _deliver(self, shard: str, records: list[dict[str, Any]]) -> None:
        limit = self.mapping.retry_attempts
        attempts = LOCAL_RETRY_LIMIT if limit < 0 else limit
        for _ in range(attempts + 1):
            try:
                response = self.function(self.event(shard, records))
            except Exception:
                log.exception("invocation failed; the batch is retried")
                continue
            failures = (response or {}).get("batchItemFailures") or []
            if not (self.mapping.partial_batch and failures):
                self.batches += 1
                return
            first = str(failures[0]["itemIdentifier"])
            ids = [self.item_id(r) for r in records]
            records = records[ids.index(first) :] if first in ids else records
        self.discarded.extend(records)


class KinesisPoller(ShardPoller):
    """The Kinesis mapping: ``GetRecords`` on each shard, Lambda's Kinesis event."""

    def __init__(self, *, stream_name: str, **kwargs: Any) -> None:
        self.stream_name = stream_name
        super().__init__(**kwargs)
        if self.mapping.filters:  # Lambda matches them against the decoded data
            raise ValueError("filters on a Kinesis mapping are not emulated here")

    def shards(self) -> list[str]:
        found = self.client.list_shards(StreamName=self.stream_name)["Shards"]
        return [str(s["ShardId"]) for s in found]

    def iterator(self, shard: str) -> str:
        return str(
            self.client.get_shard_iterator(
                StreamName=self.stream_name,
                ShardId=shard,
                ShardIteratorType=self.mapping.starting_position,
            )["ShardIterator"]
        )

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        page = self.client.get_records(ShardIterator=iterator, Limit=min(limit, 10_000))
        return list(page["Records"]), page.get("NextShardIterator")

    def event(self, shard: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        return kinesis_event(records, self.stream_arn, shard, role="local-live")

    def item_id(self, record: dict[str, Any]) -> str:
        return str(record["SequenceNumber"])


class TableStreamPoller(ShardPoller):
    """The DynamoDB Streams mapping: ``GetRecords`` on each shard, Lambda's event."""

    def shards(self) -> list[str]:
        found = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        return [str(s["ShardId"]) for s in found["Shards"]]

    def iterator(self, shard: str) -> str:
        return str(
            self.client.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard,
                ShardIteratorType=self.mapping.starting_position,
            )["ShardIterator"]
        )

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        page = self.client.get_records(ShardIterator=iterator, Limit=min(limit, 1000))
        return list(page["Records"]), page.get("NextShardIterator")

    def event(self, shard: str, records: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: ARG002
        return dynamodb_event(records, self.stream_arn)

    def item_id(self, record: dict[str, Any]) -> str:
        return str(record["dynamodb"]["SequenceNumber"])
