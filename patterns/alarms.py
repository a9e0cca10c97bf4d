"""The alarm helpers every pattern uses: dimensions always, an action when a topic is given."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._aws_limits import check_alarm_window, check_length
from patterns._types import checked
from patterns._validation import check_range


@checked
def create_alarm(
    scope: Construct,
    construct_id: str,
    *,
    metric: cloudwatch.IMetric,
    threshold: float,
    description: str,
    evaluation_periods: int = 1,
    datapoints_to_alarm: int | None = None,
    comparison_operator: cloudwatch.ComparisonOperator = (
        cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    ),
    treat_missing_data: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    topic: sns.ITopic | None = None,
) -> cloudwatch.Alarm:
    """Create an alarm on ``metric`` that is tied to its resource.

    Every metric the alarm reads must carry dimensions (a metric without them watches a
    whole namespace, not the resource the alarm is named for), else ``ValueError``.
    When ``topic`` is given, the alarm notifies it on ALARM and on OK.

    :param metric: a ``Metric`` with dimensions, or a ``MathExpression`` whose metrics
        all have dimensions.
    :param threshold: the value compared with ``comparison_operator``.
    :param description: what the alarm means, shown in notifications.
    :param evaluation_periods: periods evaluated, >= 1. Default: 1.
    :param datapoints_to_alarm: breaching datapoints needed. Default: all evaluated.
    :param comparison_operator: Default: greater than or equal to the threshold.
    :param treat_missing_data: Default: not breaching (no traffic is not an incident).
    :param topic: SNS topic for alarm and OK actions. Default: no action.
    """
    check_range("evaluation_periods", evaluation_periods, 1, 1440)
    check_alarm_window(metric, evaluation_periods)
    check_length("description", description, 1024)
    if datapoints_to_alarm is not None:
        check_range("datapoints_to_alarm", datapoints_to_alarm, 1, evaluation_periods)
    for name, dimensions in _metric_dimensions(metric):
        if not dimensions:
            raise ValueError(
                f"metric {name!r} has no dimensions: an alarm must be tied to its resource "
                "by dimensions (e.g. FunctionName, TableName)"
            )
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=threshold,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=datapoints_to_alarm,
        comparison_operator=comparison_operator,
        treat_missing_data=treat_missing_data,
        alarm_description=description,
    )
    if topic is not None:
        action = cw_actions.SnsAction(topic)
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
    return alarm


@checked
def messages_waiting_alarm(
    scope: Construct,
    construct_id: str,
    *,
    queue: sqs.IQueue,
    description: str,
    topic: sns.ITopic | None = None,
) -> cloudwatch.Alarm:
    """An alarm on any message visible in ``queue`` (the highest count of five minutes at
    or above 1): the alarm of a dead-letter or failure queue, where one message is one
    thing that was never done.

    :param queue: the queue watched (an imported one too).
    :param description: what a message there means, shown in notifications.
    :param topic: SNS topic for alarm and OK actions. Default: no action.
    """
    return create_alarm(
        scope,
        construct_id,
        metric=queue.metric_approximate_number_of_messages_visible(
            period=cdk.Duration.minutes(5), statistic="Maximum"
        ),
        threshold=1,
        description=description,
        topic=topic,
    )


def _metric_dimensions(metric: cloudwatch.IMetric) -> list[tuple[str, object]]:
    if isinstance(metric, cloudwatch.MathExpression):
        found: list[tuple[str, object]] = []
        for inner in metric.using_metrics.values():
            found.extend(_metric_dimensions(inner))
        return found
    if isinstance(metric, cloudwatch.Metric):
        return [(metric.metric_name, metric.dimensions)]
    raise TypeError(
        f"metric must be a cloudwatch.Metric or MathExpression, got {type(metric).__name__}"
    )
