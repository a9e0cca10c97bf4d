"""What patterns invoke and where their failures go: shared by every pattern."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._imported import check_has_role, check_invocable
from patterns._types import checked
from patterns.serverless_function import ServerlessFunction


def target_function(
    function: Any,
    argument: str = "function",
    *,
    invoked_by: str | None = None,
    grants: str | None = None,
) -> lambda_.IFunction:
    """The function to invoke: a ``ServerlessFunction``'s ``live`` alias, or ``function``.

    ``invoked_by`` names the service (or role) that needs a resource-based permission to
    invoke it, ``grants`` what its execution role is granted: an imported function that
    cannot take them raises ``ValueError`` (see ``patterns._imported``)."""
    if isinstance(function, ServerlessFunction):
        return function.alias
    if not (hasattr(function, "function_arn") and hasattr(function, "grant_invoke")):
        raise TypeError(
            f"{argument} must be a ServerlessFunction or an aws_lambda.IFunction, "
            f"got {function!r} ({type(function).__name__})"
        )
    result: lambda_.IFunction = function
    if grants is not None:
        check_has_role(result, argument, grants)
    if invoked_by is not None:
        check_invocable(result, argument, invoked_by)
    return result


@checked
def ensure_dead_letter_queue(
    scope: Construct,
    construct_id: str,
    queue: sqs.IQueue | None,
    *,
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
) -> sqs.IQueue:
    """``queue``, or a new SQS-encrypted, TLS-only queue that keeps messages 14 days."""
    if queue is not None:
        return queue
    created = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
        removal_policy=removal_policy,
    )
    cdk.Validations.of(created).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-SQS3",
            reason="This queue is itself a dead-letter queue; a queue behind it would "
            "only move the same undeliverable events one hop further.",
        )
    )
    return created


def _cfn_function(function: Any) -> lambda_.CfnFunction | None:
    """The L1 function behind a ``ServerlessFunction`` or a ``Function`` defined here."""
    if isinstance(function, ServerlessFunction):
        function = function.function
    if isinstance(function, lambda_.Function):
        cfn = function.node.default_child
        if isinstance(cfn, lambda_.CfnFunction):
            return cfn
    return None


def send_async_failures_to(function: Any, queue: sqs.IQueue) -> None:
    """Make ``queue`` the dead-letter queue of ``function``'s asynchronous invocations
    (events that failed every retry), unless it has one; imported functions are left as
    they are. Lambda sends with the function's role, which gets ``sqs:SendMessage``."""
    cfn = _cfn_function(function)
    if cfn is None or cfn.dead_letter_config is not None:
        return
    cfn.dead_letter_config = lambda_.CfnFunction.DeadLetterConfigProperty(
        target_arn=queue.queue_arn
    )
    if function.role is not None:
        queue.grant_send_messages(function.role)


def acknowledge_synchronous_invocation(function: Any, invoker: str) -> None:
    """Acknowledge the HIPAA dead-letter-queue rule on a function that ``invoker`` calls
    synchronously: Lambda sends only failed asynchronous events to a DLQ, so one would
    never receive anything; the invoker sees the error and handles it."""
    cfn = _cfn_function(function)
    if cfn is None:
        return
    cdk.Validations.of(cfn).acknowledge(
        cdk.Acknowledgment(
            id="HIPAA.Security-LambdaDLQ",
            reason=f"{invoker} invokes this function synchronously and handles its errors; "
            "a dead-letter queue only ever receives failed asynchronous invocations.",
        )
    )
