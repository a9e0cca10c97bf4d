"""Pieces of ``StreamIngestApi``: the record schema and the batch method's throttle."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw

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
