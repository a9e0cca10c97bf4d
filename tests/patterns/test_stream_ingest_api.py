from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kinesis as kinesis
from aws_cdk.assertions import Template

from patterns import StreamIngestApi
from tests.support.templates import properties

STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/usage"


def methods(template: Template) -> dict[str, dict[str, Any]]:
    """Method properties by the integration's Kinesis action."""
    found = {}
    for method in template.find_resources("AWS::ApiGateway::Method").values():
        uri = str(method["Properties"]["Integration"]["Uri"])
        action = uri.rsplit("action/", 1)[1].split("'")[0]
        found[action] = method["Properties"]
    return found


def models(template: Template) -> dict[str, dict[str, Any]]:
    return {
        logical_id: model["Properties"]["Schema"]
        for logical_id, model in template.find_resources("AWS::ApiGateway::Model").items()
    }


def request_template(method: dict[str, Any]) -> str:
    """The request mapping template, references shown as ``<Ref LogicalId>``."""
    value = method["Integration"]["RequestTemplates"]["application/json"]
    if isinstance(value, str):
        return value
    return "".join(
        part if isinstance(part, str) else f"<Ref {part['Ref']}>" for part in value["Fn::Join"][1]
    )


def test_defaults_put_record_and_records_with_iam_validation_throttling_and_logs(
    stack: cdk.Stack,
) -> None:
    ingest = StreamIngestApi(stack, "Ingest")
    template = Template.from_stack(stack)

    stream = properties(template, "AWS::Kinesis::Stream")
    assert stream["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert stream["StreamEncryption"]["KeyId"] == "alias/aws/kinesis"
    found = methods(template)
    assert set(found) == {"PutRecord", "PutRecords"}
    for method in found.values():
        assert method["HttpMethod"] == "POST"
        assert method["AuthorizationType"] == "AWS_IAM"
        assert method["Integration"]["Type"] == "AWS"
        assert method["Integration"]["PassthroughBehavior"] == "NEVER"
        assert method["Integration"]["Credentials"]["Fn::GetAtt"][0].startswith(
            "IngestIntegrationRole"
        )
        assert "RequestValidatorId" in method
        assert "IngestStream" in request_template(method)
    assert "$input.json('$.partition_key')" in request_template(found["PutRecord"])
    assert "$util.base64Encode($input.json('$'))" in request_template(found["PutRecord"])
    assert "#foreach" in request_template(found["PutRecords"])
    assert "$.records[$foreach.index].partition_key" in request_template(found["PutRecords"])

    schemas = models(template)
    record = next(s for k, s in schemas.items() if k.startswith("IngestRecordModel"))
    batch = next(s for k, s in schemas.items() if k.startswith("IngestRecordsModel"))
    assert record["required"] == ["partition_key"]
    assert batch["properties"]["records"]["maxItems"] == 500
    assert batch["properties"]["records"]["items"]["required"] == ["partition_key"]
    template.has_resource_properties(
        "AWS::ApiGateway::RequestValidator",
        {"ValidateRequestBody": True, "ValidateRequestParameters": True},
    )
    stage = properties(template, "AWS::ApiGateway::Stage")
    assert stage["StageName"] == "v1"
    assert stage["TracingEnabled"] is True
    assert stage["MethodSettings"][0]["ThrottlingRateLimit"] == 1000
    assert stage["MethodSettings"][0]["ThrottlingBurstLimit"] == 2000
    assert "LoggingLevel" not in stage["MethodSettings"][0]
    assert "$context.requestId" in stage["AccessLogSetting"]["Format"]
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})

    # The integration role may write to this stream and nothing else.
    policy = properties(template, "AWS::IAM::Policy")["PolicyDocument"]["Statement"]
    assert len(policy) == 1
    assert set(policy[0]["Action"]) == {
        "kinesis:ListShards",
        "kinesis:PutRecord",
        "kinesis:PutRecords",
    }
    assert policy[0]["Resource"]["Fn::GetAtt"][0].startswith("IngestStream")
    template.resource_count_is("AWS::WAFv2::WebACLAssociation", 0)
    template.resource_count_is("AWS::Lambda::Function", 0)
    assert isinstance(ingest.api, apigw.RestApi)


def test_imported_stream_custom_key_field_schema_limits_and_waf(stack: cdk.Stack) -> None:
    stream = kinesis.Stream.from_stream_arn(stack, "Usage", STREAM_ARN)
    ingest = StreamIngestApi(
        stack,
        "Ingest",
        stream=stream,
        partition_key_field="product_id",
        record_schema=apigw.JsonSchema(
            type=apigw.JsonSchemaType.OBJECT,
            required=["event_type"],
            properties={"event_type": apigw.JsonSchema(enum=["view", "purchase"])},
            additional_properties=False,
        ),
        max_records_per_request=100,
        throttling_rate_limit=50,
        throttling_burst_limit=100,
        stage_name="prod",
        execution_log_level=apigw.MethodLoggingLevel.ERROR,
        web_acl_arn="arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/abc",
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
    )
    template = Template.from_stack(stack)

    template.resource_count_is("AWS::Kinesis::Stream", 0)
    assert ingest.stream is stream
    found = methods(template)
    assert '"StreamName": "usage"' in request_template(found["PutRecord"])
    assert "$input.json('$.product_id')" in request_template(found["PutRecord"])
    record = next(s for k, s in models(template).items() if k.startswith("IngestRecordModel"))
    assert record["required"] == ["event_type", "product_id"]
    assert record["additionalProperties"] is False
    assert set(record["properties"]) == {"event_type", "product_id"}
    batch = next(s for k, s in models(template).items() if k.startswith("IngestRecordsModel"))
    assert batch["properties"]["records"]["maxItems"] == 100
    stage = properties(template, "AWS::ApiGateway::Stage")
    assert stage["StageName"] == "prod"
    assert stage["MethodSettings"][0]["LoggingLevel"] == "ERROR"
    assert stage["MethodSettings"][0]["ThrottlingRateLimit"] == 50
    waf = properties(template, "AWS::WAFv2::WebACLAssociation")
    assert waf["WebACLArn"].endswith("/webacl/shop/abc")
    policy = properties(template, "AWS::IAM::Policy")["PolicyDocument"]["Statement"]
    assert policy[0]["Resource"] == STREAM_ARN


def test_the_batch_method_gets_its_own_throttle(stack: cdk.Stack) -> None:
    StreamIngestApi(
        stack,
        "Ingest",
        throttling_rate_limit=12_000,
        throttling_burst_limit=5_000,
        records_throttling_rate_limit=800,
    )
    settings = properties(Template.from_stack(stack), "AWS::ApiGateway::Stage")["MethodSettings"]
    throttles = {
        (s["ResourcePath"], s["HttpMethod"]): (s["ThrottlingRateLimit"], s["ThrottlingBurstLimit"])
        for s in settings
    }
    # API Gateway applies the stage's limits to POST /record and its own to POST /records.
    assert throttles == {("/*", "*"): (12_000, 5_000), ("/~1records", "POST"): (800, 800)}


def test_cognito_authorizer_replaces_iam(stack: cdk.Stack) -> None:
    pool = cognito.UserPool(stack, "Pool")
    authorizer = apigw.CognitoUserPoolsAuthorizer(stack, "Auth", cognito_user_pools=[pool])
    StreamIngestApi(stack, "Ingest", authorizer=authorizer)
    for method in methods(Template.from_stack(stack)).values():
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS"
        assert "AuthorizerId" in method


def test_escape_hatch_is_merged_last(stack: cdk.Stack) -> None:
    StreamIngestApi(stack, "Ingest", rest_api_props={"description": "usage events"})
    assert properties(Template.from_stack(stack), "AWS::ApiGateway::RestApi")["Description"] == (
        "usage events"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"partition_key_field": "a.b"}, "partition_key_field must be a plain field name"),
        ({"partition_key_field": ""}, "partition_key_field"),
        ({"max_records_per_request": 501}, "max_records_per_request must be between 1 and 500"),
        ({"max_records_per_request": 0}, "max_records_per_request"),
        ({"throttling_rate_limit": 0}, "throttling_rate_limit"),
        ({"throttling_burst_limit": 0}, "throttling_burst_limit"),
        ({"stage_name": "v 1"}, "stage_name"),
        ({"records_throttling_rate_limit": 0}, "records_throttling_rate_limit must be between"),
        ({"records_throttling_burst_limit": 10}, "records_throttling_burst_limit .10. needs"),
        ({"authorization_type": apigw.AuthorizationType.COGNITO}, "needs an authorizer"),
        (
            {"record_schema": apigw.JsonSchema(type=apigw.JsonSchemaType.ARRAY)},
            "record_schema must describe a JSON object",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(
    stack: cdk.Stack, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        StreamIngestApi(stack, "Bad", **kwargs)
