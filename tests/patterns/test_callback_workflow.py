"""Callback tasks and express workflows: the definition run by the emulator's Step
Functions interpreter with a real task token (approved, refused, a missed heartbeat), the
responder's permissions evaluated, and the express workflow's settings as AWS applies
them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Template

from patterns import EventWorkflow, wait_for_callback
from patterns.callback_task import TIMEOUT_ERRORS
from tests.support.policies import ALLOW, IMPLICIT_DENY, Request, evaluate, role_statements
from tests.support.regulated_nag import lint_only_stack, regulated_findings
from tests.support.state_machines import ACCOUNT, render_definition
from tools.assembly import StackArtifact, stacks
from tools.moto_server import configure

PATTERN = {"source": ["shop.orders"], "detail-type": ["Order placed"]}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/review"


def review_workflow(
    stack: cdk.Stack, queue: sqs.IQueue, heartbeat: cdk.Duration | None = None
) -> EventWorkflow:
    """Wait for a reviewer; approved -> Approved, refused or timed out -> caught."""
    review = wait_for_callback(
        stack,
        "AwaitReview",
        queue=queue,
        message={"order_id": sfn.JsonPath.string_at("$.order_id")},
        timeout=cdk.Duration.minutes(10),
        heartbeat=heartbeat,
    )
    review.add_catch(sfn.Pass(stack, "Refused"), errors=["Rejected"], result_path="$.error")
    review.add_catch(
        sfn.Pass(stack, "TimedOut"),
        errors=list(TIMEOUT_ERRORS),
        result_path="$.error",
    )
    return EventWorkflow(
        stack,
        "Review",
        definition=review.next(sfn.Pass(stack, "Approved")),
        event_pattern=cdk.aws_events.EventPattern(
            source=PATTERN["source"], detail_type=PATTERN["detail-type"]
        ),
    )


def _synth(tmp: Path, heartbeat: cdk.Duration | None = None) -> StackArtifact:
    app = cdk.App(outdir=str(tmp))
    stack = cdk.Stack(app, "Review", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    queue = sqs.Queue(stack, "Reviews", enforce_ssl=True)
    review_workflow(stack, queue, heartbeat)
    app.synth()
    (artifact,) = stacks(tmp)
    return artifact


@pytest.fixture
def emulated(aws: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    configure(aws, {"stepfunctions": {"execute_state_machine": True}})
    monkeypatch.setenv("MOTO_PORT", str(urlparse(aws).port))
    yield aws
    configure(aws, {"stepfunctions": {"execute_state_machine": False}})


def _deploy(artifact: StackArtifact) -> tuple[str, str]:
    """The machine in the emulator, its queue's URL."""
    queue = boto3.client("sqs").create_queue(QueueName="reviews")["QueueUrl"]
    definition = render_definition(artifact, "Review", {"AWS::SQS::Queue": queue})
    machine = boto3.client("stepfunctions").create_state_machine(
        name="review", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return machine, queue


def _token(queue: str, order_id: str) -> str:
    """The task token of the review request for ``order_id``, as a reviewer receives it."""
    client = boto3.client("sqs")
    for _ in range(100):
        for message in client.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get(
            "Messages", []
        ):
            body = json.loads(message["Body"])
            assert body["order_id"] == order_id
            token: str = body["task_token"]
            return token
        time.sleep(0.05)
    raise AssertionError("no review request arrived")


def _finish(execution_arn: str, seconds: float = 20) -> dict[str, Any]:
    client = boto3.client("stepfunctions")
    for _ in range(int(seconds / 0.05)):
        described: dict[str, Any] = client.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("execution still running")


def _start(machine: str, order_id: str) -> str:
    arn: str = boto3.client("stepfunctions").start_execution(
        stateMachineArn=machine, input=json.dumps({"order_id": order_id})
    )["executionArn"]
    return arn


def _states(execution_arn: str) -> list[str]:
    events = boto3.client("stepfunctions").get_execution_history(executionArn=execution_arn)[
        "events"
    ]
    return [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]


def _definition(props: dict[str, Any]) -> dict[str, Any]:
    """The state machine's definition, references shown as ``<ref>``."""
    body = props["DefinitionString"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    text = "".join(p if isinstance(p, str) else "<ref>" for p in parts)
    definition: dict[str, Any] = json.loads(text)
    return definition


def test_an_approval_resumes_the_workflow_with_its_answer(emulated: str, tmp_path: Path) -> None:
    machine, queue = _deploy(_synth(tmp_path))
    execution = _start(machine, "o-1")
    token = _token(queue, "o-1")
    boto3.client("stepfunctions").send_task_success(
        taskToken=token, output=json.dumps({"approved_by": "admin"})
    )
    done = _finish(execution)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"order_id": "o-1", "callback": {"approved_by": "admin"}}
    assert _states(execution) == ["AwaitReview", "Approved"]


def test_a_refusal_is_caught_as_the_recipient_named_it(emulated: str, tmp_path: Path) -> None:
    machine, queue = _deploy(_synth(tmp_path))
    execution = _start(machine, "o-2")
    boto3.client("stepfunctions").send_task_failure(
        taskToken=_token(queue, "o-2"), error="Rejected", cause="price too high"
    )
    done = _finish(execution)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"])["error"]["Error"] == "Rejected"
    assert _states(execution) == ["AwaitReview", "Refused"]


def test_a_missed_heartbeat_ends_the_wait(emulated: str, tmp_path: Path) -> None:
    machine, queue = _deploy(_synth(tmp_path, heartbeat=cdk.Duration.seconds(1)))
    execution = _start(machine, "o-3")
    _token(queue, "o-3")  # received, but nobody answers or beats
    # Over long before the task's 10-minute timeout: the 1-second heartbeat ended it. AWS
    # names that error States.HeartbeatTimeout; the emulator's interpreter States.Timeout,
    # which is why the catch takes both (as a workflow should: either ends the wait).
    done = _finish(execution)
    assert json.loads(done["output"])["error"]["Error"] in TIMEOUT_ERRORS
    assert _states(execution) == ["AwaitReview", "TimedOut"]


def test_the_definition_waits_for_the_token_with_its_deadlines(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Ops", enforce_ssl=True)
    task = wait_for_callback(
        stack,
        "Ask",
        topic=topic,
        message={"what": "approve"},
        timeout=cdk.Duration.hours(2),
        heartbeat=cdk.Duration.minutes(10),
    )
    EventWorkflow(stack, "Flow", definition=task, schedule="rate(1 day)")
    [machine] = (
        Template.from_stack(stack).find_resources("AWS::StepFunctions::StateMachine").values()
    )
    state = _definition(machine["Properties"])["States"]["Ask"]
    assert state["Resource"].endswith(":states:::sns:publish.waitForTaskToken")
    assert (state["TimeoutSeconds"], state["HeartbeatSeconds"]) == (7200, 600)
    assert state["Parameters"]["Message"]["task_token.$"] == "$$.Task.Token"


def test_the_responder_may_answer_this_workflow_only(stack: cdk.Stack) -> None:
    queue = sqs.Queue(stack, "Reviews", enforce_ssl=True)
    workflow = review_workflow(stack, queue)
    reviewer = iam.Role(stack, "Reviewer", assumed_by=iam.AccountRootPrincipal())
    workflow.grant_task_response(reviewer)
    template = Template.from_stack(stack).to_json()
    role = stack.get_logical_id(reviewer.node.default_child)  # type: ignore[arg-type]
    machine = {"Ref": stack.get_logical_id(workflow.state_machine.node.default_child)}  # type: ignore[arg-type]
    statements = role_statements(template, role)
    for action in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        assert evaluate(statements, Request(f"states:{action}", machine)) == ALLOW
    other = {"Ref": "SomeOtherMachine"}
    assert evaluate(statements, Request("states:SendTaskSuccess", other)) == IMPLICIT_DENY
    assert evaluate(statements, Request("states:StartExecution", machine)) == IMPLICIT_DENY


def test_an_express_workflow_logs_errors_and_alarms_on_timeouts(stack: cdk.Stack) -> None:
    flow = EventWorkflow(
        stack,
        "Price",
        definition=sfn.Pass(stack, "P"),
        schedule="rate(1 hour)",
        workflow_type="EXPRESS",
    )
    caller = iam.Role(stack, "Api", assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"))
    flow.grant_start_sync_execution(caller)
    template = Template.from_stack(stack)
    [machine] = template.find_resources("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    assert props["StateMachineType"] == "EXPRESS"
    assert props["LoggingConfiguration"]["Level"] == "ERROR"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False
    assert _definition(props)["TimeoutSeconds"] == 300
    # Step Functions sends no status-change events for express workflows: alarms instead.
    rules = template.find_resources("AWS::Events::Rule")
    assert [r for r in rules.values() if "aws.states" in json.dumps(r)] == []
    metrics = {
        a["Properties"]["MetricName"]
        for a in template.find_resources("AWS::CloudWatch::Alarm").values()
    }
    assert metrics == {
        "ExecutionsFailed",
        "ExecutionThrottled",
        "ExecutionsAborted",
        "ExecutionsTimedOut",
    }
    statements = role_statements(
        template.to_json(),
        stack.get_logical_id(caller.node.default_child),  # type: ignore[arg-type]
    )
    ref = {"Ref": stack.get_logical_id(flow.state_machine.node.default_child)}  # type: ignore[arg-type]
    assert evaluate(statements, Request("states:StartSyncExecution", ref)) == ALLOW


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda s, _q: wait_for_callback(s, "T", message={}, timeout=cdk.Duration.minutes(1)),
            ValueError,
            "exactly one of queue and topic",
        ),
        (
            lambda s, q: wait_for_callback(
                s, "T", queue=q, message={"task_token": "x"}, timeout=cdk.Duration.minutes(1)
            ),
            ValueError,
            "must not set 'task_token'",
        ),
        (
            lambda s, q: wait_for_callback(
                s,
                "T",
                queue=q,
                message={},
                timeout=cdk.Duration.minutes(1),
                heartbeat=cdk.Duration.minutes(1),
            ),
            ValueError,
            "heartbeat .1 minute. must be shorter than timeout",
        ),
        (
            lambda s, q: wait_for_callback(
                s, "T", queue=q, message={}, timeout=cdk.Duration.days(400)
            ),
            ValueError,
            "timeout",
        ),
        (
            lambda s, q: wait_for_callback(
                s,
                "T",
                queue=q,
                message=[("a", 1)],  # type: ignore[arg-type]
                timeout=cdk.Duration.minutes(1),
            ),
            TypeError,
            "message",
        ),
        (
            lambda s, _q: EventWorkflow(
                s,
                "W",
                definition=sfn.Pass(s, "P"),
                schedule="rate(1 day)",
                workflow_type="FAST",  # type: ignore[arg-type]
            ),
            ValueError,
            "workflow_type",
        ),
        (
            lambda s, _q: EventWorkflow(
                s,
                "W",
                definition=sfn.Pass(s, "P"),
                schedule="rate(1 day)",
                workflow_type="EXPRESS",
                timeout=cdk.Duration.minutes(6),
            ),
            ValueError,
            "timeout",
        ),
        (
            lambda s, _q: EventWorkflow(
                s,
                "W",
                definition=sfn.Pass(s, "P"),
                schedule="rate(1 day)",
                log_level=sfn.LogLevel.OFF,
            ),
            ValueError,
            "log_level OFF",
        ),
        (
            lambda s, _q: EventWorkflow(
                s, "W", definition=sfn.Pass(s, "P"), schedule="rate(1 day)"
            ).grant_start_sync_execution(iam.AccountRootPrincipal()),
            ValueError,
            "only EXPRESS workflows start synchronously",
        ),
    ],
)
def test_bad_arguments_are_refused(
    stack: cdk.Stack, make: Any, error: type[Exception], message: str
) -> None:
    queue = sqs.Queue(stack, "Q", enforce_ssl=True)
    with pytest.raises(error, match=message):
        make(stack, queue)


def test_no_findings_in_any_pack(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("callback")
    app = cdk.App(outdir=str(out))
    stack = cdk.Stack(app, "Review", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    queue = sqs.Queue(
        stack, "Reviews", enforce_ssl=True, encryption=sqs.QueueEncryption.KMS_MANAGED
    )
    review_workflow(stack, queue, heartbeat=cdk.Duration.minutes(1))
    EventWorkflow(
        stack,
        "Price",
        definition=sfn.Pass(stack, "P"),
        schedule="rate(1 hour)",
        workflow_type="EXPRESS",
    )
    findings = regulated_findings(app, stack, out)
    ours = [f for f in findings if "/Review/" in f or "/Price/" in f]
    assert ours == []
    assert lint_only_stack(out) == []
