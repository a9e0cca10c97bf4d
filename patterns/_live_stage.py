"""The stage of a ``LiveUpdates`` WebSocket API: logging, throttling, alarms, acknowledgements."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns._nag import acknowledge_packs
from patterns._validation import cfn_child
from patterns.alarms import create_alarm
from patterns.api.routes import Throttle

#: Fields of the WebSocket stage's JSON access log lines (one line per connect,
#: message and disconnect).
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "connectionId": "$context.connectionId",
    "eventType": "$context.eventType",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "integrationLatency": "$context.integrationLatency",
    "errorMessage": "$context.error.message",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
}

_EXECUTION_LOG_LEVELS = frozenset({"OFF", "ERROR", "INFO"})


def configure_stage(
    stage: apigwv2.WebSocketStage,
    *,
    access_logs: logs.ILogGroup,
    throttle: Throttle | None,
    execution_logging_level: str,
) -> None:
    """JSON access logs, execution logs at ``execution_logging_level`` (never the message
    bodies), detailed per-route metrics and the stage-wide throttle, on the L1 stage."""
    cfn_stage = cfn_child(stage, apigwv2.CfnStage)
    cfn_stage.access_log_settings = apigwv2.CfnStage.AccessLogSettingsProperty(
        destination_arn=access_logs.log_group_arn, format=json.dumps(ACCESS_LOG_FIELDS)
    )
    cfn_stage.default_route_settings = apigwv2.CfnStage.RouteSettingsProperty(
        logging_level=execution_logging_level,
        data_trace_enabled=False,
        detailed_metrics_enabled=True,
        throttling_rate_limit=throttle.rate_limit if throttle else None,
        throttling_burst_limit=throttle.burst_limit if throttle else None,
    )
    acknowledge_packs(
        stage,
        "APIGWSSLEnabled",
        "Every integration is a Lambda function, which API Gateway invokes with SigV4 over "
        "TLS; a client certificate authenticates only HTTP backends.",
    )
    cdk.Validations.of(stage).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-APIG3",
            reason="AWS WAF cannot be associated with WebSocket APIs; the stage throttles "
            "every route and $connect is authorized instead.",
        )
    )


def acknowledge_unauthorized_route(route: apigwv2.WebSocketRoute) -> None:
    """``$disconnect`` and ``$default`` take no authorizer: API Gateway authorizes a
    WebSocket connection once, on ``$connect``, and every later message rides on it."""
    cdk.Validations.of(route).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-APIG4",
            reason="API Gateway accepts an authorizer on $connect only; messages and the "
            "disconnect of a WebSocket connection are covered by its authorized $connect.",
        )
    )


def stage_alarms(
    scope: Construct,
    *,
    api: apigwv2.WebSocketApi,
    stage: apigwv2.WebSocketStage,
    topic: sns.ITopic | None,
) -> dict[str, cloudwatch.Alarm]:
    """Alarms on the stage: failed connects, integration errors, execution errors."""
    five_minutes = cdk.Duration.minutes(5)
    path = scope.node.path

    def metric(name: str, **dimensions: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/ApiGateway",
            metric_name=name,
            dimensions_map={"ApiId": api.api_id, "Stage": stage.stage_name, **dimensions},
            statistic="Sum",
            period=five_minutes,
        )

    return {
        "connect_errors": create_alarm(
            scope,
            "ConnectErrorsAlarm",
            metric=metric("IntegrationError", Route="$connect"),
            threshold=1,
            description=f"{path}: $connect failed in its function (clients cannot connect)",
            topic=topic,
        ),
        "integration_errors": create_alarm(
            scope,
            "IntegrationErrorsAlarm",
            metric=metric("IntegrationError"),
            threshold=1,
            description=f"{path}: a route's function answered with an error",
            topic=topic,
        ),
        "execution_errors": create_alarm(
            scope,
            "ExecutionErrorsAlarm",
            metric=metric("ExecutionError"),
            threshold=1,
            description=f"{path}: API Gateway failed to run a route's integration",
            topic=topic,
        ),
    }
