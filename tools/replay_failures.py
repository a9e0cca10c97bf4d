"""Replay the usage aggregator's failure queue: count every abandoned record exactly once.

Each message is a Lambda on-failure record naming a shard and a sequence range; the
range is read back from the stream and counted by the aggregator's own code
(``lambdas/usage_aggregator/replay.py``). A replayed message is deleted; one that fails
stays in the queue (it reappears after its visibility timeout) and is safe to replay
again. Needs the AWS credentials of an operator allowed to read the queue and the stream
and to update the counts table.

    python -m tools.replay_failures --queue-url URL --table TABLE [--max-messages N] [--keep]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from typing import Any

from tools.measure import LAMBDAS


def _messages(sqs: Any, queue_url: str, limit: int) -> Iterator[dict[str, Any]]:
    seen = 0
    while seen < limit:
        page = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=min(10, limit - seen), WaitTimeSeconds=1
        ).get("Messages", [])
        if not page:
            return
        seen += len(page)
        yield from page


def main(argv: list[str] | None = None, *, clients: dict[str, Any] | None = None) -> int:
    """Replay up to ``--max-messages`` messages; exit status 1 if any could not be replayed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queue-url", required=True, help="the aggregator's on-failure queue")
    parser.add_argument("--table", required=True, help="the counts table")
    parser.add_argument("--max-messages", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="do not delete replayed messages")
    args = parser.parse_args(argv)

    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "usage-replay")
    if str(LAMBDAS) not in sys.path:
        sys.path.insert(0, str(LAMBDAS))
    import boto3
    from usage_aggregator.counters import CounterStore
    from usage_aggregator.replay import FailedBatch, replay_failed_batch

    clients = clients or {name: boto3.client(name) for name in ("sqs", "kinesis", "dynamodb")}
    store = CounterStore(args.table, client=clients["dynamodb"])
    status = 0
    for message in _messages(clients["sqs"], args.queue_url, args.max_messages):
        try:
            batch = FailedBatch.from_message(message["Body"])
            result = replay_failed_batch(batch, clients["kinesis"], store)
        except Exception as error:  # this message stays in the queue; go on with the others
            print(f"{message['MessageId']}: not replayed: {error!r}", file=sys.stderr)
            status = 1
            continue
        print(
            f"{batch.token}: {result.records} records, {result.counted} recovered, "
            f"{result.already_counted} already counted, {result.rejected} rejected"
        )
        if not args.keep:
            clients["sqs"].delete_message(
                QueueUrl=args.queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
