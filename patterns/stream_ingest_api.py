"""``StreamIngestApi``: API Gateway putting records straight into Kinesis, no Lambda."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from patterns._aws_limits import check_web_acl_arn
from patterns._grants import acknowledged
from patterns._ingest_cors import check_cors
from patterns._metadata import mark_pattern
from patterns._nag import acknowledge_packs
from patterns._override_guards import INGEST_API_GUARDS
from patterns._overrides import merged
from patterns._stream import create_encrypted_stream
from patterns._stream_ingest import (
    batch_method_options,
    kinesis_integration,
    record_schema_with_key,
)
from patterns._types import checked
from patterns._validation import check_range, check_stage_name
from patterns.api.stage import acknowledge_client_certificate
from patterns.api.stage_access import StageAccess

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class StreamIngestApi(StageAccess, Construct):
    """A REST API whose methods are AWS service integrations with Kinesis.

    ``POST /record`` takes one JSON record and calls ``PutRecord``; ``POST /records`` takes
    ``{"records": [...]}`` and calls ``PutRecords`` (whose response lists per-record failures
    for the caller to retry). Each record must be a JSON object whose ``partition_key_field``
    holds the partition key; the record itself (as JSON) becomes the Kinesis data. Bodies are
    validated against JSON-schema models before anything reaches Kinesis. API Gateway
    assumes ``IntegrationRole``, which may only write to this one stream.

    Children: ``Stream`` (unless given), ``IntegrationRole``, ``AccessLogs`` and ``Resource``
    (the REST API, with stage ``stage_name``).

    :param stream: the stream records go to. Default: a new on-demand stream encrypted with
        the ``aws/kinesis`` key.
    :param partition_key_field: top-level field of each record holding its partition key
        (records with one key stay in order). Default: ``"partition_key"``.
    :param record_schema: JSON schema every record must satisfy (an object schema; the
        partition key field is required on top of it). Default: any object with the key.
    :param max_records_per_request: most records in one ``/records`` call, 1..500. Default: 500.
    :param throttling_rate_limit: steady requests per second of the stage. Default: 1000.
    :param throttling_burst_limit: burst of requests of the stage. Default: 2000.
    :param records_throttling_rate_limit: steady requests per second of ``POST /records``
        alone (each carries up to ``max_records_per_request`` records), so that batches
        cannot take all of the stage's rate. Default: the stage's limits apply.
    :param records_throttling_burst_limit: burst of ``POST /records`` alone; needs the rate
        above. Default: the rate above, at most the stage's burst.
    :param authorization_type: how callers authenticate when no ``authorizer`` is given.
        Default: IAM (SigV4-signed requests).
    :param authorizer: a Cognito or Lambda authorizer for both methods. Default: none.
    :param cors_origins: origins whose pages may call the methods from a browser
        (``scheme://host[:port]`` each, or ``["*"]``): preflight answers, and the CORS
        header on every response, API Gateway's own errors included when there is one
        origin. Default: no CORS (callers are not browsers).
    :param cors_allow_headers: request headers browsers may send. Default:
        ``Content-Type``, ``Authorization``, ``X-Amz-Date``, ``X-Amz-Security-Token``.
    :param stage_name: the deployment stage. Default: ``"v1"``.
    :param web_acl_arn: ARN of a WAFv2 web ACL (regional) to associate with the stage.
        Default: none (with IAM authorization unsigned requests never reach Kinesis).
    :param execution_log_level: API Gateway execution logging; needs the account's API
        Gateway CloudWatch role. Default: off (access logs record every request).
    :param log_retention: retention of the access logs. Default: one month.
    :param removal_policy: for the new stream and the access logs. Default: RETAIN.
    :param rest_api_props: escape hatch: keyword arguments merged last into
        ``apigw.RestApi``. A key that would weaken a secure default, or that an argument
        above sets, is refused with a ``ValueError`` saying what to pass instead.
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stream: kinesis.IStream | None = None,
        partition_key_field: str = "partition_key",
        record_schema: apigw.JsonSchema | None = None,
        max_records_per_request: int = 500,
        throttling_rate_limit: float = 1000,
        throttling_burst_limit: int = 2000,
        records_throttling_rate_limit: float | None = None,
        records_throttling_burst_limit: int | None = None,
        authorization_type: apigw.AuthorizationType = apigw.AuthorizationType.IAM,
        authorizer: apigw.IAuthorizer | None = None,
        cors_origins: Sequence[str] | None = None,
        cors_allow_headers: Sequence[str] | None = None,
        stage_name: str = "v1",
        web_acl_arn: str | None = None,
        execution_log_level: apigw.MethodLoggingLevel | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        rest_api_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        if not isinstance(partition_key_field, str) or not _FIELD.match(partition_key_field):
            raise ValueError(
                "partition_key_field must be a plain field name (letters, digits, '_', at "
                f"most 64), got {partition_key_field!r}"
            )
        check_range("max_records_per_request", max_records_per_request, 1, 500, "records")
        check_range("throttling_rate_limit", throttling_rate_limit, 1, 1_000_000, "requests/s")
        check_range("throttling_burst_limit", throttling_burst_limit, 1, 1_000_000, "requests")
        batch_throttle = batch_method_options(
            records_throttling_rate_limit, records_throttling_burst_limit, throttling_burst_limit
        )
        check_stage_name("stage_name", stage_name)
        check_web_acl_arn(
            "web_acl_arn", web_acl_arn, scope="REGIONAL", region=cdk.Stack.of(self).region
        )
        if authorizer is None and authorization_type in (
            apigw.AuthorizationType.COGNITO,
            apigw.AuthorizationType.CUSTOM,
        ):
            raise ValueError(f"authorization_type {authorization_type} needs an authorizer")
        cors = check_cors(cors_origins, cors_allow_headers)

        #: The stream records go to.
        self.stream: kinesis.IStream = stream or create_encrypted_stream(
            self,
            "Stream",
            stream_mode=None,
            shard_count=None,
            retention_period=None,
            encryption_key=None,
            removal_policy=removal_policy,
        )
        #: The role API Gateway assumes: write access to this stream only.
        self.role = iam.Role(
            self,
            "IntegrationRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description=f"API Gateway writes records to one stream ({self.node.path})",
        )
        self.stream.grant_write(self.role)
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=log_retention, removal_policy=removal_policy
        )
        props: dict[str, Any] = {
            "description": f"Puts records into the Kinesis stream of {self.node.path}",
            "endpoint_types": [apigw.EndpointType.REGIONAL],
            "cloud_watch_role": False,
            "deploy_options": apigw.StageOptions(
                stage_name=stage_name,
                throttling_rate_limit=throttling_rate_limit,
                throttling_burst_limit=throttling_burst_limit,
                method_options=batch_throttle,
                tracing_enabled=True,
                logging_level=execution_log_level,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
        }
        if cors is not None:
            props["default_cors_preflight_options"] = cors.preflight()
        #: The REST API.
        self.api = apigw.RestApi(
            self, "Resource", **merged("rest_api_props", props, rest_api_props, INGEST_API_GUARDS)
        )
        #: The deployed stage.
        self.stage = self.api.deployment_stage
        if execution_log_level is None:
            cdk.Validations.of(self.stage).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-APIG6",
                    reason="Execution logging needs the account-wide API Gateway CloudWatch "
                    "role, which this construct does not own; access logs record every request.",
                )
            )

        record = record_schema_with_key(partition_key_field, record_schema)
        batch = apigw.JsonSchema(
            schema=apigw.JsonSchemaVersion.DRAFT4,
            type=apigw.JsonSchemaType.OBJECT,
            required=["records"],
            additional_properties=False,
            properties={
                "records": apigw.JsonSchema(
                    type=apigw.JsonSchemaType.ARRAY,
                    min_items=1,
                    max_items=max_records_per_request,
                    items=record,
                )
            },
        )
        validator = self.api.add_request_validator(
            "BodyValidator", validate_request_body=True, validate_request_parameters=True
        )
        method_options: dict[str, Any] = {
            "request_validator": validator,
            "authorizer": authorizer,
            "authorization_type": None if authorizer else authorization_type,
            "method_responses": [
                apigw.MethodResponse(
                    status_code=code, response_parameters=cors.method_headers() if cors else None
                )
                for code in ("200", "400", "500")
            ],
        }
        iam_only = authorizer is None and authorization_type == apigw.AuthorizationType.IAM
        self._attach_web_acl(web_acl_arn, acknowledge_absence=iam_only)
        acknowledge_client_certificate(self.stage)
        if cors is not None:
            cors.on_gateway_errors(self.api)
        never_cached = (
            "The API only takes POST writes into Kinesis; a cache would answer a write "
            "from an earlier response without putting the record."
        )
        acknowledge_packs(self.stage, "APIGWCacheEnabledAndEncrypted", never_cached)
        stream_name = self.stream.stream_name
        field = partition_key_field
        put_record = self.api.root.add_resource("record").add_method(
            "POST",
            kinesis_integration(
                self.role,
                "PutRecord",
                f'{{"StreamName": "{stream_name}", '
                f"\"PartitionKey\": $input.json('$.{field}'), "
                '"Data": "$util.base64Encode($input.json(\'$\'))"}',
                "{\"sequence_number\": $input.json('$.SequenceNumber'), "
                "\"shard_id\": $input.json('$.ShardId')}",
                cors,
            ),
            request_models={"application/json": self._model("Record", record)},
            **method_options,
        )
        put_records = self.api.root.add_resource("records").add_method(
            "POST",
            kinesis_integration(
                self.role,
                "PutRecords",
                f'{{"StreamName": "{stream_name}", "Records": ['
                "#foreach($r in $input.path('$.records'))"
                f'{{"PartitionKey": $input.json("$.records[$foreach.index].{field}"), '
                '"Data": "$util.base64Encode($input.json("$.records[$foreach.index]"))"}'
                "#if($foreach.hasNext),#end#end]}",
                "{\"failed_record_count\": $input.json('$.FailedRecordCount'), "
                "\"records\": $input.json('$.Records')}",
                cors,
            ),
            request_models={"application/json": self._model("Records", batch)},
            **method_options,
        )
        for method in (put_record, put_records) if iam_only else ():
            cdk.Validations.of(method).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-COG4",
                    reason="The method uses IAM authorization (SigV4): producers are AWS "
                    "principals or Cognito identity-pool users, not user-pool tokens.",
                )
            )

    def grant_put_records(self, grantee: iam.IGrantable) -> iam.Grant:
        """Write records to the stream directly (and encrypt them with its key)."""
        return acknowledged(
            lambda: self.stream.grant_write(grantee), grantee, f"writes to {self.node.path}"
        )

    def _attach_web_acl(self, web_acl_arn: str | None, *, acknowledge_absence: bool) -> None:
        if web_acl_arn is not None:
            wafv2.CfnWebACLAssociation(
                self,
                "WebAcl",
                resource_arn=self.stage.stage_arn,
                web_acl_arn=web_acl_arn,
            )
        elif acknowledge_absence:
            cdk.Validations.of(self.stage).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-APIG3",
                    reason="Every method requires SigV4-signed requests (IAM authorization), "
                    "so unsigned traffic is rejected before it reaches Kinesis; pass "
                    "web_acl_arn to add a WAF web ACL.",
                )
            )

    def _model(self, name: str, schema: apigw.JsonSchema) -> apigw.Model:
        return self.api.add_model(f"{name}Model", content_type="application/json", schema=schema)
