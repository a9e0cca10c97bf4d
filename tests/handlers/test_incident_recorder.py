"""The incident recorder against DynamoDB in moto, with the table the stack defines."""

from __future__ import annotations

import json
from typing import Any

import pytest
from incident_recorder.incidents import InvalidNotificationError, parse_alarm_message
from incident_recorder.store import IncidentStore

from tests.support.tables import create_table_like
from tools.assembly import StackArtifact

TABLE = "incidents"


def alarm_message(state: str = "ALARM", when: str = "2026-11-23T10:15:00.123+0000") -> str:
    return json.dumps(
        {
            "AlarmName": "Dev-Operations-IncidentRecorderErrorsAlarm",
            "AlarmDescription": "errors",
            "AWSAccountId": "123456789012",
            "NewStateValue": state,
            "NewStateReason": "Threshold Crossed: 1 datapoint [2.0] was >= 1.0",
            "StateChangeTime": when,
            "Region": "US East (N. Virginia)",
            "OldStateValue": "OK" if state == "ALARM" else "ALARM",
            "Trigger": {
                "MetricName": "Errors",
                "Namespace": "AWS/Lambda",
                "Dimensions": [{"name": "FunctionName", "value": "recorder"}],
            },
        }
    )


def sns_event(*messages: str) -> dict[str, Any]:
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": m}} for m in messages]}


class FakeContext:
    function_name = "incident-recorder"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:incident-recorder"
    aws_request_id = "req-1"


@pytest.fixture
def table(aws: str, stack_artifacts: dict[str, StackArtifact]) -> Any:
    return create_table_like(stack_artifacts["Dev/Operations"], "IncidentsTable", TABLE)


def test_handler_records_alarm_and_ok_once(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENTS_TABLE", TABLE)
    from incident_recorder import app

    app._store.cache_clear()
    fired, cleared = alarm_message("ALARM"), alarm_message("OK", "2026-11-23T10:20:00.000+0000")
    result = app.handler(sns_event(fired, cleared, fired), FakeContext())

    assert result == {"recorded": 2, "duplicates": 1, "skipped": 0}
    items = sorted(table.scan()["Items"], key=lambda i: i["changed_at"])
    assert [(i["state"], i["status"]) for i in items] == [("ALARM", "open"), ("OK", "resolved")]
    assert items[0]["changed_at"] == "2026-11-23T10:15:00.123+00:00"
    assert items[0]["dimensions"] == {"FunctionName": "recorder"}
    assert items[0]["metric"] == "AWS/Lambda/Errors"
    assert int(items[0]["expires_at"]) > 1_790_000_000


def test_messages_that_are_not_alarms_are_skipped(table: Any) -> None:
    from incident_recorder.app import record_notifications

    result = record_notifications(
        sns_event("plain text", json.dumps({"AlarmName": "x"}), alarm_message()),
        IncidentStore(TABLE),
    )
    assert result == {"recorded": 1, "duplicates": 0, "skipped": 2}
    assert table.scan()["Count"] == 1


def test_store_reports_duplicates(table: Any) -> None:
    store = IncidentStore(TABLE)
    item = parse_alarm_message(alarm_message()).to_item()
    assert store.add(item) is True
    assert store.add(item) is False
    assert table.scan()["Count"] == 1


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("{", "not JSON"),
        ("[1]", "not a JSON object"),
        (json.dumps({"AlarmName": "a", "NewStateValue": "ALARM"}), "lacks StateChangeTime"),
        (
            json.dumps({"AlarmName": "a", "NewStateValue": "RED", "StateChangeTime": "x"}),
            "not an alarm state",
        ),
        (
            json.dumps({"AlarmName": "a", "NewStateValue": "OK", "StateChangeTime": "soon"}),
            "not a timestamp",
        ),
    ],
)
def test_parse_rejects_what_is_not_an_alarm(message: str, error: str) -> None:
    with pytest.raises(InvalidNotificationError, match=error):
        parse_alarm_message(message)
