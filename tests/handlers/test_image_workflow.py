"""The image workflow's definition, as synthesized, run by moto's Step Functions interpreter.

moto cannot run Lambda functions here (no container runtime), so the test variant swaps
the one Lambda task (``MakeThumbnail``) for a Pass state with the function's output
shape; Choice, Parallel, the Rekognition and DynamoDB service integrations, Retry, Catch
and the SNS failure notification run as deployed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest

from tests.support.state_machines import ACCOUNT, render_definition
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact
from tools.moto_server import configure

TABLE = "image-metadata"
#: What the thumbnail function returns (tests/handlers/test_image_thumbnail.py runs it).
THUMBNAIL = {
    "format": "png",
    "width": 1024,
    "height": 512,
    "thumbnail": {
        "bucket": "images",
        "key": "thumbnails/products/shoe.png",
        "content_type": "image/png",
        "width": 256,
        "height": 128,
        "bytes": 4096,
    },
}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/image-workflow"


def upload_event(key: str) -> dict[str, Any]:
    return {
        "version": "0",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "time": "2026-11-23T10:00:00Z",
        "detail": {"bucket": {"name": "images"}, "object": {"key": key, "size": 2048}},
    }


def with_pass_for_lambda(definition: dict[str, Any]) -> dict[str, Any]:
    """``definition`` with its Lambda task replaced by a Pass state of the same output."""
    thumbnail = definition["States"]["Analyse"]["Branches"][0]["States"]["MakeThumbnail"]
    assert thumbnail["Type"] == "Task"
    assert "lambda" in thumbnail["Resource"] or ":function:" in json.dumps(thumbnail)
    definition["States"]["Analyse"]["Branches"][0]["States"]["MakeThumbnail"] = {
        "Type": "Pass",
        "Result": THUMBNAIL,
        "End": True,
    }
    return definition


@pytest.fixture
def workflow(
    aws: str, stack_artifacts: dict[str, StackArtifact], monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """The workflow in moto with its table and topic; yields their ARNs and names."""
    configure(aws, {"stepfunctions": {"execute_state_machine": True}})
    # The interpreter's service integrations call http://localhost:$MOTO_PORT.
    monkeypatch.setenv("MOTO_PORT", str(urlparse(aws).port))
    stack = stack_artifacts["Dev/Operations"]
    create_table_like(stack, "ImageRecognitionMetadata", TABLE)
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue = sqs.create_queue(QueueName="ops-mail")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    definition = render_definition(
        stack,
        "ImageRecognitionWorkflow",
        {
            "AWS::DynamoDB::Table": TABLE,
            "AWS::SNS::Topic": topic,
            "AWS::Lambda::Alias": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnail:live",
        },
    )
    machine = boto3.client("stepfunctions").create_state_machine(
        name="images", definition=json.dumps(with_pass_for_lambda(definition)), roleArn=ROLE
    )["stateMachineArn"]
    try:
        yield {"machine": machine, "queue": queue}
    finally:
        configure(aws, {"stepfunctions": {"execute_state_machine": False}})


def run(machine: str, name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Start a named execution and wait until it is no longer running."""
    client = boto3.client("stepfunctions")
    execution = client.start_execution(stateMachineArn=machine, name=name, input=json.dumps(event))
    for _ in range(200):
        described: dict[str, Any] = client.describe_execution(
            executionArn=execution["executionArn"]
        )
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"execution {name} still running")


def history(execution: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = boto3.client("stepfunctions").get_execution_history(
        executionArn=execution["executionArn"]
    )["events"]
    return events


def entered_states(execution: dict[str, Any]) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in history(execution)
        if "stateEnteredEventDetails" in e
    ]


def test_a_png_is_analysed_and_stored(workflow: dict[str, str]) -> None:
    execution = run(workflow["machine"], "png-upload", upload_event("products/shoe.png"))

    assert execution["status"] == "SUCCEEDED", history(execution)[-1]
    states = entered_states(execution)
    assert states[0] == "CheckType"
    assert states[-1] == "Stored"
    assert {"Analyse", "MakeThumbnail", "DetectLabels", "StoreMetadata"} <= set(states)
    item = (
        boto3.resource("dynamodb")
        .Table(TABLE)
        .get_item(Key={"image_key": "products/shoe.png"})["Item"]
    )
    assert item["bucket"] == "images"
    assert item["uploaded_at"] == "2026-11-23T10:00:00Z"
    assert json.loads(str(item["image"])) == THUMBNAIL
    # moto's canned DetectLabels answer. Its intrinsic-function JSONPath hands a list
    # value back inside the list of matches; Step Functions gives the list itself.
    assert json.loads(str(item["labels"])) in (["Mobile Phone"], [["Mobile Phone"]])


def test_an_unsupported_type_fails_at_the_choice(workflow: dict[str, str]) -> None:
    execution = run(workflow["machine"], "pdf-upload", upload_event("manuals/shoe.pdf"))

    assert execution["status"] == "FAILED"
    assert entered_states(execution) == ["CheckType", "UnsupportedType"]
    failed = history(execution)[-1]
    assert failed["type"] == "ExecutionFailed"
    assert failed["executionFailedEventDetails"]["error"] == "UnsupportedImageType"
    assert boto3.resource("dynamodb").Table(TABLE).scan()["Count"] == 0


def test_a_failed_store_is_caught_and_notified(workflow: dict[str, str]) -> None:
    boto3.client("dynamodb").delete_table(TableName=TABLE)

    execution = run(workflow["machine"], "lost-table", upload_event("products/hat.jpg"))

    assert execution["status"] == "FAILED"
    states = entered_states(execution)
    assert states[-3:] == ["StoreMetadata", "NotifyFailure", "ProcessingFailed"]
    failed = history(execution)[-1]
    assert failed["executionFailedEventDetails"]["error"] == "ImageProcessingFailed"
    messages = boto3.client("sqs").receive_message(QueueUrl=workflow["queue"])["Messages"]
    notification = json.loads(json.loads(messages[0]["Body"])["Message"])
    assert notification["image"] == "products/hat.jpg"
    assert "Error" in notification["error"]


def test_the_trigger_ignores_the_thumbnails_the_workflow_writes(
    aws: str, stack_artifacts: dict[str, StackArtifact]
) -> None:
    """The synthesized rule's pattern, on moto's default bus: thumbnails start nothing."""
    resources = stack_artifacts["Dev/Operations"].template()["Resources"]
    (pattern,) = (
        r["Properties"]["EventPattern"]
        for r in resources.values()
        if r["Type"] == "AWS::Events::Rule"
        and r["Properties"].get("EventPattern", {}).get("detail-type") == ["Object Created"]
    )
    pattern["detail"]["bucket"]["name"] = ["images"]
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue = sqs.create_queue(QueueName="started")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="uploads", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="uploads", Targets=[{"Id": "queue", "Arn": queue_arn}])

    for key in ("products/shoe.png", "thumbnails/products/shoe.png"):
        event = upload_event(key)
        events.put_events(
            Entries=[
                {
                    "Source": event["source"],
                    "DetailType": event["detail-type"],
                    "Detail": json.dumps(event["detail"]),
                }
            ]
        )

    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["detail"]["object"]["key"] for m in messages] == [
        "products/shoe.png"
    ]
