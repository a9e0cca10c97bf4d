"""``LiveUpdates``: each constructor branch, the broadcaster's management grant as IAM
evaluates it, the alarms' dimensions, the deployment order of the stage, and no cdk-nag
finding under AwsSolutions, HIPAA and PCI."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import (
    ApiGatewayAccount,
    LiveUpdates,
    ServerlessFunction,
)
from patterns.live_updates import CONNECTIONS_TTL_ATTRIBUTE, DEFAULT_THROTTLE
from tests.support.regulated_nag import lint_only_stack, regulated_findings
from tests.support.templates import all_of, only

ACCOUNT, REGION = "123456789012", "eu-west-1"
TABLE_STREAM = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/counts/stream/2026-12-01T00:00:00.000"


def source_table(stack: cdk.Stack, view: dynamodb.StreamViewType | None = None) -> dynamodb.Table:
    return dynamodb.Table(
        stack,
        "Counts",
        partition_key=dynamodb.Attribute(name="k", type=dynamodb.AttributeType.STRING),
        stream=view or dynamodb.StreamViewType.NEW_IMAGE,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
    )


def functions(stack: cdk.Stack, code_dir: Path) -> dict[str, Any]:
    return {
        name: ServerlessFunction(stack, name.title(), code_path=code_dir)
        for name in ("handler", "broadcaster")
    }


def imported(stack: cdk.Stack, name: str) -> lambda_.IFunction:
    return lambda_.Function.from_function_attributes(
        stack,
        name,
        function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name.lower()}",
        role=iam.Role.from_role_arn(stack, f"{name}Role", f"arn:aws:iam::{ACCOUNT}:role/{name}"),
        same_environment=True,
    )


def _lid(stack: cdk.Stack, construct: Any) -> str:
    """The logical id of ``construct``'s L1 resource."""
    return stack.get_logical_id(construct.node.default_child)


def _env(template: Template, function: ServerlessFunction) -> dict[str, Any]:
    cfn = template.to_json()["Resources"][_lid(cdk.Stack.of(function), function.function)]
    variables: dict[str, Any] = cfn["Properties"]["Environment"]["Variables"]
    return variables


def test_defaults_iam_connect_created_table_dynamodb_source_and_logging_stage(
    stack: cdk.Stack, code_dir: Path
) -> None:
    fns = functions(stack, code_dir)
    live = LiveUpdates(stack, "Live", **fns, source_table=source_table(stack))
    template = Template.from_stack(stack)

    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in all_of(template, "AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {"$connect", "$disconnect", "$default"}
    assert routes["$connect"]["AuthorizationType"] == "AWS_IAM"
    assert routes["$default"]["RouteResponseSelectionExpression"] == "$default"
    template.resource_count_is("AWS::ApiGatewayV2::Authorizer", 0)

    tables = all_of(template, "AWS::DynamoDB::Table")
    connections = tables[_lid(stack, live.connections_table)]
    props = connections["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {
        "AttributeName": CONNECTIONS_TTL_ATTRIBUTE,
        "Enabled": True,
    }
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert connections["DeletionPolicy"] == "Retain"

    stage = only(template, "AWS::ApiGatewayV2::Stage")["Properties"]
    assert stage["StageName"] == "live"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {
        "DataTraceEnabled": False,
        "DetailedMetricsEnabled": True,
        "LoggingLevel": "ERROR",
        "ThrottlingBurstLimit": DEFAULT_THROTTLE.burst_limit,
        "ThrottlingRateLimit": DEFAULT_THROTTLE.rate_limit,
    }
    log_format = json.loads(stage["AccessLogSettings"]["Format"])
    assert {"connectionId", "routeKey", "status", "errorMessage"} <= set(log_format)

    mapping = only(template, "AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 2
    assert mapping["MaximumRecordAgeInSeconds"] == 600
    assert mapping["StartingPosition"] == "LATEST"
    assert "OnFailure" in mapping["DestinationConfig"]

    handler_env = _env(template, fns["handler"])
    assert set(handler_env) >= {"CONNECTIONS_TABLE", "CONNECTION_TTL_SECONDS"}
    assert handler_env["CONNECTION_TTL_SECONDS"] == "10800"
    broadcaster_env = _env(template, fns["broadcaster"])
    assert broadcaster_env["FANOUT_CONCURRENCY"] == "16"
    assert {"CONNECTIONS_TABLE", "CALLBACK_URL", "LIVE_API_ID"} <= set(broadcaster_env)
    assert live.broadcaster is fns["broadcaster"].alias
    assert live.authorizer is None


def test_every_option_reaches_the_template(stack: cdk.Stack, code_dir: Path) -> None:
    fns = functions(stack, code_dir)
    authorizer = ServerlessFunction(stack, "Authorizer", code_path=code_dir)
    queue = sqs.Queue.from_queue_arn(stack, "Dlq", f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq")
    LiveUpdates(
        stack,
        "Live",
        **fns,
        source_table=source_table(stack),
        authorizer=authorizer,
        authorizer_identity_sources=("route.request.header.Sec-WebSocket-Protocol",),
        point_in_time_recovery=False,
        deletion_protection=True,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        connection_ttl=cdk.Duration.hours(4),
        fan_out_concurrency=64,
        batch_size=10,
        max_batching_window=cdk.Duration.seconds(1),
        parallelization_factor=2,
        retry_attempts=5,
        max_record_age=cdk.Duration.minutes(2),
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        dead_letter_queue=queue,
        stage_name="v2",
        throttle=None,
        execution_logging_level="INFO",
        iterator_age_alarm=cdk.Duration.seconds(20),
        web_socket_api_props={"description": "mine"},
    )
    template = Template.from_stack(stack)
    [authorizer_props] = [
        a["Properties"] for a in all_of(template, "AWS::ApiGatewayV2::Authorizer").values()
    ]
    assert authorizer_props["AuthorizerType"] == "REQUEST"
    assert authorizer_props["IdentitySource"] == ["route.request.header.Sec-WebSocket-Protocol"]
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in all_of(template, "AWS::ApiGatewayV2::Route").values()
    }
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    assert only(template, "AWS::ApiGatewayV2::Api")["Properties"]["Description"] == "mine"
    stage = only(template, "AWS::ApiGatewayV2::Stage")["Properties"]
    assert stage["StageName"] == "v2"
    assert stage["DefaultRouteSettings"] == {
        "DataTraceEnabled": False,
        "DetailedMetricsEnabled": True,
        "LoggingLevel": "INFO",
    }
    mapping = only(template, "AWS::Lambda::EventSourceMapping")["Properties"]
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (10, 1)
    assert (mapping["ParallelizationFactor"], mapping["MaximumRetryAttempts"]) == (2, 5)
    assert (mapping["MaximumRecordAgeInSeconds"], mapping["StartingPosition"]) == (
        120,
        "TRIM_HORIZON",
    )
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == queue.queue_arn
    template.resource_count_is("AWS::SQS::Queue", 0)
    tables = [
        t
        for t in all_of(template, "AWS::DynamoDB::Table").values()
        if "TimeToLiveSpecification" in t["Properties"]
    ]
    [connections] = tables
    assert connections["DeletionPolicy"] == "Delete"
    assert connections["Properties"]["DeletionProtectionEnabled"] is True
    assert connections["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": False
    }
    assert _env(template, fns["handler"])["CONNECTION_TTL_SECONDS"] == "14400"
    assert _env(template, fns["broadcaster"])["FANOUT_CONCURRENCY"] == "64"
    ages = [
        a["Properties"]["Threshold"]
        for a in all_of(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "IteratorAge"
    ]
    assert ages == [20_000]


def test_a_kinesis_source_an_imported_table_and_imported_functions(stack: cdk.Stack) -> None:
    stream = kinesis.Stream.from_stream_arn(
        stack, "Events", f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/events"
    )
    table = dynamodb.Table.from_table_name(stack, "Conns", "connections")
    live = LiveUpdates(
        stack,
        "Live",
        handler=imported(stack, "Routes"),
        broadcaster=imported(stack, "Pusher"),
        source_stream=stream,
        connections_table=table,
        authorizer=imported(stack, "Gate"),
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::DynamoDB::Table", 0)
    mapping = only(template, "AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["EventSourceArn"] == stream.stream_arn
    assert live.connections_table is table
    # A plain function brings no errors alarm of its own, nor a log group to filter.
    assert "broadcaster_errors" in live.alarms
    assert "delivery_failures" not in live.alarms
    template.resource_count_is("AWS::Logs::MetricFilter", 0)
    policies = json.dumps(all_of(template, "AWS::IAM::Policy"))
    assert "kinesis:GetRecords" in policies


def test_an_imported_table_with_a_stream_is_a_source(stack: cdk.Stack, code_dir: Path) -> None:
    table = dynamodb.Table.from_table_attributes(
        stack, "Counts", table_name="counts", table_stream_arn=TABLE_STREAM
    )
    LiveUpdates(stack, "Live", **functions(stack, code_dir), source_table=table)
    mapping = only(Template.from_stack(stack), "AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["EventSourceArn"] == TABLE_STREAM


def _resolve(value: Any, refs: dict[str, str]) -> str:
    """A policy resource as a string, with ``Ref``s replaced by ``refs`` (partition ``aws``)."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return {"AWS::Partition": "aws", **refs}.get(value["Ref"], f"<{value['Ref']}>")
    separator, parts = value["Fn::Join"]
    return str(separator).join(_resolve(p, refs) for p in parts)


def _allows(statements: list[dict[str, Any]], action: str, arn: str, refs: dict[str, str]) -> bool:
    """IAM's answer for an identity policy without conditions or denies (none here)."""
    for statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        resources = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        if (
            statement["Effect"] == "Allow"
            and any(fnmatch.fnmatchcase(action, a) for a in actions)
            and any(fnmatch.fnmatchcase(arn, _resolve(r, refs)) for r in resources)
        ):
            return True
    return False


def test_the_broadcaster_may_post_to_its_own_stage_connections_only(
    stack: cdk.Stack, code_dir: Path
) -> None:
    fns = functions(stack, code_dir)
    live = LiveUpdates(stack, "Live", **fns, source_table=source_table(stack))
    other = LiveUpdates(
        stack,
        "Other",
        **functions_named(stack, code_dir, "Other"),
        source_table=dynamodb.Table.from_table_attributes(
            stack, "T2", table_name="t2", table_stream_arn=TABLE_STREAM
        ),
    )
    template = Template.from_stack(stack)
    api_id = _lid(stack, live.api)
    other_id = _lid(stack, other.api)
    refs = {api_id: "own111", other_id: "other22"}
    role = _lid(stack, fns["broadcaster"].role)
    statements = [
        s
        for p in all_of(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    base = f"arn:aws:execute-api:{REGION}:{ACCOUNT}"
    manage = "execute-api:ManageConnections"
    assert _allows(statements, manage, f"{base}:own111/live/POST/@connections/abc=", refs)
    for denied in (
        f"{base}:own111/live/DELETE/@connections/abc=",  # closing a client's socket
        f"{base}:own111/live/GET/@connections/abc=",
        f"{base}:own111/test/POST/@connections/abc=",  # another stage
        f"{base}:other22/live/POST/@connections/abc=",  # another API
        f"arn:aws:execute-api:us-east-1:{ACCOUNT}:own111/live/POST/@connections/abc=",
    ):
        assert not _allows(statements, manage, denied, refs), denied
    assert not _allows(
        statements, "execute-api:Invoke", f"{base}:own111/live/POST/@connections/abc=", refs
    )


def functions_named(stack: cdk.Stack, code_dir: Path, prefix: str) -> dict[str, Any]:
    return {
        name: ServerlessFunction(stack, f"{prefix}{name.title()}", code_path=code_dir)
        for name in ("handler", "broadcaster")
    }


def test_alarms_are_tied_to_the_api_stage_and_broadcaster_and_notify(
    stack: cdk.Stack, code_dir: Path
) -> None:
    topic = sns.Topic(stack, "Ops")
    fns = functions(stack, code_dir)
    live = LiveUpdates(stack, "Live", **fns, source_table=source_table(stack), alarm_topic=topic)
    template = Template.from_stack(stack).to_json()["Resources"]
    assert set(live.alarms) == {
        "connect_errors",
        "integration_errors",
        "execution_errors",
        "iterator_age",
        "dead_letter_queue",
        "delivery_failures",
        "broadcaster_errors",
    }
    api_ref = {"Ref": _lid(stack, live.api)}
    for name, alarm in live.alarms.items():
        if name == "broadcaster_errors":
            assert alarm is fns["broadcaster"].errors_alarm
            continue
        props = template[_lid(stack, alarm)]["Properties"]
        dims = {d["Name"]: d["Value"] for d in props["Dimensions"]}
        assert props["AlarmActions"] == [{"Ref": _lid(stack, topic)}], name
        if name in ("connect_errors", "integration_errors", "execution_errors"):
            assert dims["ApiId"] == api_ref, name
            assert dims["Stage"] == "live", name
        elif name == "delivery_failures":
            assert dims == {"ApiId": api_ref}
            assert props["Namespace"] == "ServerlessPatterns/LiveUpdates"
        elif name == "iterator_age":
            assert dims["FunctionName"], dims
    connect = template[_lid(stack, live.alarms["connect_errors"])]
    assert {"Name": "Route", "Value": "$connect"} in connect["Properties"]["Dimensions"]
    [metric_filter] = [r for r in template.values() if r["Type"] == "AWS::Logs::MetricFilter"]
    assert metric_filter["Properties"]["FilterPattern"] == '{ $.live_updates = "delivery_failed" }'
    assert metric_filter["Properties"]["LogGroupName"] == {
        "Ref": _lid(stack, fns["broadcaster"].log_group)
    }


def test_the_stage_deploys_after_the_accounts_logging_role(
    stack: cdk.Stack, code_dir: Path
) -> None:
    account = ApiGatewayAccount(stack, "Account")
    live = LiveUpdates(
        stack,
        "Live",
        **functions(stack, code_dir),
        source_table=source_table(stack),
        api_account=account,
    )
    own = LiveUpdates(
        stack,
        "Own",
        **functions_named(stack, code_dir, "Own"),
        source_table=dynamodb.Table.from_table_attributes(
            stack, "T2", table_name="t2", table_stream_arn=TABLE_STREAM
        ),
        cloud_watch_role=True,
    )
    resources = Template.from_stack(stack).to_json()["Resources"]
    for pattern, setting in ((live, account), (own, own.api_account)):
        assert setting is not None
        stage = resources[_lid(stack, pattern.stage)]
        assert stack.get_logical_id(setting.resource) in stage["DependsOn"]
    plain = (
        LiveUpdates(
            cdk.Stack(cdk.App(), "Plain"),
            "Live",
            handler=imported(stack, "A"),
            broadcaster=imported(stack, "B"),
            source_stream=kinesis.Stream.from_stream_arn(
                stack, "S", f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s"
            ),
        )
        if False
        else None
    )
    assert plain is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source_stream": None, "source_table": None}, "exactly one of source_table"),
        ({"source_stream": "both"}, "exactly one of source_table"),
        ({"source_table": "no stream"}, "has no stream"),
        ({"source_table": "keys only"}, "KEYS_ONLY"),
        ({"connection_ttl": cdk.Duration.hours(1)}, "connection_ttl"),
        ({"fan_out_concurrency": 0}, "fan_out_concurrency"),
        ({"iterator_age_alarm": cdk.Duration.minutes(20)}, "iterator_age_alarm"),
        (
            {"authorizer_identity_sources": ("method.request.header.Authorization",)},
            "not a WebSocket",
        ),
        ({"authorizer_identity_sources": ()}, "non-empty"),
        ({"execution_logging_level": "DEBUG"}, "execution_logging_level"),
        ({"stage_name": "my stage"}, "stage_name"),
        ({"cloud_watch_role": True, "api_account": "account"}, "not both"),
    ],
)
def test_contradictory_or_impossible_arguments_are_refused(
    stack: cdk.Stack, code_dir: Path, change: dict[str, Any], message: str
) -> None:
    made = {
        "both": kinesis.Stream.from_stream_arn(
            stack, "S", f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s"
        ),
        "no stream": dynamodb.Table(
            stack,
            "Plain",
            partition_key=dynamodb.Attribute(name="k", type=dynamodb.AttributeType.STRING),
        ),
        "keys only": source_table(stack, dynamodb.StreamViewType.KEYS_ONLY),
        "account": ApiGatewayAccount(stack, "Account"),
    }
    arguments: dict[str, Any] = {
        "source_table": dynamodb.Table.from_table_attributes(
            stack, "Src", table_name="src", table_stream_arn=TABLE_STREAM
        )
    }
    for key, value in change.items():
        arguments[key] = (
            made.get(value, value) if isinstance(value, str) and value in made else value
        )
    with pytest.raises(ValueError, match=message):
        LiveUpdates(stack, "Live", **functions(stack, code_dir), **arguments)


def test_no_findings_under_every_pack_with_created_and_given_resources(
    tmp_path_factory: pytest.TempPathFactory, code_dir: Path
) -> None:
    """On a plain ``cdk.App()`` (CDK's default flags): every finding on the pattern's own
    resources is fixed or acknowledged. The functions' findings under HIPAA/PCI (VPC,
    concurrency) are the consumer's, as for every pattern; log groups are encrypted by
    ``EncryptLogGroups`` and inline policies made managed by ``ManagedPolicies``, as a
    regulated consumer does."""
    out = tmp_path_factory.mktemp("live")
    app = cdk.App(outdir=str(out))
    stack = cdk.Stack(app, "Live", env=cdk.Environment(account=ACCOUNT, region=REGION))
    topic = sns.Topic.from_topic_arn(stack, "Ops", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops")
    authorizer = ServerlessFunction(stack, "Authorizer", code_path=code_dir)
    LiveUpdates(
        stack,
        "Dynamo",
        **functions(stack, code_dir),
        source_table=source_table(stack),
        authorizer=authorizer,
        cloud_watch_role=True,
        alarm_topic=topic,
    )
    LiveUpdates(
        stack,
        "Kinesis",
        handler=imported(stack, "Routes"),
        broadcaster=imported(stack, "Pusher"),
        source_stream=kinesis.Stream(stack, "Events", encryption=kinesis.StreamEncryption.MANAGED),
        alarm_topic=topic,
    )
    findings = regulated_findings(app, stack, out)
    assert [f for f in findings if "AwsSolutions" in f] == []
    ours = [f for f in findings if "/Dynamo/" in f or "/Kinesis/" in f or "Role/" in f]
    assert ours == []
    assert lint_only_stack(out) == []
