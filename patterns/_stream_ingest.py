"""Pieces of ``StreamIngestApi``: the record schema, the batch method's throttle and the
Kinesis integrations."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam

from patterns._ingest_cors import IngestCors
from patterns._validation import check_range

#: The ``StageOptions.method_options`` key of the batch method.
RECORDS_METHOD = "/records/POST"


def batch_method_options(
    rate: float | None, burst: int | None, stage_burst: int
) -> dict[str, apigw.MethodDeploymentOptions] | None:
    """The throttle of ``POST /records`` alone, or ``None`` when the stage's applies."""
    check_range("records_throttling_rate_limit", rate, 1, 1_000_000, "requests/s")
    check_range("records_throttling_burst_limit", burst, 1, 1_000_000, "requests")
    if rate is None:
        if burst is not None:
            raise ValueError(
                f"records_throttling_burst_limit ({burst}) needs records_throttling_rate_limit"
            )
        return None
    return {
        RECORDS_METHOD: apigw.MethodDeploymentOptions(
            throttling_rate_limit=rate,
            throttling_burst_limit=burst if burst is not None else min(int(rate), stage_burst),
        )
    }


def record_schema_with_key(field: str, schema: apigw.JsonSchema | None) -> apigw.JsonSchema:
    key = apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, min_length=1, max_length=256)
    if schema is None:
        return apigw.JsonSchema(
            type=apigw.JsonSchemaType.OBJECT, required=[field], properties={field: key}
        )
    if schema.type not in (None, apigw.JsonSchemaType.OBJECT):
        raise ValueError(f"record_schema must describe a JSON object, got type {schema.type}")
    return apigw.JsonSchema(
        type=apigw.JsonSchemaType.OBJECT,
        required=sorted({*(schema.required or ()), field}),
        properties={field: key, **(schema.properties or {})},
        additional_properties=schema.additional_properties,
        min_properties=schema.min_properties,
        max_properties=schema.max_properties,
    )


_ERRORS = (("4\\d{2}", "400"), ("5\\d{2}", "500"))
_ERROR_TEMPLATE = '{"message": "$util.escapeJavaScript($input.path(\'$.message\'))"}'


def kinesis_integration(
    role: iam.IRole, action: str, request: str, response: str, cors: IngestCors | None
) -> apigw.AwsIntegration:
    """The Kinesis ``action`` as ``role``, with the request and 200 response templates,
    Kinesis' 4XX/5XX mapped to 400/500 with its message, and ``cors``' headers on each."""
    prefix = cors.template_prefix() if cors else ""
    headers = cors.response_parameters() if cors else {}
    answers = [
        apigw.IntegrationResponse(
            status_code="200",
            response_templates={"application/json": prefix + response},
            response_parameters=headers or None,
        ),
        *(
            apigw.IntegrationResponse(
                selection_pattern=pattern,
                status_code=status,
                response_templates={"application/json": prefix + _ERROR_TEMPLATE},
                response_parameters=headers or None,
            )
            for pattern, status in _ERRORS
        ),
    ]
    return apigw.AwsIntegration(
        service="kinesis",
        action=action,
        integration_http_method="POST",
        options=apigw.IntegrationOptions(
            credentials_role=role,
            passthrough_behavior=apigw.PassthroughBehavior.NEVER,
            request_parameters={
                "integration.request.header.Content-Type": "'application/x-amz-json-1.1'"
            },
            request_templates={"application/json": request},
            integration_responses=answers,
        ),
    )
