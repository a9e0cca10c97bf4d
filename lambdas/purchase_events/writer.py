"""Putting usage events into the Kinesis stream, retrying the entries Kinesis refuses."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shop_common.usage_events import UsageEvent

#: Most entries of one ``PutRecords`` call (Kinesis' limit).
MAX_ENTRIES = 500
#: Attempts per entry (the first included) before it is reported unwritten.
ATTEMPTS = 4
#: Pause before the second attempt, doubling after it (seconds).
FIRST_PAUSE = 0.1


class StreamWriter:
    """``put`` writes events to ``stream_name``; returns the indexes of those not written."""

    def __init__(
        self,
        stream_name: str,
        client: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.stream_name = stream_name
        self._client = client or boto3.client("kinesis")
        self._sleep = sleep

    def put(self, events: Sequence[UsageEvent]) -> list[int]:
        """Indexes (into ``events``) of the events still refused after :data:`ATTEMPTS`."""
        pending = list(range(len(events)))
        pause = FIRST_PAUSE
        for attempt in range(ATTEMPTS):
            if not pending:
                break
            if attempt:
                self._sleep(pause)
                pause *= 2
            refused: list[int] = []
            for start in range(0, len(pending), MAX_ENTRIES):
                chunk = pending[start : start + MAX_ENTRIES]
                try:
                    response = self._client.put_records(
                        StreamName=self.stream_name,
                        Records=[
                            {
                                "Data": events[i].to_json().encode(),
                                "PartitionKey": events[i].product_id,
                            }
                            for i in chunk
                        ],
                    )
                except (BotoCoreError, ClientError):
                    # The whole call failed (after botocore's own retries): none of the
                    # chunk was written, so it is retried like refused entries; raising
                    # would make Lambda redeliver chunks already written.
                    refused.extend(chunk)
                    continue
                if response.get("FailedRecordCount", 0):
                    refused.extend(
                        index
                        for index, result in zip(chunk, response["Records"], strict=True)
                        if "ErrorCode" in result
                    )
            pending = refused
        return pending
