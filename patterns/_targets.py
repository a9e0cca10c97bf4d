"""What patterns invoke and where their failures go: shared by every pattern."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns.serverless_function import ServerlessFunction


def target_function(function: Any, argument: str = "function") -> lambda_.IFunction:
    """The function to invoke: a ``ServerlessFunction``'s ``live`` alias, or ``function``."""
    if isinstance(function, ServerlessFunction):
        return function.alias
    if hasattr(function, "function_arn") and hasattr(function, "grant_invoke"):
        result: lambda_.IFunction = function
        return result
    raise TypeError(
        f"{argument} must be a ServerlessFunction or an aws_lambda.IFunction, "
        f"got {type(function).__name__}"
    )


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
