"""Imported resources, one rule for every pattern (patterns/_imported.py).

For every pattern that invokes or grants to a function it is given, and for each way of
importing a function into an environment-agnostic stack and into one with an environment:
either the template lets the service invoke the function (an ``AWS::Lambda::Permission``
for that service's principal on that function, or an identity policy of this stack's role
when CDK knows the account) and CDK left no "has no effect" warning, or the constructor
raised a ``ValueError`` naming the argument and what to pass instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, PCIDSS321Checks

from patterns import (
    AlarmResponder,
    ApiCallMatch,
    DataCatalog,
    PolicyEnforcer,
    Route,
    ScheduledJob,
    SecureBucket,
    ServerlessApi,
    StreamProcessor,
    create_alarm,
)
from tests.support.cdk_app import cli_context
from tools.assembly import validation_findings

ACCOUNT, REGION = "111111111111", "eu-west-1"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:imported"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/imported"
STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/orders"

ENVIRONMENTS = {
    "agnostic": None,
    "same-env": cdk.Environment(account=ACCOUNT, region=REGION),
    "other-account": cdk.Environment(account="222222222222", region=REGION),
}


def _role(stack: cdk.Stack) -> iam.IRole:
    return iam.Role.from_role_arn(stack, "ImportedRole", ROLE_ARN)


#: How the function is imported.
IMPORTS: dict[str, Callable[[cdk.Stack], lambda_.IFunction]] = {
    "from_function_arn": lambda s: lambda_.Function.from_function_arn(s, "Fn", ARN),
    "attributes+role": lambda s: lambda_.Function.from_function_attributes(
        s, "Fn", function_arn=ARN, role=_role(s)
    ),
    "attributes+same_environment": lambda s: lambda_.Function.from_function_attributes(
        s, "Fn", function_arn=ARN, same_environment=True
    ),
    "attributes+role+same_environment": lambda s: lambda_.Function.from_function_attributes(
        s, "Fn", function_arn=ARN, role=_role(s), same_environment=True
    ),
}


def _zone(stack: cdk.Stack) -> dict[str, s3.IBucket]:
    return {"raw": s3.Bucket.from_bucket_name(stack, "Raw", "lake-raw-bucket")}


def _alarm(stack: cdk.Stack) -> cloudwatch.Alarm:
    metric = cloudwatch.Metric(namespace="N", metric_name="M", dimensions_map={"D": "d"})
    return create_alarm(stack, "Alarm", metric=metric, threshold=1, description="d")


_MATCH = ApiCallMatch(name="M", event_source="s3.amazonaws.com", event_names=["PutBucketPolicy"])

#: pattern -> (build it with the function, the principal that must be allowed to invoke it
#: (None: identity policy only), needs a role, needs a resource permission, argument name)
PATTERNS: dict[str, tuple[Callable[[cdk.Stack, lambda_.IFunction], Any], str | None, bool]] = {
    "StreamProcessor": (
        lambda s, f: StreamProcessor(
            s,
            "P",
            function=f,
            stream=kinesis.Stream.from_stream_arn(s, "S", STREAM_ARN),
            retention_period=cdk.Duration.hours(48),
        ),
        "lambda-service",
        True,
    ),
    "ScheduledJob": (lambda s, f: ScheduledJob(s, "P", function=f), "scheduler-role", False),
    "ScheduledJob(use_rule)": (
        lambda s, f: ScheduledJob(s, "P", function=f, use_rule=True),
        "events.amazonaws.com",
        False,
    ),
    "PolicyEnforcer": (
        lambda s, f: PolicyEnforcer(s, "P", function=f, api_calls=[_MATCH]),
        "events.amazonaws.com",
        False,
    ),
    "AlarmResponder": (
        lambda s, f: AlarmResponder(s, "P", function=f, alarms=[_alarm(s)]),
        "sns.amazonaws.com",
        False,
    ),
    "ServerlessApi": (
        lambda s, f: ServerlessApi(s, "P", routes=[Route("GET", "/items", f)]),
        "apigateway.amazonaws.com",
        False,
    ),
    "DataCatalog": (
        lambda s, f: DataCatalog(s, "P", zones=_zone(s), indexer=f),
        "events.amazonaws.com",
        True,
    ),
}


def _stack(env: cdk.Environment | None) -> cdk.Stack:
    return cdk.Stack(cdk.App(context=cli_context()), "Consumer", env=env)


def _can_permit(stack: cdk.Stack, imported: str) -> bool:
    """What AWS will accept: a permission CDK can write, on a function known to be here."""
    if stack.environment == f"aws://{ACCOUNT}/{REGION}":
        return True
    agnostic = cdk.Token.is_unresolved(stack.account)
    return agnostic and "same_environment" in imported


def _permissions_for(template: Template, principal: str) -> list[dict[str, Any]]:
    found = template.find_resources("AWS::Lambda::Permission")
    return [
        r["Properties"]
        for r in found.values()
        if r["Properties"]["FunctionName"] == ARN
        and r["Properties"]["Action"] == "lambda:InvokeFunction"
        and (principal == "scheduler-role" or r["Properties"]["Principal"] == principal)
    ]


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
@pytest.mark.parametrize("imported", IMPORTS)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_imported_function_works_or_is_refused_by_name(
    pattern: str, imported: str, env_name: str
) -> None:
    stack = _stack(ENVIRONMENTS[env_name])
    function = IMPORTS[imported](stack)
    build, principal, needs_role = PATTERNS[pattern]
    must_permit = principal not in (None, "scheduler-role", "lambda-service")
    role_ok = not needs_role or ("role" in imported and env_name != "other-account")
    # Scheduler's role is in this stack: an identity policy suffices where CDK knows the
    # function is in this account; elsewhere CDK needs to write a resource permission.
    permit_ok = principal is None or _can_permit(stack, imported)
    if not (role_ok and permit_ok):
        with pytest.raises(ValueError, match="imported") as raised:
            build(stack, function)
        message = str(raised.value)
        argument = "indexer" if pattern == "DataCatalog" else "function"
        assert argument in message
        assert ARN in message
        assert ("role" if not role_ok else "same_environment=True") in message
        return
    build(stack, function)
    template = Template.from_stack(stack)
    warnings = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp("has no effect")
    )
    assert warnings == []
    if must_permit:
        assert principal is not None
        permissions = _permissions_for(template, principal)
        assert permissions, f"no permission for {principal} to invoke {ARN}"
    if principal == "scheduler-role":
        invoke = [
            s
            for p in template.find_resources("AWS::IAM::Policy").values()
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if s["Action"] == "lambda:InvokeFunction"
        ]
        assert invoke, "Scheduler's role may not invoke the function"
    if needs_role:
        policies = template.find_resources(
            "AWS::IAM::Policy", {"Properties": {"Roles": ["imported"]}}
        )
        assert policies, "the grants did not land on the imported role"


def test_data_catalog_acknowledges_on_the_role_the_grants_land_on() -> None:
    stack = _stack(ENVIRONMENTS["same-env"])
    function = IMPORTS["attributes+role"](stack)
    DataCatalog(stack, "Catalog", zones=_zone(stack), indexer=function)
    role = stack.node.find_child("ImportedRole")
    assert [c for c in role.node.children if isinstance(c, iam.Policy)]
    acknowledged = [m.data for m in role.node.metadata if m.type == "aws:cdk:acknowledged-rules"]
    assert "AwsSolutions-IAM5" in repr(acknowledged)
    [function_node] = [stack.node.find_child("Fn")]
    assert not [m for m in function_node.node.metadata if m.type == "aws:cdk:acknowledged-rules"]


def test_imported_stream_must_tell_its_retention() -> None:
    stack = _stack(ENVIRONMENTS["same-env"])
    function = IMPORTS["attributes+role"](stack)
    stream = kinesis.Stream.from_stream_arn(stack, "S", STREAM_ARN)
    with pytest.raises(ValueError, match=r"retention_period=.*imported|imported.*retention"):
        StreamProcessor(stack, "P", function=function, stream=stream)


def test_a_given_stream_defined_here_brings_its_own_retention() -> None:
    stack = _stack(ENVIRONMENTS["same-env"])
    function = IMPORTS["attributes+role"](stack)
    stream = kinesis.Stream(stack, "S", retention_period=cdk.Duration.hours(72))
    StreamProcessor(stack, "P", function=function, stream=stream)
    [mapping] = (
        Template.from_stack(stack).find_resources("AWS::Lambda::EventSourceMapping").values()
    )
    assert mapping["Properties"]["MaximumRecordAgeInSeconds"] == 72 * 3600


def test_catalog_turns_on_event_bridge_for_an_imported_bucket() -> None:
    stack = _stack(ENVIRONMENTS["same-env"])
    DataCatalog(stack, "Catalog", zones=_zone(stack), indexer=IMPORTS["attributes+role"](stack))
    [notifications] = (
        Template.from_stack(stack).find_resources("Custom::S3BucketNotifications").values()
    )
    props = notifications["Properties"]
    assert props["BucketName"] == "lake-raw-bucket"
    assert props["NotificationConfiguration"] == {"EventBridgeConfiguration": {}}
    assert props["Managed"] is False


@pytest.mark.parametrize("bridge", [True, False])
def test_catalog_refuses_a_bucket_of_this_app_without_event_bridge(
    bridge: bool, code_dir: Path
) -> None:
    stack = _stack(ENVIRONMENTS["same-env"])
    function = IMPORTS["attributes+role"](stack)
    secure = SecureBucket(stack, "Zone", event_bridge_enabled=bridge)
    plain = s3.Bucket(stack, "Plain", event_bridge_enabled=bridge)
    for name, zone in (("secure", secure.bucket), ("plain", plain)):
        if bridge:
            DataCatalog(stack, f"Catalog{name}", zones={name: zone}, indexer=function)
        else:
            with pytest.raises(ValueError, match=rf"zones\['{name}'\].*event_bridge_enabled=True"):
                DataCatalog(stack, f"Catalog{name}", zones={name: zone}, indexer=function)
    if bridge:
        [bucket] = [
            r
            for r in Template.from_stack(stack).find_resources("AWS::S3::Bucket").values()
            if r.get("Properties", {}).get("NotificationConfiguration")
        ]
        assert bucket["Properties"]["NotificationConfiguration"] == {
            "EventBridgeConfiguration": {"EventBridgeEnabled": True}
        }


def test_catalog_refuses_a_bucket_of_another_account() -> None:
    stack = _stack(ENVIRONMENTS["same-env"])
    bucket = s3.Bucket.from_bucket_attributes(
        stack, "Other", bucket_name="other-bucket", account="222222222222"
    )
    with pytest.raises(ValueError, match=r"zones\['raw'\].*222222222222"):
        DataCatalog(
            stack, "Catalog", zones={"raw": bucket}, indexer=IMPORTS["attributes+role"](stack)
        )


def test_the_notifications_handler_of_an_imported_bucket_leaves_no_findings(
    tmp_path: Path,
) -> None:
    """CDK's handler that turns on the imported zone's EventBridge events is acknowledged
    under every pack the stages run (what a consumer running cdk-nag meets)."""
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Consumer", env=ENVIRONMENTS["same-env"])
    DataCatalog(stack, "Catalog", zones=_zone(stack), indexer=IMPORTS["attributes+role"](stack))
    cdk.Validations.of(stack).add_plugins(
        AwsSolutionsChecks(stack), HIPAASecurityChecks(stack), PCIDSS321Checks(stack)
    )
    with contextlib.suppress(RuntimeError):
        app.synth()
    findings = [str(f) for f in validation_findings(tmp_path).get("Consumer", [])]
    assert [f for f in findings if "BucketNotificationsHandler" in f] == []


def test_api_table_grants_to_an_imported_role_are_acknowledged_on_it() -> None:
    stack = _stack(ENVIRONMENTS["same-env"])
    function = IMPORTS["attributes+role"](stack)
    key = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
    ServerlessApi(
        stack,
        "Api",
        partition_key=key,
        routes=[Route("GET", "/items", function, table_access="read")],
    )
    role = stack.node.find_child("ImportedRole")
    assert [c for c in role.node.children if isinstance(c, iam.Policy)]
    acknowledged = [m.data for m in role.node.metadata if m.type == "aws:cdk:acknowledged-rules"]
    assert "/index/*" in repr(acknowledged)
