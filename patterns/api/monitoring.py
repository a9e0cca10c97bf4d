"""Alarms of a ``ServerlessApi``: 5XX rate and p99 latency of its stage, function throttles."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns.alarms import create_alarm

_PERIOD = cdk.Duration.minutes(1)


def server_error_rate(stage: apigateway.Stage) -> cloudwatch.MathExpression:
    """Percentage of the stage's requests answered with 5XX, per minute."""
    return cloudwatch.MathExpression(
        expression="IF(requests > 0, 100 * errors / requests, 0)",
        using_metrics={
            "errors": stage.metric_server_error(period=_PERIOD, statistic="Sum"),
            "requests": stage.metric_count(period=_PERIOD, statistic="SampleCount"),
        },
        label="5XX rate (%)",
        period=_PERIOD,
    )


def add_stage_alarms(
    scope: Construct,
    *,
    stage: apigateway.Stage,
    server_error_rate_percent: float,
    latency_p99: cdk.Duration,
    topic: sns.ITopic | None,
) -> list[cloudwatch.Alarm]:
    """Alarms on the stage: 5XX rate and p99 latency over 3 of 5 minutes."""
    name = stage.node.path
    return [
        create_alarm(
            scope,
            "ServerErrorRateAlarm",
            metric=server_error_rate(stage),
            threshold=server_error_rate_percent,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            description=f"{name}: more than {server_error_rate_percent:g}% of requests "
            "failed with 5XX",
            topic=topic,
        ),
        create_alarm(
            scope,
            "LatencyP99Alarm",
            metric=stage.metric_latency(period=_PERIOD, statistic="p99"),
            threshold=latency_p99.to_milliseconds(),
            evaluation_periods=5,
            datapoints_to_alarm=3,
            description=f"{name}: p99 latency above {latency_p99.to_milliseconds():g} ms",
            topic=topic,
        ),
    ]


def add_throttles_alarm(
    scope: Construct,
    construct_id: str,
    *,
    function: lambda_.IFunction,
    api_path: str,
    topic: sns.ITopic | None,
) -> cloudwatch.Alarm:
    """Alarm on throttled invocations of one function the API invokes.

    API Gateway publishes no throttled-request metric of its own (requests it throttles
    are counted among the 4XX), so throttling is watched where it hurts: the functions.
    """
    return create_alarm(
        scope,
        construct_id,
        metric=function.metric_throttles(period=cdk.Duration.minutes(5), statistic="Sum"),
        threshold=1,
        description=f"{api_path}: Lambda throttled invocations of {function.node.path}",
        topic=topic,
    )
