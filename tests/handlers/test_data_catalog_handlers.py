"""The catalog indexer and search against S3 and DynamoDB in moto (table from the template)."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import boto3
import pytest
from catalog_indexer import app as indexer_app
from catalog_indexer.app import index_event
from catalog_indexer.catalog import CatalogTable, LakeObjects
from catalog_search import app as search_app

from tests.support.tables import create_table_like
from tools.assembly import StackArtifact

TABLE, RAW, OUTSIDE = "catalog", "lake-raw", "not-the-lake"
ZONES = {RAW: "raw"}
_sequence = count(1)


@pytest.fixture
def lake(
    aws: str, stack_artifacts: dict[str, StackArtifact], monkeypatch: pytest.MonkeyPatch
) -> Any:
    create_table_like(stack_artifacts["Dev/DataLake"], "CatalogTable", TABLE)
    s3 = boto3.client("s3")
    for bucket in (RAW, OUTSIDE):
        s3.create_bucket(Bucket=bucket)
    monkeypatch.setenv("CATALOG_TABLE", TABLE)
    monkeypatch.setenv("LAKE_ZONES", json.dumps(ZONES))
    indexer_app._adapters.cache_clear()
    search_app._search.cache_clear()
    return s3


def put(s3: Any, key: str, tags: dict[str, str], bucket: str = RAW) -> dict[str, Any]:
    tagging = "&".join(f"{k}={v}" for k, v in tags.items())
    s3.put_object(Bucket=bucket, Key=key, Body=b"{}\n" * 10, Tagging=tagging)
    return s3_event("Object Created", bucket, key, size=30)


def s3_event(
    kind: str, bucket: str, key: str, size: int = 0, sequencer: str | None = None
) -> dict[str, Any]:
    return {
        "id": f"event-{next(_sequence)}",
        "source": "aws.s3",
        "detail-type": kind,
        "time": "2026-11-23T10:00:00Z",
        "detail": {
            "bucket": {"name": bucket},
            "object": {"key": key, "size": size, "sequencer": sequencer or f"{next(_sequence):X}"},
        },
    }


def index(event: dict[str, Any]) -> str:
    return index_event(event, CatalogTable(TABLE), LakeObjects(), ZONES)


def items() -> list[dict[str, Any]]:
    return boto3.resource("dynamodb").Table(TABLE).scan(ConsistentRead=True)["Items"]


def api(path: str, **query: str) -> tuple[int, dict[str, Any]]:
    event = {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {},
        "queryStringParameters": query or None,
        "requestContext": {"requestId": "r1", "stage": "v1", "path": path},
        "body": None,
        "isBase64Encoded": False,
    }
    response = search_app.app.resolve(event, None)
    return response["statusCode"], json.loads(response["body"])


def test_created_objects_are_indexed_with_metadata(lake: Any) -> None:
    outcome = index(put(lake, "events/year=2026/month=11/day=23/part-1.json.gz", {"team": "shop"}))
    assert outcome == "indexed"
    meta = next(i for i in items() if i["sk"] == "META")
    assert meta["dataset"] == "events"
    assert meta["date"] == "2026-11-23"
    assert meta["partition"] == {"year": "2026", "month": "11", "day": "23", "date": "2026-11-23"}
    assert meta["size"] == 30
    assert meta["zone"] == "raw"
    assert meta["tags"] == ["team=shop"]
    assert sorted(i["sk"] for i in items()) == ["META", "TAG#team=shop"]


def test_removed_objects_disappear_with_their_tags(lake: Any) -> None:
    index(put(lake, "events/dt=2026-11-20/a.json", {"team": "shop", "pii": "no"}))
    lake.delete_object(Bucket=RAW, Key="events/dt=2026-11-20/a.json")
    assert index(s3_event("Object Deleted", RAW, "events/dt=2026-11-20/a.json")) == "removed"
    assert items() == []


def test_replayed_and_out_of_order_events_change_nothing(lake: Any) -> None:
    created = put(lake, "orders/dt=2026-11-21/o.csv", {"team": "ops"})
    assert index(created) == "indexed"
    assert index(created) == "stale"  # redelivery
    old_delete = s3_event("Object Deleted", RAW, "orders/dt=2026-11-21/o.csv", sequencer="1")
    assert index(old_delete) == "stale"  # older than what is indexed
    assert len(items()) == 2


def test_retagged_object_drops_old_tags(lake: Any) -> None:
    index(put(lake, "events/dt=2026-11-22/b.json", {"team": "shop"}))
    index(put(lake, "events/dt=2026-11-22/b.json", {"owner": "data"}))
    assert sorted(i["sk"] for i in items()) == ["META", "TAG#owner=data"]


def test_events_outside_the_lake_are_ignored(lake: Any) -> None:
    assert index(put(lake, "events/x.json", {"team": "shop"}, bucket=OUTSIDE)) == "ignored"
    assert items() == []


@pytest.mark.parametrize(
    "event",
    [
        {"source": "aws.ec2", "detail-type": "Object Created", "detail": {}},
        {"source": "aws.s3", "detail-type": "Object Created", "detail": {"bucket": {}}},
        {
            "source": "aws.s3",
            "detail-type": "Object Created",
            "detail": {"bucket": {"name": RAW}, "object": {"key": "k", "sequencer": "zz"}},
        },
    ],
)
def test_malformed_event_is_logged_and_writes_nothing(
    lake: Any, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    assert index(event) == "rejected"
    assert items() == []
    [error] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert error.getMessage() == "Rejected a malformed S3 event"
    assert getattr(error, "reason", "")


def test_handler_reads_its_configuration(lake: Any) -> None:
    event = put(lake, "events/dt=2026-11-23/c.json", {"team": "shop"})

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = "indexer", 256, "r"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:indexer"

    assert indexer_app.handler(event, Context()) == {"outcome": "indexed"}


def test_search_datasets_by_tag_paginates_exactly(lake: Any) -> None:
    for dataset in ("alpha", "beta", "gamma", "delta"):
        for n in range(3):
            index(put(lake, f"{dataset}/dt=2026-11-0{n + 1}/{n}.json", {"team": "shop"}))
    index(put(lake, "other/dt=2026-11-01/x.json", {"team": "ops"}))
    status, first = api("/datasets", tag="team=shop", limit="3")
    assert status == 200
    assert first["datasets"] == ["alpha", "beta", "delta"]
    status, second = api("/datasets", tag="team=shop", limit="3", next=first["next"])
    assert (status, second) == (200, {"datasets": ["gamma"], "next": None})
    assert api("/datasets", tag="team=ops")[1] == {"datasets": ["other"], "next": None}
    assert api("/datasets", tag="team=nobody")[1] == {"datasets": [], "next": None}


def test_search_objects_of_dataset_between_dates(lake: Any) -> None:
    for day in range(1, 8):
        index(put(lake, f"events/dt=2026-11-0{day}/part.json", {"team": "shop"}))
    index(put(lake, "orders/dt=2026-11-03/o.json", {"team": "shop"}))
    pages, token = [], None
    while True:
        query = {"from": "2026-11-02", "to": "2026-11-05", "limit": "3"}
        if token:
            query["next"] = token
        status, page = api("/datasets/events/objects", **query)
        assert status == 200
        pages.append([o["date"] for o in page["objects"]])
        token = page["next"]
        if token is None:
            break
    assert [d for page in pages for d in page] == [
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
    ]
    assert pages[0] == ["2026-11-02", "2026-11-03", "2026-11-04"]


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        ("/datasets", {}, "tag is required"),
        ("/datasets", {"tag": "team=shop", "limit": "0"}, "limit must be"),
        ("/datasets", {"tag": "team=shop", "next": "%%%"}, "next is not a token"),
        ("/datasets/events/objects", {"from": "yesterday"}, "from must be a date"),
        (
            "/datasets/events/objects",
            {"from": "2026-11-05", "to": "2026-11-01"},
            "must not be after",
        ),
    ],
)
def test_search_rejects_bad_parameters(
    lake: Any, path: str, query: dict[str, str], message: str
) -> None:
    status, body = api(path, **query)
    assert status == 400
    assert message in body["message"]


def test_unknown_route_is_404(lake: Any) -> None:
    assert api("/nothing")[0] == 404
