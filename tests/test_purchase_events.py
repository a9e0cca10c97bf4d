"""What AWS does with the purchase events' resources in each stage's templates: the
mapping reads the orders table's stream, the emitter's role may write that stage's usage
stream (the one Streaming exports) and nothing more, and in Prod's private network the
emitter reaches Kinesis through an interface endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.policies import (
    ALLOW,
    IMPLICIT_DENY,
    Request,
    evaluate,
    resources_of,
    role_statements,
)
from tests.support.templates import usage_stream_ref
from tools.assembly import StackArtifact

STAGES = ("Dev", "Staging", "Prod")


def _emitter(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    [(logical_id, function)] = [
        (k, f)
        for k, f in resources_of(template, "AWS::Lambda::Function").items()
        if k.startswith("PurchaseEventsEmitter")
    ]
    return logical_id, function


@pytest.mark.parametrize("stage", STAGES)
def test_new_orders_in_the_table_stream_invoke_the_emitter(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    web = stack_artifacts[f"{stage}/Web"].template()
    emitter_id, _ = _emitter(web)
    [mapping] = [
        m["Properties"]
        for m in resources_of(web, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": emitter_id}
    ]
    tables = {
        **resources_of(web, "AWS::DynamoDB::Table"),
        **resources_of(web, "AWS::DynamoDB::GlobalTable"),
    }
    source_table, attribute = mapping["EventSourceArn"]["Fn::GetAtt"]
    assert attribute == "StreamArn"
    # The products/orders table (pk/sk), whose stream carries the new image.
    props = tables[source_table]["Properties"]
    assert [k["AttributeName"] for k in props["KeySchema"]] == ["pk", "sk"]
    assert props["StreamSpecification"]["StreamViewType"] in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    failures = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert web["Resources"][failures]["Type"] == "AWS::SQS::Queue"


@pytest.mark.parametrize("stage", STAGES)
def test_the_emitter_may_write_its_stages_usage_stream_only(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    web = stack_artifacts[f"{stage}/Web"].template()
    stream = usage_stream_ref(stack_artifacts[f"{stage}/Streaming"], web)
    _, function = _emitter(web)
    statements = role_statements(web, function["Properties"]["Role"]["Fn::GetAtt"][0])
    assert evaluate(statements, Request("kinesis:PutRecords", stream)) == ALLOW
    for action in ("kinesis:DeleteStream", "kinesis:GetRecords", "kinesis:UpdateShardCount"):
        assert evaluate(statements, Request(action, stream)) == IMPLICIT_DENY, action
    other = {"Fn::GetStackOutput": {**stream["Fn::GetStackOutput"], "OutputName": "Other"}}
    assert evaluate(statements, Request("kinesis:PutRecords", other)) == IMPLICIT_DENY
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["STREAM_NAME"]["Fn::GetStackOutput"]["StackName"] == (f"{stage}-Streaming")


def test_in_the_private_network_kinesis_has_an_interface_endpoint(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    web = stack_artifacts["Prod/Web"].template()
    _, function = _emitter(web)
    assert "VpcConfig" in function["Properties"]
    network = stack_artifacts["Prod/Network"].template()
    services = [
        str(e["Properties"]["ServiceName"])
        for e in resources_of(network, "AWS::EC2::VPCEndpoint").values()
    ]
    assert any("kinesis-streams" in service for service in services), services
