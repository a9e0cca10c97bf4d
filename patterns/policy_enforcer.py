"""``PolicyEnforcer``: remediate and audit AWS API calls that CloudTrail records."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._metadata import mark_pattern
from patterns._ops_common import check_retry_policy, ops_topic
from patterns._targets import (
    ensure_dead_letter_queue,
    send_async_failures_to,
    target_function,
)
from patterns._types import check_fields, checked
from patterns.serverless_function import ServerlessFunction

#: The detail type EventBridge gives API calls recorded by CloudTrail.
CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"
_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,63}$")
_SOURCE = re.compile(r"^[a-z0-9-]+\.amazonaws\.com$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApiCallMatch:
    """API calls one rule of a ``PolicyEnforcer`` matches.

    :param name: PascalCase id of the rule's construct (``OpenIngress``). Required.
    :param event_source: the service's CloudTrail event source (``ec2.amazonaws.com``).
    :param event_names: API actions (``AuthorizeSecurityGroupIngress``); at least one.
    :param request_parameters: EventBridge content filter on ``detail.requestParameters``
        (``{"ipPermissions": {"items": {"ipRanges": {"items": {"cidrIp": ["0.0.0.0/0"]}}}}}``).
        Default: any parameters.
    """

    name: str
    event_source: str
    event_names: Sequence[str]
    request_parameters: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        check_fields(self, f"api_calls {self.name!r}")
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"name must be a PascalCase construct id, got {self.name!r}")
        if not isinstance(self.event_source, str) or not _SOURCE.match(self.event_source):
            raise ValueError(
                "event_source must be a CloudTrail event source like 'ec2.amazonaws.com', "
                f"got {self.event_source!r}"
            )
        if isinstance(self.event_names, str):
            raise TypeError("event_names must be a sequence of API action names, not a string")
        names = tuple(self.event_names)
        if not names:
            raise ValueError(
                f"event_names of {self.name!r} must name at least one API action, got none"
            )
        for action in names:
            if not isinstance(action, str) or not action:
                raise ValueError(f"event_names of {self.name!r} contains {action!r}")
        object.__setattr__(self, "event_names", names)
        if self.request_parameters is not None:
            object.__setattr__(
                self, "request_parameters", MappingProxyType(dict(self.request_parameters))
            )

    def event_pattern(self) -> events.EventPattern:
        """The EventBridge pattern matching these calls."""
        detail: dict[str, Any] = {
            "eventSource": [self.event_source],
            "eventName": list(self.event_names),
        }
        if self.request_parameters is not None:
            detail["requestParameters"] = dict(self.request_parameters)
        return events.EventPattern(
            source=[f"aws.{self.event_source.split('.', 1)[0]}"],
            detail_type=[CLOUDTRAIL_DETAIL_TYPE],
            detail=detail,
        )


class PolicyEnforcer(Construct):
    """Run a remediation function on matching API calls and publish an audit record.

    One EventBridge rule per ``ApiCallMatch`` (its id is the match's ``name``) has two
    targets: the remediation function (which receives the CloudTrail event) and the
    topic (which receives a short audit record: who called what, from where, when).
    The construct grants the function nothing: what it may change is exactly what the
    caller grants it. EventBridge sees API calls only where a CloudTrail trail records
    management events in the account and region.

    :param function: the remediation: a ``ServerlessFunction`` (its ``live`` alias is
        invoked) or any ``aws_lambda.IFunction``; an imported one must be one CDK can
        permit (in this stack's account and region, or imported with
        ``same_environment=True``), else ``ValueError``. Required.
    :param api_calls: the calls to act on; at least one. Required.
    :param topic: SNS topic of the audit records. Default: the topic of a new
        ``OpsNotifications`` child ``Notifications``.
    :param enabled: whether the rules fire. Default: True.
    :param retry_attempts: retries of a failed delivery to the function, 0..185. Default: 2.
    :param max_event_age: how long a delivery is retried, 60 s..24 h. Default: 1 hour.
    :param dead_letter_queue: where events go that could not be delivered to the function
        or that failed all of its asynchronous retries. Default: a new SQS-encrypted,
        TLS-only queue (child ``DeadLetterQueue``).
    :param removal_policy: removal policy of the new dead-letter queue. Default: ``RETAIN``.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: ServerlessFunction | lambda_.IFunction,
        api_calls: Sequence[ApiCallMatch],
        topic: sns.ITopic | None = None,
        enabled: bool = True,
        retry_attempts: int = 2,
        max_event_age: cdk.Duration | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        remediation = target_function(function, invoked_by="the EventBridge rule")
        matches = tuple(api_calls)
        if not matches:
            raise ValueError("api_calls must hold at least one ApiCallMatch, got none")
        for match in matches:
            if not isinstance(match, ApiCallMatch):
                raise TypeError(f"api_calls must hold ApiCallMatch, got {type(match).__name__}")
        names = [m.name for m in matches]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"api_calls names must be unique; repeated: {', '.join(duplicates)}")
        max_event_age = max_event_age or cdk.Duration.hours(1)
        check_retry_policy(retry_attempts, max_event_age)

        #: The remediation function (the ``live`` alias of a ``ServerlessFunction``).
        self.function: lambda_.IFunction = remediation
        #: Undeliverable events and failed asynchronous invocations of the function.
        self.dead_letter_queue: sqs.IQueue = ensure_dead_letter_queue(
            self, "DeadLetterQueue", dead_letter_queue, removal_policy=removal_policy
        )
        send_async_failures_to(function, self.dead_letter_queue)
        #: Where audit records go.
        self.topic: sns.ITopic = ops_topic(self, topic)
        #: One rule per ``ApiCallMatch``, in the order given.
        self.rules: list[events.Rule] = [
            events.Rule(
                self,
                match.name,
                description=f"{match.event_source}: {', '.join(match.event_names)}",
                event_pattern=match.event_pattern(),
                enabled=enabled,
                targets=[
                    targets.LambdaFunction(
                        remediation,
                        retry_attempts=retry_attempts,
                        max_event_age=max_event_age,
                        dead_letter_queue=self.dead_letter_queue,
                    ),
                    targets.SnsTopic(self.topic, message=_audit_record(match.name)),
                ],
            )
            for match in matches
        ]


def _audit_record(rule: str) -> events.RuleTargetInput:
    return events.RuleTargetInput.from_object(
        {
            "audit": f"API call matched policy rule {rule}; remediation started",
            "eventName": events.EventField.from_path("$.detail.eventName"),
            "eventSource": events.EventField.from_path("$.detail.eventSource"),
            "caller": events.EventField.from_path("$.detail.userIdentity.arn"),
            "sourceIPAddress": events.EventField.from_path("$.detail.sourceIPAddress"),
            "eventTime": events.EventField.from_path("$.detail.eventTime"),
            "account": events.EventField.account,
            "region": events.EventField.region,
        }
    )
