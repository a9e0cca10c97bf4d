"""The local live backend (``tools/local_live``) behaves as the deployed path would for a
client: connects are authorized with issued tokens only, events put into the stream come
out as count messages with the right totals, and ``PostToConnection`` through boto3 reaches
an open socket or answers 410."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tools.assembly import StackArtifact
from tools.local_live import LocalLive
from tools.local_live.http_api import local_id_token
from tools.local_live.runtime import merge_environments, resolve_environment
from tools.local_live.settings import live_settings

QUIET = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_LOGGER_LOG_EVENT": "false"}


@pytest.fixture
def template(stack_artifacts: dict[str, StackArtifact]) -> dict[str, Any]:
    return stack_artifacts["Dev/Streaming"].template()


@pytest.fixture
def live(aws: str, template: dict[str, Any]) -> Iterator[LocalLive]:
    with LocalLive(template, kinesis_poll_seconds=0.25, environment=QUIET) as backend:
        yield backend


def _token(live: LocalLive, subject: str = "person-1") -> str:
    assert live.http is not None
    request = urllib.request.Request(
        f"{live.http.url}/live-token", headers={"Authorization": local_id_token(subject)}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["token"])


def test_settings_come_from_the_template(template: dict[str, Any]) -> None:
    settings = live_settings(template)
    mappings = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    assert sorted([settings.kinesis.batch_size, settings.table_stream.batch_size]) == sorted(
        m["BatchSize"] for m in mappings
    )
    assert settings.counts.create_arguments("t")["StreamSpecification"]["StreamEnabled"]
    assert settings.connections.ttl_attribute == "expires_at"
    broken = json.loads(json.dumps(template))
    for resource in broken["Resources"].values():
        if resource.get("Properties", {}).get("Handler") == "live_updates.broadcaster.handler":
            resource["Properties"]["Handler"] = "elsewhere.handler"
    with pytest.raises(ValueError, match=r"live_updates\.broadcaster\.handler"):
        live_settings(broken)


def test_environment_values_it_cannot_resolve_are_errors() -> None:
    assert resolve_environment({"A": {"Ref": "T"}, "B": "b"}, {"T": "table"}, {}) == {
        "A": "table",
        "B": "b",
    }
    with pytest.raises(ValueError, match="URL"):
        resolve_environment({"URL": {"Fn::Join": ["", ["x"]]}}, {}, {})
    with pytest.raises(ValueError, match="sets A"):
        merge_environments({"f": {"A": "1"}, "g": {"A": "2"}})


def test_only_issued_tokens_connect(live: LocalLive) -> None:
    assert live.websocket is not None
    with connect(f"{live.websocket.url}?token={_token(live)}") as socket:
        socket.send(json.dumps({"action": "subscribe", "topics": ["product:p1"]}))
        assert json.loads(socket.recv(timeout=10)) == {
            "type": "subscribed",
            "topics": ["product:p1"],
        }
    forged = _token(live).rsplit(".", 1)[0] + ".forged"
    for url, status in (
        (f"{live.websocket.url}?token={forged}", 403),
        (live.websocket.url, 401),
        (f"{live.websocket.url}?token={_token(live)}&topics=nonsense", 400),
    ):
        with pytest.raises(InvalidStatus) as refused, connect(url):
            pass
        assert refused.value.response.status_code == status


def test_events_put_into_the_stream_arrive_as_absolute_counts(live: LocalLive) -> None:
    assert live.websocket is not None
    events = [
        {
            "event_id": f"e{n}",
            "product_id": f"p{n % 2}",
            "event_type": "view",
            "occurred_at": "2026-12-01T10:00:00Z",
        }
        for n in range(7)
    ]
    with connect(f"{live.websocket.url}?token={_token(live)}&topics=all") as socket:
        live.put_events(events)
        latest: dict[str, int] = {}
        while latest != {"p0": 4, "p1": 3}:
            message = json.loads(socket.recv(timeout=20))
            assert message["type"] == "count"
            latest[message["product_id"]] = message["count"]


def test_post_to_connection_reaches_an_open_socket_or_answers_gone(live: LocalLive) -> None:
    assert live.http is not None
    assert live.websocket is not None
    client = boto3.client("apigatewaymanagementapi", endpoint_url=live.http.callback_url)
    with connect(f"{live.websocket.url}?token={_token(live)}") as socket:
        [connection_id] = live.websocket.open
        client.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"hello"}')
        assert json.loads(socket.recv(timeout=10)) == {"type": "hello"}
    with pytest.raises(ClientError) as gone:
        client.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    assert gone.value.response["Error"]["Code"] == "GoneException"
