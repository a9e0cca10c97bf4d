"""The live-updates handlers against DynamoDB and Secrets Manager in moto, and a loopback
stand-in for the stage's connections endpoint: every record of a batch accounted for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.support.live_updates import counter_image, route_event, stream_record
from tests.support.tables import create_table_like
from tests.support.usage_events import FakeContext
from tools.assembly import StackArtifact
from tools.live_endpoint import ConnectionsEndpoint

TABLE = "live-connections"


@pytest.fixture
def connections(
    aws: str, stack_artifacts: dict[str, StackArtifact], monkeypatch: pytest.MonkeyPatch
) -> Any:
    """The connections table, created as the Dev Streaming stack defines it."""
    monkeypatch.setenv("CONNECTIONS_TABLE", TABLE)
    return create_table_like(stack_artifacts["Dev/Streaming"], "LiveConnectionsTable", TABLE)


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectionsEndpoint]:
    with ConnectionsEndpoint() as server:
        monkeypatch.setenv("CALLBACK_URL", server.callback_url)
        monkeypatch.setenv("LIVE_API_ID", "abc123")
        yield server


def _route(event: dict[str, Any]) -> dict[str, Any]:
    from live_updates.connections import ConnectionStore
    from live_updates.routes import route

    return route(event, ConnectionStore(TABLE))


def _connect(connection_id: str, topics: str | None = None) -> dict[str, Any]:
    return _route(
        route_event("$connect", connection_id, query={"topics": topics} if topics else None)
    )


def _send(connection_id: str, message: Any) -> dict[str, Any]:
    body = message if isinstance(message, str) else json.dumps(message)
    return _route(route_event("$default", connection_id, body=body))


def _items(table: Any) -> set[tuple[str, str]]:
    return {(i["pk"], i["sk"]) for i in table.scan(ConsistentRead=True)["Items"]}


def test_connect_subscribe_unsubscribe_and_disconnect_keep_the_table_exact(
    connections: Any,
) -> None:
    assert _connect("c1=", "all,product:p1") == {"statusCode": 200}
    answer = _send("c1=", {"action": "subscribe", "topics": ["event_type:view", "all"]})
    assert json.loads(answer["body"]) == {
        "type": "subscribed",
        "topics": ["event_type:view", "all"],
    }
    assert _items(connections) == {
        ("connection#c1=", "connection"),
        ("topic#all", "c1="),
        ("topic#product:p1", "c1="),
        ("topic#event_type:view", "c1="),
    }
    item = connections.get_item(Key={"pk": "connection#c1=", "sk": "connection"})["Item"]
    assert item["subject"] == "dashboard"
    assert item["topics"] == {"all", "product:p1", "event_type:view"}
    assert int(item["expires_at"]) > 0

    answer = _send("c1=", {"action": "unsubscribe", "topics": ["all"]})
    assert json.loads(answer["body"])["type"] == "unsubscribed"
    assert ("topic#all", "c1=") not in _items(connections)

    assert _route(route_event("$disconnect", "c1=")) == {"statusCode": 200}
    assert _items(connections) == set()
    assert _route(route_event("$disconnect", "c1=")) == {"statusCode": 200}  # twice is fine


@pytest.mark.parametrize(
    ("message", "named"),
    [
        ("not json", "JSON object"),
        ("[1, 2]", "JSON object"),
        ({"action": "shout"}, "action"),
        ({"action": "subscribe"}, "topics"),
        ({"action": "subscribe", "topics": "all"}, "topics"),
        ({"action": "subscribe", "topics": ["event_type:teleport"]}, "teleport"),
        ({"action": "subscribe", "topics": ["product:" + "x" * 200]}, "unknown topic"),
        ({"action": "subscribe", "topics": [f"product:p{i}" for i in range(51)]}, "at most 50"),
        ({"action": "subscribe", "topics": [7]}, "string"),
    ],
)
def test_bad_messages_are_answered_400_and_change_nothing(
    connections: Any, message: Any, named: str
) -> None:
    _connect("c1")
    before = _items(connections)
    answer = _send("c1", message)
    assert answer["statusCode"] == 400
    body = json.loads(answer["body"])
    assert body["type"] == "error"
    assert named in body["message"]
    assert _items(connections) == before


def test_a_connect_with_an_unknown_topic_is_refused_and_records_nothing(connections: Any) -> None:
    assert _connect("c1", "all,event_type:teleport")["statusCode"] == 400
    assert _items(connections) == set()


def test_ping_and_subscribing_a_gone_connection(connections: Any) -> None:
    _connect("c1")
    assert json.loads(_send("c1", {"action": "ping"})["body"]) == {"type": "pong"}
    answer = _send("nobody", {"action": "subscribe", "topics": ["all"]})
    assert answer["statusCode"] == 410
    assert _items(connections) == {("connection#c1", "connection")}


@pytest.fixture(autouse=True)
def _fresh_broadcaster(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test builds its broadcaster from its own environment."""
    monkeypatch.setenv("FANOUT_CONCURRENCY", "4")
    from live_updates import broadcaster

    broadcaster.broadcaster.cache_clear()
    yield
    broadcaster.broadcaster.cache_clear()


def _broadcast(records: list[dict[str, Any]]) -> dict[str, Any]:
    from live_updates import broadcaster

    response: dict[str, Any] = broadcaster.handler({"Records": records}, FakeContext())
    return response


def test_every_record_is_delivered_gone_connections_removed_other_failures_reported(
    connections: Any, endpoint: ConnectionsEndpoint
) -> None:
    _connect("product-fan", "product:p1")
    _connect("everything", "all")
    _connect("closed", "all,product:p2")
    _connect("broken", "event_type:click")
    _connect("both", "product:p2,all")  # two matching topics: one message
    _connect("quiet", "product:p9")
    endpoint.gone.add("closed")
    endpoint.failing.add("broken")
    view = stream_record(counter_image("p1", "view", 3))
    click = stream_record(counter_image("p2", "click", 1))
    ledger = stream_record({"product_id": {"S": "#ledger#shard"}, "event_type": {"S": "1-9"}})
    removed = stream_record(None, event_name="REMOVE")

    response = _broadcast([view, click, ledger, removed])

    click_sequence = click["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": click_sequence}]}
    delivered = endpoint.delivered()
    view_message = {
        "type": "count",
        "product_id": "p1",
        "event_type": "view",
        "count": 3,
        "sequence": view["dynamodb"]["SequenceNumber"],
    }
    click_message = {
        **view_message,
        "product_id": "p2",
        "event_type": "click",
        "count": 1,
        "sequence": click_sequence,
    }
    assert delivered == {
        "product-fan": [view_message],
        "everything": [view_message, click_message],
        "both": [view_message, click_message],
    }
    # The gone connection is forgotten with every subscription; the failing one is kept.
    assert not any("closed" in key for item in _items(connections) for key in item)
    assert ("connection#broken", "connection") in _items(connections)

    # Lambda retries the failed record: it reaches the recovered connection, and the
    # others receive the same absolute count again (idempotent for the page).
    endpoint.failing.clear()
    assert _broadcast([click]) == {"batchItemFailures": []}
    delivered = endpoint.delivered()
    assert delivered["broken"] == [click_message]
    assert delivered["everything"] == [view_message, click_message, click_message]


def test_fan_out_runs_at_most_the_configured_posts_at_a_time(
    connections: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(24):
        _connect(f"c{number}", "all")
    with ConnectionsEndpoint(delay_seconds=0.05) as server:
        monkeypatch.setenv("CALLBACK_URL", server.callback_url)
        assert _broadcast([stream_record(counter_image("p1", "view", 1))]) == {
            "batchItemFailures": []
        }
        assert len(server.delivered()) == 24
        assert 1 < server.max_in_flight <= 4


def test_a_batch_reads_each_topics_subscribers_once_and_skips_gone_connections_after(
    connections: Any, endpoint: ConnectionsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    from live_updates.connections import ConnectionStore

    _connect("everything", "all")
    _connect("closed", "all")
    _connect("p1-only", "product:p1")
    endpoint.gone.add("closed")
    read: list[str] = []
    original = ConnectionStore.subscribers

    def counting(self: Any, topic: str) -> list[str]:
        read.append(topic)
        return original(self, topic)

    monkeypatch.setattr(ConnectionStore, "subscribers", counting)
    records = [stream_record(counter_image("p1", "view", n)) for n in range(1, 21)]
    records += [stream_record(counter_image("p2", "click", 1))]
    assert _broadcast(records) == {"batchItemFailures": []}
    # all, product:p1, event_type:view, then product:p2 and event_type:click: once each.
    assert sorted(read) == sorted(
        ["all", "product:p1", "event_type:view", "product:p2", "event_type:click"]
    )
    delivered = endpoint.delivered()
    assert [m["count"] for m in delivered["everything"]] == [*range(1, 21), 1]
    assert [m["count"] for m in delivered["p1-only"]] == list(range(1, 21))
    # The gone connection got one attempt (410), not one per record, and is forgotten.
    posts_to_closed = [r for r in endpoint.requests if r[1].endswith("/@connections/closed")]
    assert len(posts_to_closed) == 1
    assert not any("closed" in key for item in _items(connections) for key in item)


def test_the_delivery_failure_log_line_is_what_the_patterns_metric_filter_counts(
    connections: Any, endpoint: ConnectionsEndpoint, caplog: pytest.LogCaptureFixture
) -> None:
    from patterns._live_source import DELIVERY_FAILED_FIELD, DELIVERY_FAILED_VALUE

    _connect("broken", "all")
    endpoint.failing.add("broken")
    # Every record failed: Powertools fails the whole invocation, so Lambda retries it.
    with pytest.raises(BatchProcessingError):
        _broadcast([stream_record(counter_image("p1", "view", 2))])
    [failure] = [
        r
        for r in caplog.records
        if getattr(r, DELIVERY_FAILED_FIELD, None) == DELIVERY_FAILED_VALUE
    ]
    assert failure.levelname == "WARNING"
    assert getattr(failure, "api_id", None) == "abc123"
    assert getattr(failure, "failed", None) == [
        {"connection": "broken", "error": "ForbiddenException"}
    ]


@pytest.fixture
def secret_arn(aws: str, monkeypatch: pytest.MonkeyPatch) -> str:
    arn = boto3.client("secretsmanager").create_secret(Name="live-token", SecretString="s3cret")[
        "ARN"
    ]
    monkeypatch.setenv("TOKEN_SECRET_ARN", arn)
    from live_updates import authorizer

    authorizer._cached.clear()
    return str(arn)


def _authorize(token: str | None) -> dict[str, Any]:
    from live_updates import authorizer

    event = {
        "type": "REQUEST",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/live/$connect",
        "queryStringParameters": {"token": token} if token is not None else None,
    }
    response: dict[str, Any] = authorizer.handler(event, FakeContext())
    return response


def test_the_authorizer_allows_a_signed_token_and_denies_the_rest(secret_arn: str) -> None:
    from live_updates.tokens import issue

    allowed = _authorize(issue(b"s3cret", "dashboard-7"))
    assert allowed["principalId"] == "dashboard-7"
    [statement] = allowed["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"].endswith("/live/$connect")
    for token in (
        None,
        "",
        "garbage",
        issue(b"other secret", "dashboard-7"),
        issue(b"s3cret", "dashboard-7", now=0),  # expired in 1970
        issue(b"s3cret", "x")[:-2] + "AA",
    ):
        denied = _authorize(token)
        assert denied["policyDocument"]["Statement"][0]["Effect"] == "Deny", token
