"""The sandbox's pure helpers, and each moto shim on a small template in the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import KinesisStreamEvent
from moto.awslambda.models import LambdaVersion
from moto.cloudformation import parsing

from tools.sandbox import deploy, emulator, shims
from tools.sandbox.events import api_event, kinesis_event, object_created_event
from tools.sandbox.invoke import DeployedFunction, handler_env
from tools.sandbox.ledger import Ledger, Outcome, ResourceRecord, format_report, type_rows

# --- pure helpers ----------------------------------------------------------------------


def _record(logical_id: str, resource_type: str, outcome: Outcome, detail: str = "") -> Any:
    return ResourceRecord("Dev-Web", logical_id, resource_type, outcome, detail)


RECORDS = [
    _record("Bucket", "AWS::S3::Bucket", Outcome.DEPLOYED),
    _record("Logs", "AWS::S3::Bucket", Outcome.DEPLOYED),
    _record("Cdn", "AWS::CloudFront::Distribution", Outcome.SKIPPED),
    _record("Rule", "AWS::Events::Rule", Outcome.FAILED, "ValidationException: bad target"),
    _record("Other", "AWS::Events::Rule", Outcome.DEPLOYED),
]


def test_rows_count_each_outcome_per_type_incomplete_types_first() -> None:
    assert [(r.resource_type, r.deployed, r.skipped, r.failed) for r in type_rows(RECORDS)] == [
        ("AWS::CloudFront::Distribution", 0, 1, 0),
        ("AWS::Events::Rule", 1, 0, 1),
        ("AWS::S3::Bucket", 2, 0, 0),
    ]


def test_report_has_a_row_per_type_totals_and_each_failure() -> None:
    lines = format_report(RECORDS).splitlines()
    assert lines[0].split() == ["resource", "type", "deployed", "skipped", "failed"]
    assert lines[2].split() == ["AWS::CloudFront::Distribution", "0", "1", "0"]
    assert lines[5].split() == ["total", "3", "1", "1"]
    assert lines[-1] == "  Dev-Web/Rule (AWS::Events::Rule): ValidationException: bad target"


def test_ledger_keeps_the_last_record_of_a_resource_and_filters_by_stack() -> None:
    ledger = Ledger()
    ledger.record(ResourceRecord("Dev-Web", "Rule", "AWS::Events::Rule", Outcome.FAILED))
    ledger.record(ResourceRecord("Dev-Web", "Rule", "AWS::Events::Rule", Outcome.DEPLOYED))
    ledger.record(ResourceRecord("CDKToolkit", "Bucket", "AWS::S3::Bucket", Outcome.DEPLOYED))
    assert [(r.stack, r.outcome) for r in ledger.records("Dev-")] == [("Dev-Web", Outcome.DEPLOYED)]


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("Dev/Web (Dev-Web): deploying... [3/4]\n", True),
        ("✅  Dev/Web (Dev-Web)\n", True),
        ("❌  Dev-Web failed to deploy\n", True),
        ("‣ ValidationError: Template error\n", True),
        ("Dev-Web: start: Publishing Products/Resource/Code\n", False),
    ],
)
def test_only_cdk_milestones_become_progress_lines(line: str, shown: bool) -> None:
    assert deploy.is_milestone(line) is shown


def test_kms_tags_are_renamed_and_kms_api_tags_kept() -> None:
    assert shims.kms_tags([{"Key": "stage", "Value": "dev"}]) == [
        {"TagKey": "stage", "TagValue": "dev"}
    ]
    assert shims.kms_tags([{"TagKey": "a", "TagValue": "b"}]) == [{"TagKey": "a", "TagValue": "b"}]
    assert shims.kms_tags(None) == []


def test_mock_integrations_get_empty_method_and_uri_others_are_untouched() -> None:
    mock = {"Integration": {"Type": "MOCK"}}
    shims.mock_integration_defaults(mock)
    assert mock == {"Integration": {"Type": "MOCK", "IntegrationHttpMethod": None, "Uri": None}}
    proxy = {"Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": "u"}}
    shims.mock_integration_defaults(proxy)
    assert proxy["Integration"]["IntegrationHttpMethod"] == "POST"


def test_kinesis_event_decodes_as_powertools_reads_it() -> None:
    records = [
        {
            "Data": b'{"a": 1}',
            "PartitionKey": "p1",
            "SequenceNumber": "495903382714902566085596925383615710",
            "ApproximateArrivalTimestamp": 1_795_000_000.5,
        }
    ]
    event = KinesisStreamEvent(kinesis_event(records, "arn:aws:kinesis:x", "shardId-000000000000"))
    [record] = list(event.records)
    assert record.kinesis.data_as_json() == {"a": 1}
    assert record.event_id == "shardId-000000000000:495903382714902566085596925383615710"


def test_api_event_fills_the_path_and_carries_claims_and_json_body() -> None:
    event = api_event(
        "POST", "/products/{sku}", path_parameters={"sku": "A1"}, body={"x": 1}, claims={"sub": "u"}
    )
    assert event["path"] == "/products/A1"
    assert json.loads(event["body"]) == {"x": 1}
    assert event["requestContext"]["authorizer"] == {"claims": {"sub": "u"}}
    assert object_created_event("b", "k", 3, "t")["detail"]["object"]["key"] == "k"


def test_handler_env_is_the_functions_with_the_emulator_and_lambdas_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "the-test-suite")
    monkeypatch.setenv("AWS_PROFILE", "production")
    function = DeployedFunction("fn", "arn:fn", "products.app.handler", 256, {"TABLE_NAME": "t"})
    env = handler_env(function, emulator.Emulator(port=4566, ledger=Ledger()))
    assert env["TABLE_NAME"] == "t"
    assert env["AWS_ENDPOINT_URL"] == "http://localhost:4566"
    assert env["PYTHONPATH"].endswith("lambdas")
    assert "POWERTOOLS_SERVICE_NAME" not in env
    assert "AWS_PROFILE" not in env


# --- the shims in the emulator ---------------------------------------------------------

_ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    },
}
_MOCK = {"Type": "MOCK", "RequestTemplates": {"application/json": '{"statusCode": 200}'}}
#: Resources in an order that breaks plain moto (the deployment comes before its method).
PROBE: dict[str, dict[str, Any]] = {
    "Resources": {
        "Role": _ROLE,
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            },
        },
        "Version": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
        "Alias": {
            "Type": "AWS::Lambda::Alias",
            "Properties": {
                "FunctionName": {"Ref": "Fn"},
                "FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]},
                "Name": "live",
            },
        },
        "Invoke": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": {"Ref": "Alias"},
                "Action": "lambda:InvokeFunction",
                "Principal": "events.amazonaws.com",
            },
        },
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {}, "Tags": [{"Key": "stage", "Value": "dev"}]},
        },
        "Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {}},
        "BadRule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventPattern": {"source": ["sandbox"]},
                "Targets": [{"Id": "t", "Arn": "not-an-arn"}],
            },
        },
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "probe"}},
        "Deployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "Properties": {"RestApiId": {"Ref": "Api"}},
            "DependsOn": ["Options"],
        },
        "Domain": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": "/probe/domain",
                "Type": "String",
                "Value": {"Fn::GetAtt": ["Cdn", "DomainName"]},
            },
        },
        "Options": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "HttpMethod": "OPTIONS",
                "AuthorizationType": "NONE",
                "Integration": _MOCK,
            },
        },
    },
    "Outputs": {"KeyArn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}}},
}
#: A stack that reads the probe's output the way CDK's cross-stack references do.
CONSUMER: dict[str, dict[str, Any]] = {
    "Resources": {
        "Imported": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": "/probe/imported",
                "Type": "String",
                "Value": {
                    "Fn::GetStackOutput": {
                        "StackName": "ShimProbe",
                        "Region": {"Ref": "AWS::Region"},
                        "OutputName": "KeyArn",
                    }
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def probe() -> Iterator[emulator.Emulator]:
    """The emulator with the probe and consumer stacks created by change sets, as cdk
    deploy creates them."""
    with emulator.running() as emu:
        cloudformation = emu.client("cloudformation")
        for name, template in (("ShimProbe", PROBE), ("ShimConsumer", CONSUMER)):
            change_set = cloudformation.create_change_set(
                StackName=name,
                ChangeSetName="deploy",
                ChangeSetType="CREATE",
                TemplateBody=json.dumps(template),
            )
            cloudformation.execute_change_set(ChangeSetName=change_set["Id"])
        yield emu


def _parameter(emu: emulator.Emulator, name: str) -> str:
    return str(emu.client("ssm").get_parameter(Name=name)["Parameter"]["Value"])


def _physical_id(emu: emulator.Emulator, logical_id: str) -> str:
    resource = emu.client("cloudformation").describe_stack_resource(
        StackName="ShimProbe", LogicalResourceId=logical_id
    )
    return str(resource["StackResourceDetail"]["PhysicalResourceId"])


def test_every_resource_is_recorded_with_its_outcome(probe: emulator.Emulator) -> None:
    outcomes = {r.logical_id: r.outcome for r in probe.ledger.records("ShimProbe")}
    assert outcomes == {
        **dict.fromkeys(PROBE["Resources"], Outcome.DEPLOYED),
        "Cdn": Outcome.SKIPPED,
        "BadRule": Outcome.FAILED,
    }
    [failure] = [r for r in probe.ledger.records("ShimProbe") if r.outcome is Outcome.FAILED]
    assert "not-an-arn" in failure.detail


def test_alias_is_created_in_lambda_and_its_ref_is_the_alias_arn(
    probe: emulator.Emulator,
) -> None:
    function = _physical_id(probe, "Fn")
    alias = probe.client("lambda").get_alias(FunctionName=function, Name="live")
    assert alias["FunctionVersion"] == "1"
    assert _physical_id(probe, "Alias") == alias["AliasArn"]


def test_skipped_resources_have_placeholder_attributes(probe: emulator.Emulator) -> None:
    assert _parameter(probe, "/probe/domain") == "ShimProbe-Cdn.DomainName"


def test_get_stack_output_reads_the_other_stacks_output(probe: emulator.Emulator) -> None:
    key_arn = probe.client("kms").describe_key(KeyId=_physical_id(probe, "Key"))["KeyMetadata"]
    assert _parameter(probe, "/probe/imported") == key_arn["Arn"]


def test_kms_key_tags_can_be_read(probe: emulator.Emulator) -> None:
    tags = probe.client("kms").list_resource_tags(KeyId=_physical_id(probe, "Key"))["Tags"]
    assert tags == [{"TagKey": "stage", "TagValue": "dev"}]


def test_deployment_waits_for_its_mock_method(probe: emulator.Emulator) -> None:
    apigateway, api = probe.client("apigateway"), _physical_id(probe, "Api")
    assert len(apigateway.get_deployments(restApiId=api)["items"]) == 1
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    integration = apigateway.get_integration(restApiId=api, resourceId=root, httpMethod="OPTIONS")
    assert integration["type"] == "MOCK"


def test_put_record_to_a_mapped_stream_does_not_run_the_function(
    probe: emulator.Emulator,
) -> None:
    kinesis = probe.client("kinesis")
    kinesis.create_stream(StreamName="probe-stream", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="probe-stream")["StreamDescription"]["StreamARN"]
    probe.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=_physical_id(probe, "Alias"), StartingPosition="LATEST"
    )
    put = kinesis.put_record(StreamName="probe-stream", Data=b"{}", PartitionKey="p")
    assert put["SequenceNumber"]


def test_a_mapped_table_stream_keeps_its_records_for_a_reader(probe: emulator.Emulator) -> None:
    dynamodb, streams = probe.client("dynamodb"), probe.client("dynamodbstreams")
    table = dynamodb.create_table(
        TableName="probe-table",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    arn = table["LatestStreamArn"]
    probe.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=_physical_id(probe, "Alias"), StartingPosition="LATEST"
    )
    for n in range(3):
        dynamodb.put_item(TableName="probe-table", Item={"pk": {"S": f"k{n}"}})
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["k0", "k1", "k2"]


def test_leaving_the_emulator_undoes_every_shim_and_closes_the_port() -> None:
    original, had_attribute = parsing.clean_json, "get_cfn_attribute" in vars(LambdaVersion)
    with emulator.running() as emu:
        assert parsing.clean_json is not original
        assert "get_cfn_attribute" in vars(LambdaVersion)
        assert emulator.port_is_open(emu.port)
    assert parsing.clean_json is original
    assert ("get_cfn_attribute" in vars(LambdaVersion)) is had_attribute
    assert not emulator.port_is_open(emu.port)
