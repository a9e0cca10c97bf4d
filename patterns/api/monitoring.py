"""Alarms of a ``ServerlessApi``: 5XX and 4XX rates and p99 latency of its stage, and the
throttles of its functions."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns.alarms import create_alarm

_PERIOD = cdk.Duration.minutes(1)


def error_rate(stage: apigateway.Stage, kind: str) -> cloudwatch.MathExpression:
    """Percentage of the stage's requests answered with ``kind`` (4XX or 5XX), per minute."""
    errors = (
        stage.metric_server_error(period=_PERIOD, statistic="Sum")
        if kind == "5XX"
        else stage.metric_client_error(period=_PERIOD, statistic="Sum")
    )
    return cloudwatch.MathExpression(
        expression="IF(requests > 0, 100 * errors / requests, 0)",
        using_metrics={
            "errors": errors,
            "requests": stage.metric_count(period=_PERIOD, statistic="SampleCount"),
        },
        label=f"{kind} rate (%)",
        period=_PERIOD,
    )


def add_stage_alarms(
    scope: Construct,
    *,
    stage: apigateway.Stage,
    server_error_rate_percent: float,
    client_error_rate_percent: float | None,
    latency_p99: cdk.Duration,
    topic: sns.ITopic | None,
) -> list[cloudwatch.Alarm]:
    """Alarms on the stage over 3 of 5 minutes: 5XX rate, p99 latency and 4XX rate.

    API Gateway has no metric of its own for the requests it throttles: it answers them
    429, which counts among the 4XX, so a 4XX surge is where stage throttling shows.
    """
    name = stage.node.path
    alarms = [
        create_alarm(
            scope,
            "ServerErrorRateAlarm",
            metric=error_rate(stage, "5XX"),
            threshold=server_error_rate_percent,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            description=f"{name}: {server_error_rate_percent:g}% or more of requests "
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
    if client_error_rate_percent is not None:
        alarms.append(
            create_alarm(
                scope,
                "ClientErrorRateAlarm",
                metric=error_rate(stage, "4XX"),
                threshold=client_error_rate_percent,
                evaluation_periods=5,
                datapoints_to_alarm=3,
                description=f"{name}: {client_error_rate_percent:g}% or more of requests "
                "answered 4XX, throttled requests (429) included",
                topic=topic,
            )
        )
    return alarms


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
