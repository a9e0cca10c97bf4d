"""The catalog indexer behind its queue (Dev's ``IndexQueue``), against moto: Lambda's
poller, partial batch responses and the redrive policy, with poison messages among good
ones. None is lost (each is indexed or in the dead-letter queue) and none of the good
ones is processed twice (each is received once, even when its batch had failures)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from catalog_indexer import app as indexer_app

from shop_common import catalog_keys
from tests.support.sqs_poller import backlog, drain, queue_from_template
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact

TABLE, RAW = "catalog", "lake-raw"
GOOD = 23


class Context:
    function_name, memory_limit_in_mb, aws_request_id = "indexer", 256, "r"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:indexer"


def created(key: str, sequencer: int, bucket: str = RAW) -> str:
    return json.dumps(
        {
            "id": f"event-{key}-{sequencer}",
            "source": "aws.s3",
            "detail-type": "Object Created",
            "time": "2026-11-23T10:00:00Z",
            "detail": {
                "bucket": {"name": bucket},
                "object": {"key": key, "size": 3, "sequencer": f"{sequencer:X}"},
            },
        }
    )


@pytest.fixture
def lake(
    aws: str, stack_artifacts: dict[str, StackArtifact], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    stack = stack_artifacts["Dev/DataLake"]
    create_table_like(stack, "CatalogTable", TABLE)
    boto3.client("s3").create_bucket(Bucket=RAW)
    monkeypatch.setenv("CATALOG_TABLE", TABLE)
    monkeypatch.setenv("LAKE_ZONES", json.dumps({RAW: "raw", "lake-gone": "curated"}))
    indexer_app._adapters.cache_clear()
    resources = stack.template()["Resources"]
    (queue_id,) = [
        k
        for k, r in resources.items()
        if r["Type"] == "AWS::SQS::Queue"
        and k.startswith("IndexQueue")
        and "RedrivePolicy" in r["Properties"]
    ]
    return queue_from_template(resources, queue_id, "index", visibility_timeout=1)


def invoke(event: dict[str, Any]) -> Any:
    return indexer_app.handler(event, Context())


def test_poison_messages_end_in_the_dead_letter_queue_and_good_ones_are_indexed_once(
    lake: tuple[str, str],
) -> None:
    url, dead_url = lake
    sqs, s3 = boto3.client("sqs"), boto3.client("s3")
    good = []
    for n in range(GOOD):
        key = f"orders/dt=2026-11-{n % 28 + 1:02d}/part-{n}.json"
        s3.put_object(Bucket=RAW, Key=key, Body=b"{}\n", Tagging="team=shop")
        good.append(created(key, n + 1))
    poison = [
        "not json at all",
        json.dumps({"source": "aws.s3", "detail-type": "Object Created", "detail": {}}),
        created("orders/dt=2026-11-01/lost.json", 1, bucket="lake-gone"),  # S3 refuses
    ]
    bodies = [*good, good[0], *poison]  # EventBridge delivers at least once: a repeat too
    for n in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[n : n + 10])]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)

    seen = drain(url, invoke, batch_size=10)

    assert backlog(url) == 0
    dead = sqs.receive_message(QueueUrl=dead_url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in dead) == sorted(poison)  # and nothing else
    # Every message is accounted for: processed (deleted) once, or dead-lettered.
    assert len(seen.processed) + len(dead) == len(bodies)
    assert len(set(seen.processed)) == len(seen.processed)
    # Good messages shared batches with poison ones, yet each was received once only.
    repeated = {seen.bodies[m]: seen.received[m] for m in seen.processed if seen.received[m] > 1}
    assert repeated == {}
    # The redrive policy's receive limit, no more and no less, for each poison message.
    poison_ids = [m for m, body in seen.bodies.items() if body in poison]
    assert sorted(seen.received[m] for m in poison_ids) == [5, 5, 5]

    items = boto3.resource("dynamodb").Table(TABLE).scan(ConsistentRead=True)["Items"]
    indexed = sorted(str(i["key"]) for i in items if i["sk"] == catalog_keys.META)
    assert len(indexed) == GOOD  # the repeated event changed nothing


def test_a_batch_that_fails_whole_is_retried_whole(lake: tuple[str, str]) -> None:
    url, dead_url = lake
    boto3.client("sqs").send_message(QueueUrl=url, MessageBody="{")
    with pytest.raises(Exception, match="All 1 messages failed"):
        invoke({"Records": [{"messageId": "m1", "body": "{"}]})
    seen = drain(url, invoke)
    assert list(seen.received.values()) == [5]
    assert seen.processed == []
    assert backlog(dead_url) == 1
