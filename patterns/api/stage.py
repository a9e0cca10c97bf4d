"""Pieces of a ``ServerlessApi`` around its stage: method settings (logging, metrics,
caching, throttling, per route too), WAF, CORS on gateway errors, the table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from patterns._nag import acknowledge_packs
from patterns._validation import cfn_child
from patterns.api.routes import Route, Throttle
from patterns.web_acl import managed_web_acl

#: Fields of the stage's JSON access log lines.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integration.status",
    "errorMessage": "$context.error.message",
    "apiKeyId": "$context.identity.apiKeyId",
    "user": "$context.identity.user",
    "xrayTraceId": "$context.xrayTraceId",
}


class MethodSettings:
    """Stage-wide method settings plus each route's own: its throttle, and with a stage
    cache whether the route is cached (``*/*`` keeps caching on, which is what AWS's and
    the compliance packs' checks look for; every route overrides it either way).

    CDK's ``StageOptions.method_options`` are fixed when the stage is built; routes added
    later re-render the settings through :meth:`render`.
    """

    def __init__(
        self,
        stage: apigateway.Stage,
        *,
        throttle: Throttle | None,
        logging_level: apigateway.MethodLoggingLevel,
        cache_ttl: cdk.Duration | None,
        default_auth: str = "none",
    ) -> None:
        cfn_stage = cfn_child(stage, apigateway.CfnStage)
        self._cfn_stage = cfn_stage
        self._throttle = throttle
        self._default_auth = default_auth
        self._common: dict[str, Any] = {
            "logging_level": logging_level.value,
            "metrics_enabled": True,
            "data_trace_enabled": False,
        }
        if cache_ttl is not None:
            self._common.update(
                caching_enabled=True,
                cache_ttl_in_seconds=int(cache_ttl.to_seconds()),
                cache_data_encrypted=True,
            )

    def render(self, routes: Sequence[Route]) -> None:
        """Set the stage's ``MethodSettings`` for ``routes``."""
        settings: list[apigateway.CfnStage.MethodSettingProperty | cdk.IResolvable] = [
            self._setting("*", "/*", self._throttle)
        ]
        for route in filter(self.overrides, routes):
            method = "*" if route.method == "ANY" else route.method
            path = "/" + route.path.replace("/", "~1")
            settings.append(self._setting(method, path, route.throttle, cached=self._cached(route)))
        self._cfn_stage.method_settings = settings

    def overrides(self, route: Route) -> bool:
        """Whether ``route`` needs settings of its own: a throttle, or a stage cache (each
        route then says whether it is cached, rather than inheriting ``*/*``)."""
        return route.throttle is not None or self._caching

    @property
    def _caching(self) -> bool:
        return "caching_enabled" in self._common

    def _cached(self, route: Route) -> bool | None:
        if not self._caching:
            return None
        return route.served_from_cache(route.auth or self._default_auth)

    def _setting(
        self, method: str, path: str, throttle: Throttle | None, *, cached: bool | None = None
    ) -> apigateway.CfnStage.MethodSettingProperty:
        own: dict[str, Any] = {}
        if cached is not None:
            own["caching_enabled"] = cached
        if throttle is not None:
            own.update(
                throttling_rate_limit=throttle.rate_limit,
                throttling_burst_limit=throttle.burst_limit,
            )
        return apigateway.CfnStage.MethodSettingProperty(
            http_method=method, resource_path=path, **{**self._common, **own}
        )


#: AWS's managed policy of API Gateway's account-level logging role.
PUSH_TO_LOGS_POLICY = "service-role/AmazonAPIGatewayPushToCloudWatchLogs"


def acknowledge_push_to_logs(role: Construct) -> None:
    """Acknowledge the AWS-managed policy of API Gateway's account-level logging role."""
    cdk.Validations.of(role).acknowledge(
        cdk.Acknowledgment(
            id=f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{PUSH_TO_LOGS_POLICY}]",
            reason="API Gateway's own managed policy for writing its logs; it is "
            "the role the account-level setting requires.",
        )
    )


def acknowledge_cloud_watch_role(api: apigateway.RestApi) -> None:
    """Acknowledge the managed policy of the account-level logging role CDK creates."""
    role = api.node.try_find_child("CloudWatchRole")
    if isinstance(role, Construct):
        acknowledge_push_to_logs(role)


def cors_on_gateway_errors(api: apigateway.RestApi, origin: str) -> None:
    """Errors API Gateway answers itself (403 missing key, 429 throttled, 400 invalid body)
    carry the CORS header too, so browsers can read them."""
    for construct_id, response_type in (
        ("Default4XX", apigateway.ResponseType.DEFAULT_4_XX),
        ("Default5XX", apigateway.ResponseType.DEFAULT_5_XX),
    ):
        api.add_gateway_response(
            construct_id,
            type=response_type,
            response_headers={"Access-Control-Allow-Origin": f"'{origin}'"},
        )


def protect_stage(
    scope: Construct,
    stage: apigateway.Stage,
    *,
    waf: bool,
    rate_limit: int | None,
    web_acl_arn: str | None,
    removal_policy: cdk.RemovalPolicy,
) -> wafv2.CfnWebACL | None:
    """Associate a web ACL with ``stage``: a new regional one (``waf``) or ``web_acl_arn``.

    Returns the ACL created, if any.
    """
    created = (
        managed_web_acl(scope, "WebAcl", rate_limit=rate_limit, log_removal_policy=removal_policy)
        if waf
        else None
    )
    arn = created.attr_arn if created is not None else web_acl_arn
    if arn is not None:
        wafv2.CfnWebACLAssociation(
            scope, "WebAclAssociation", resource_arn=stage.stage_arn, web_acl_arn=arn
        )
    acknowledge_client_certificate(stage)
    if arn is None:
        cdk.Validations.of(stage).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-APIG3",
                reason="No WAF web ACL was asked for (waf=False, no web_acl_arn); the "
                "stage throttles and validates every request instead.",
            )
        )
    return created


def acknowledge_client_certificate(stage: apigateway.Stage) -> None:
    """Acknowledge HIPAA's and PCI's "client certificate" rule on a stage whose
    integrations are all Lambda functions or AWS services."""
    reason = (
        "Every integration is a Lambda function or an AWS service API, which API Gateway "
        "calls with SigV4 over TLS; a client certificate authenticates only HTTP backends."
    )
    acknowledge_packs(stage, "APIGWSSLEnabled", reason)


def new_table(
    scope: Construct,
    *,
    partition_key: dynamodb.Attribute,
    sort_key: dynamodb.Attribute | None,
    point_in_time_recovery: bool,
    time_to_live_attribute: str | None,
    removal_policy: cdk.RemovalPolicy,
    deletion_protection: bool = False,
    construct_id: str = "Table",
    stream: dynamodb.StreamViewType | None = None,
) -> dynamodb.Table:
    """A pattern's table (``Table`` unless named): on-demand, AWS-managed encryption, PITR
    as asked."""
    return dynamodb.Table(
        scope,
        construct_id,
        partition_key=partition_key,
        sort_key=sort_key,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=point_in_time_recovery
        ),
        time_to_live_attribute=time_to_live_attribute,
        removal_policy=removal_policy,
        deletion_protection=deletion_protection,
        stream=stream,
    )


def rest_api_options(
    *,
    description: str,
    endpoint_type: apigateway.EndpointType,
    cloud_watch_role: bool,
    stage_name: str,
    access_logs: logs.ILogGroup,
    tracing: bool,
    cache_ttl: cdk.Duration | None,
    cache_size: str,
    cors_origins: Sequence[str] | None,
    cors_allow_headers: Sequence[str] | None,
) -> dict[str, Any]:
    """Keyword arguments of the ``RestApi``: endpoint, logging role, stage, CORS."""
    props: dict[str, Any] = {
        "description": description,
        "endpoint_types": [endpoint_type],
        "cloud_watch_role": cloud_watch_role,
        # The account-level role outlives this API: other APIs may log through it.
        "cloud_watch_role_removal_policy": cdk.RemovalPolicy.RETAIN if cloud_watch_role else None,
        "deploy_options": apigateway.StageOptions(
            stage_name=stage_name,
            access_log_destination=apigateway.LogGroupLogDestination(access_logs),
            access_log_format=apigateway.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
            tracing_enabled=tracing,
            cache_cluster_enabled=cache_ttl is not None or None,
            cache_cluster_size=cache_size if cache_ttl is not None else None,
        ),
    }
    if cors_origins:
        props["default_cors_preflight_options"] = apigateway.CorsOptions(
            allow_origins=list(cors_origins),
            allow_methods=apigateway.Cors.ALL_METHODS,
            allow_headers=list(cors_allow_headers or apigateway.Cors.DEFAULT_HEADERS),
        )
    return props
