"""Grants and metrics on the patterns that own a resource, as a CDK user expects them.

Each grant is judged by what IAM would decide for the grantee's role (its identity
policies evaluated for the request, and KMS's key policy where the data is encrypted),
including that it grants nothing more than asked (a read grant cannot write); and each
leaves no cdk-nag finding on the grantee, in a consumer's plain ``cdk.App()``, for a role
of the app and for an imported one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from patterns import (
    DataLake,
    EventWorkflow,
    OpsNotifications,
    SecureBucket,
    StreamIngestApi,
    StreamProcessor,
)
from tests.patterns import bad_inputs_cases as cases
from tests.support.policies import ALLOW, Request, evaluate, role_may_use_key, role_statements
from tools.assembly import validation_findings

#: An action and the resource it is on, read from the pattern.
Check = tuple[str, Callable[[Any], Any]]


def _bucket(stack: cdk.Stack) -> SecureBucket:
    key = kms.Key(stack, "DataKey", enable_key_rotation=True)
    return SecureBucket(stack, "Data", encryption_key=key)


def _stream(stack: cdk.Stack) -> StreamProcessor:
    return StreamProcessor(stack, "Usage", function=cases.function(stack))


def _workflow(stack: cdk.Stack) -> EventWorkflow:
    return EventWorkflow(stack, "Flow", definition=sfn.Pass(stack, "Step"), schedule="rate(1 day)")


def _ops(stack: cdk.Stack) -> OpsNotifications:
    return OpsNotifications(stack, "Ops")


def _ingest(stack: cdk.Stack) -> StreamIngestApi:
    return StreamIngestApi(stack, "Ingest")


def _lake(stack: cdk.Stack) -> DataLake:
    return DataLake(stack, "Lake")


def _workgroup(lake: Any) -> Any:
    stack = cdk.Stack.of(lake)
    return stack.format_arn(
        service="athena", resource="workgroup", resource_name=lake.workgroup.ref
    )


def _tables(lake: Any) -> Any:
    stack = cdk.Stack.of(lake)
    return stack.format_arn(
        service="glue", resource="table", resource_name=f"{lake.database_name}/*"
    )


def _stage_arn(pattern: Any) -> Any:
    return pattern.api.arn_for_execute_api("*", "/*", pattern.stage.stage_name)


CASES: list[tuple[Callable[[cdk.Stack], Any], str, list[Check], list[Check], str | None]] = [
    (
        _bucket,
        "grant_read",
        [
            ("s3:GetObject", lambda p: p.bucket.arn_for_objects("*")),
            ("s3:ListBucket", lambda p: p.bucket.bucket_arn),
        ],
        [("s3:PutObject", lambda p: p.bucket.arn_for_objects("*"))],
        "kms:Decrypt",
    ),
    (
        _bucket,
        "grant_write",
        [("s3:PutObject", lambda p: p.bucket.arn_for_objects("*"))],
        [("s3:GetObject", lambda p: p.bucket.arn_for_objects("*"))],
        "kms:GenerateDataKey",
    ),
    (
        _bucket,
        "grant_put",
        [("s3:PutObject", lambda p: p.bucket.arn_for_objects("*"))],
        [("s3:DeleteObject", lambda p: p.bucket.arn_for_objects("*"))],
        "kms:GenerateDataKey",
    ),
    (
        _bucket,
        "grant_read_write",
        [
            ("s3:GetObject", lambda p: p.bucket.arn_for_objects("*")),
            ("s3:PutObject", lambda p: p.bucket.arn_for_objects("*")),
        ],
        [("s3:PutBucketPolicy", lambda p: p.bucket.bucket_arn)],
        "kms:Decrypt",
    ),
    (
        _stream,
        "grant_put_records",
        [("kinesis:PutRecords", lambda p: p.stream.stream_arn)],
        [("kinesis:GetRecords", lambda p: p.stream.stream_arn)],
        None,  # the stream is encrypted with Kinesis's AWS-managed key
    ),
    (
        _stream,
        "grant_read",
        [
            ("kinesis:GetRecords", lambda p: p.stream.stream_arn),
            ("kinesis:GetShardIterator", lambda p: p.stream.stream_arn),
        ],
        [("kinesis:PutRecord", lambda p: p.stream.stream_arn)],
        None,
    ),
    (
        _workflow,
        "grant_start_execution",
        [("states:StartExecution", lambda p: p.state_machine.state_machine_arn)],
        [("states:DeleteStateMachine", lambda p: p.state_machine.state_machine_arn)],
        None,
    ),
    (
        _workflow,
        "grant_read",
        [("states:DescribeStateMachine", lambda p: p.state_machine.state_machine_arn)],
        [("states:StartExecution", lambda p: p.state_machine.state_machine_arn)],
        None,
    ),
    (
        _lake,
        "grant_query",
        [
            ("athena:StartQueryExecution", _workgroup),
            ("glue:GetTable", _tables),
            ("s3:GetObject", lambda p: p.curated_bucket.arn_for_objects("*")),
            ("s3:PutObject", lambda p: p.results_bucket.arn_for_objects("*")),
        ],
        [
            ("glue:DeleteTable", _tables),
            ("s3:PutObject", lambda p: p.curated_bucket.arn_for_objects("*")),
        ],
        None,
    ),
    (
        _ingest,
        "grant_execute",
        [("execute-api:Invoke", _stage_arn)],
        [("execute-api:ManageConnections", _stage_arn)],
        None,
    ),
    (
        _ingest,
        "grant_put_records",
        [("kinesis:PutRecords", lambda p: p.stream.stream_arn)],
        [("kinesis:DeleteStream", lambda p: p.stream.stream_arn)],
        None,
    ),
    (
        _ops,
        "grant_publish",
        [("sns:Publish", lambda p: p.topic.topic_arn)],
        [("sns:Subscribe", lambda p: p.topic.topic_arn)],
        "kms:GenerateDataKey",
    ),
]


def _key_id(stack: cdk.Stack, pattern: Any) -> str:
    for name in ("bucket", "stream", "topic"):
        resource = getattr(pattern, name, None)
        key = getattr(resource, "encryption_key", None) or getattr(resource, "master_key", None)
        if key is not None:
            return str(stack.resolve(key.key_arn)["Fn::GetAtt"][0])
    raise AssertionError(f"{pattern.node.path} has no key")


@pytest.mark.parametrize(
    ("make", "grant", "allowed", "denied", "key_action"),
    CASES,
    ids=[f"{m.__name__.strip('_')}-{g}" for m, g, *_ in CASES],
)
def test_a_grant_gives_what_it_says_and_no_more(
    make: Callable[[cdk.Stack], Any],
    grant: str,
    allowed: list[Check],
    denied: list[Check],
    key_action: str | None,
) -> None:
    stack = cdk.Stack(cdk.App(), "Grants")
    pattern = make(stack)
    role = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    returned = getattr(pattern, grant)(role)
    assert isinstance(returned, iam.Grant)
    assert returned.success
    template = Template.from_stack(stack).to_json()
    role_id = stack.get_logical_id(role.node.default_child)  # type: ignore[arg-type]
    statements = role_statements(template, role_id)
    for action, resource in allowed:
        request = Request(action, stack.resolve(resource(pattern)))
        assert evaluate(statements, request) == ALLOW, action
    for action, resource in denied:
        request = Request(action, stack.resolve(resource(pattern)))
        assert evaluate(statements, request) != ALLOW, action
    if key_action is not None:
        key_id = _key_id(stack, pattern)
        assert role_may_use_key(template, role_id=role_id, key_id=key_id, action=key_action)


@pytest.mark.parametrize("imported", [False, True], ids=["app role", "imported role"])
def test_grants_leave_no_finding_on_the_grantee(tmp_path: Path, imported: bool) -> None:
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Consumer")
    if imported:
        role: iam.IRole = iam.Role.from_role_arn(
            stack, "Reader", f"arn:aws:iam::{cases.ACCOUNT}:role/reader"
        )
    else:
        role = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())
    made: dict[str, Any] = {}
    for make, grant, *_ in CASES:
        if make.__name__ not in made:
            made[make.__name__] = make(stack)
        getattr(made[make.__name__], grant)(role)
    cdk.Validations.of(stack).add_plugins(AwsSolutionsChecks(stack))
    with contextlib.suppress(RuntimeError):
        app.synth()
    findings = [
        f
        for f in validation_findings(tmp_path).get("Consumer", [])
        if "/Reader" in f.construct_path
    ]
    assert findings == []


@pytest.mark.parametrize(
    ("make", "metric", "namespace", "name"),
    [
        (_stream, "metric_iterator_age", "AWS/Lambda", "IteratorAge"),
        (_stream, "metric_incoming_records", "AWS/Kinesis", "IncomingRecords"),
        (_workflow, "metric_failed", "AWS/States", "ExecutionsFailed"),
        (_workflow, "metric_timed_out", "AWS/States", "ExecutionsTimedOut"),
        (_workflow, "metric_succeeded", "AWS/States", "ExecutionsSucceeded"),
        (_ops, "metric_notifications_failed", "AWS/SNS", "NumberOfNotificationsFailed"),
        (_ingest, "metric_count", "AWS/ApiGateway", "Count"),
        (_ingest, "metric_server_errors", "AWS/ApiGateway", "5XXError"),
    ],
)
def test_metrics_name_the_pattern_resource(
    make: Callable[[cdk.Stack], Any], metric: str, namespace: str, name: str
) -> None:
    stack = cdk.Stack(cdk.App(), "Metrics")
    made = getattr(make(stack), metric)()
    assert (made.namespace, made.metric_name) == (namespace, name)
    assert made.dimensions, "a metric without dimensions watches every resource of its kind"
