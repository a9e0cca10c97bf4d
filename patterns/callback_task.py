"""``wait_for_callback``: a Step Functions task that hands its task token to a person or
another system and waits for the answer (``.waitForTaskToken``), with a deadline and an
optional heartbeat.

The token goes out with the message (under ``task_token``) through an SQS queue or an SNS
topic; whoever answers calls ``SendTaskSuccess`` (its output becomes the task's result),
``SendTaskFailure`` (the task fails with that error, for a ``Catch`` to route) or, while
still working, ``SendTaskHeartbeat``. Grant that with ``EventWorkflow.grant_task_response``:
it allows those three actions on that one state machine. With no answer by ``timeout``
(or no heartbeat for ``heartbeat``) the task fails with ``States.Timeout`` (or
``States.HeartbeatTimeout``), which a ``Catch`` turns into the workflow's fallback.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from patterns._types import checked
from patterns._validation import check_duration

#: The message field that carries the task token.
TOKEN_FIELD = "task_token"
#: Longest a task may wait (a standard workflow's longest execution).
MAX_WAIT_SECONDS = 365 * 24 * 3600
#: Where a timed-out or refused callback leaves its error for a ``Catch`` (``$.error``,
#: with ``Error`` and ``Cause``).
TIMEOUT_ERRORS = ("States.Timeout", "States.HeartbeatTimeout")


@checked
def wait_for_callback(
    scope: Construct,
    construct_id: str,
    *,
    message: Mapping[str, Any],
    timeout: cdk.Duration,
    queue: sqs.IQueue | None = None,
    topic: sns.ITopic | None = None,
    heartbeat: cdk.Duration | None = None,
    result_path: str | None = "$.callback",
    comment: str | None = None,
) -> tasks.SqsSendMessage | tasks.SnsPublish:
    """The task: send ``message`` plus the task token, then wait for the answer.

    :param message: the fields the recipient needs (values may be ``sfn.JsonPath``
        references into the state's input); ``task_token`` is added. Required.
    :param timeout: longest the task waits for an answer, up to a year. Required.
    :param queue: the queue the message goes to. Give this or ``topic``.
    :param topic: the topic the message is published to. Give this or ``queue``.
    :param heartbeat: longest between the recipient's heartbeats (shorter than
        ``timeout``): a recipient that stops working is noticed then. Default: none.
    :param result_path: where the answer's output goes in the state's output (``None``
        discards it and keeps the input). Default: ``"$.callback"``.
    :param comment: the state's comment. Default: none.
    """
    if (queue is None) == (topic is None):
        raise ValueError(
            "give exactly one of queue and topic for the callback message; got "
            f"{'both' if queue is not None else 'neither'}"
        )
    if not isinstance(message, Mapping) or not all(isinstance(k, str) for k in message):
        raise TypeError(f"message must be a mapping of field names to values, got {message!r}")
    if TOKEN_FIELD in message:
        raise ValueError(
            f"message must not set {TOKEN_FIELD!r}: the task adds the execution's task token "
            "there itself"
        )
    check_duration("timeout", timeout, 1, MAX_WAIT_SECONDS)
    check_duration("heartbeat", heartbeat, 1, MAX_WAIT_SECONDS)
    if heartbeat is not None and heartbeat.to_seconds() >= timeout.to_seconds():
        raise ValueError(
            f"heartbeat ({heartbeat.to_human_string()}) must be shorter than timeout "
            f"({timeout.to_human_string()}), or no heartbeat would ever be missed"
        )
    body = sfn.TaskInput.from_object({TOKEN_FIELD: sfn.JsonPath.task_token, **message})
    common: dict[str, Any] = {
        "integration_pattern": sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        "task_timeout": sfn.Timeout.duration(timeout),
        "heartbeat_timeout": sfn.Timeout.duration(heartbeat) if heartbeat else None,
        "result_path": result_path if result_path is not None else sfn.JsonPath.DISCARD,
        "comment": comment,
    }
    if topic is not None:
        return tasks.SnsPublish(scope, construct_id, topic=topic, message=body, **common)
    given = typing.cast(sqs.IQueue, queue)  # exactly one of the two, checked above
    return tasks.SqsSendMessage(scope, construct_id, queue=given, message_body=body, **common)
