"""One rule for the resources a pattern is given, whether defined in this app or imported.

A pattern either makes what it is given work, or raises a ``ValueError`` at construction
that names the argument and says what to pass instead. What each kind of function allows:

- **owned** (defined in this app) or **same environment** (imported with
  ``from_function_arn`` into a stack whose account and region match the ARN, or with
  ``from_function_attributes(same_environment=True)``): CDK writes the
  ``AWS::Lambda::Permission`` a service (EventBridge, SNS, API Gateway, Scheduler's role)
  needs to invoke it.
- **foreign** (imported into an environment-agnostic stack without
  ``same_environment=True``, or from another account or region): CDK cannot write a
  permission; it only warns that ``addPermission()`` has no effect and the service is then
  refused at run time. Patterns that need one raise instead.

Grants (reading a stream, a table, object tags) land on the function's execution role:
a function imported without ``role=`` has none to grant to, so patterns that grant raise.
Buckets must send EventBridge events where a pattern reacts to objects; streams must tell
their retention where a pattern sizes record ages and alarms by it.
"""

from __future__ import annotations

import enum
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_events as events
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from patterns._cdk_singletons import acknowledge_notifications_handler

_SAME_ENVIRONMENT_HINT = (
    "if it is in this stack's account and region, import it with "
    "Function.from_function_attributes(..., same_environment=True) or give the stack "
    "env=cdk.Environment(account=..., region=...); otherwise pass a function defined in "
    "this app (in the function's own account, a stack there can grant the invoker)"
)


class Origin(enum.Enum):
    """Where a resource a pattern is given comes from, as far as CDK can tell."""

    #: Defined in this app: CDK writes its policies.
    OWNED = "owned"
    #: Imported, known to be in this stack's account and region.
    SAME_ENVIRONMENT = "same environment"
    #: Imported, in another account or region or in an environment-agnostic stack.
    FOREIGN = "foreign"


def is_environment_agnostic(scope: IConstruct) -> bool:
    """True when the stack of ``scope`` has no concrete account or region."""
    stack = cdk.Stack.of(scope)
    return cdk.Token.is_unresolved(stack.account) or cdk.Token.is_unresolved(stack.region)


def function_origin(function: lambda_.IFunction) -> Origin:
    """Where ``function`` (a function, version or alias) comes from."""
    if cdk.Resource.is_owned_resource(function) or isinstance(
        function, (lambda_.Alias, lambda_.Version)
    ):
        return Origin.OWNED
    if jsii.get(function, "canCreatePermissions") and not _elsewhere(function):
        return Origin.SAME_ENVIRONMENT
    return Origin.FOREIGN


def _elsewhere(resource: Any) -> bool:
    """True when ``resource`` (imported) names an account or region other than its stack's."""
    stack = cdk.Stack.of(resource)
    return any(
        not cdk.Token.is_unresolved(theirs) and not cdk.Token.is_unresolved(ours) and theirs != ours
        for theirs, ours in (
            (resource.env.account, stack.account),
            (resource.env.region, stack.region),
        )
    )


def _describe(function: Any) -> str:
    arn = function.function_arn
    shown = arn if not cdk.Token.is_unresolved(arn) else function.node.path
    return f"{function.node.path} ({shown})" if shown != function.node.path else shown


def check_invocable(function: lambda_.IFunction, argument: str, invoker: str) -> None:
    """Raise ``ValueError`` unless CDK can give ``invoker`` (a service, or a role of this
    stack) the resource-based permission to invoke ``function``."""
    if function_origin(function) is not Origin.FOREIGN:
        return
    where = (
        "this stack is environment-agnostic, so CDK cannot tell the function is in its "
        "account and region"
        if is_environment_agnostic(function)
        else "the function is not in this stack's account and region"
    )
    raise ValueError(
        f"{argument} {_describe(function)} is an imported function that CDK cannot add "
        f"{invoker}'s invoke permission to ({where}; the deployed {invoker} would be "
        f"refused): {_SAME_ENVIRONMENT_HINT}"
    )


def check_has_role(function: lambda_.IFunction, argument: str, purpose: str) -> None:
    """Raise ``ValueError`` unless ``function`` has an execution role to grant ``purpose``."""
    role = function.role
    if role is not None and _elsewhere(role):
        raise ValueError(
            f"{argument} {_describe(function)} has an execution role of account "
            f"{role.env.account}, which this stack cannot grant {purpose} to: build this "
            "pattern in a stack of that account"
        )
    if role is None:
        raise ValueError(
            f"{argument} {_describe(function)} was imported without its execution role, "
            f"which needs {purpose}: import it with "
            "Function.from_function_attributes(function_arn=..., role=iam.Role.from_role_arn"
            "(...)) so the grants land on that role"
        )


def grants_scope(function: Any) -> IConstruct:
    """The construct under which grants to ``function`` create their IAM policies: an
    imported role's, else the function's own (acknowledgements of those grants go there)."""
    target = getattr(function, "function", function)
    role = getattr(target, "role", None)
    if role is not None and not cdk.Resource.is_owned_resource(role):
        imported: IConstruct = role
        return imported
    construct: IConstruct = function
    return construct


def check_event_bridge_bucket(bucket: s3.IBucket, argument: str) -> None:
    """Make sure ``bucket`` sends its object events to EventBridge, or raise ``ValueError``.

    A bucket defined here must have them on (``SecureBucket(event_bridge_enabled=True)``
    or ``s3.Bucket(event_bridge_enabled=True)``); an imported one of this account gets
    them turned on by CDK's bucket-notifications custom resource (it keeps the bucket's
    other notifications)."""
    if cdk.Resource.is_owned_resource(bucket):
        if bucket.node.try_find_child("Notifications") is not None:
            bucket.enable_event_bridge_notification()
            return
        cfn = bucket.node.default_child
        config = getattr(cfn, "notification_configuration", None)
        bridge = getattr(config, "event_bridge_configuration", None)
        if bridge is not None and getattr(bridge, "event_bridge_enabled", False) is not False:
            return
        raise ValueError(
            f"{argument} {bucket.node.path} does not send its object events to EventBridge, "
            "so nothing would ever reach this pattern: create it with "
            "SecureBucket(event_bridge_enabled=True) or s3.Bucket(event_bridge_enabled=True)"
        )
    if _elsewhere(bucket):
        raise ValueError(
            f"{argument} {bucket.node.path} is in account {bucket.env.account} region "
            f"{bucket.env.region}, not this stack's: S3 sends its events to the bucket "
            "owner's EventBridge bus; "
            "build this pattern in a stack of that account"
        )
    bucket.enable_event_bridge_notification()
    acknowledge_notifications_handler(bucket)


def s3_event_buckets(event_pattern: events.EventPattern | None) -> list[s3.IBucket]:
    """The buckets of this app an S3 event pattern names (``detail.bucket.name`` given as
    ``bucket.bucket_name``): each must send its events to EventBridge for the pattern to
    ever match. Literal names and buckets of no construct here are not returned."""
    if event_pattern is None or "aws.s3" not in (event_pattern.source or ()):
        return []
    names = ((event_pattern.detail or {}).get("bucket") or {}).get("name") or []
    found: list[s3.IBucket] = []
    for name in names if isinstance(names, list) else [names]:
        if not isinstance(name, str) or not cdk.Token.is_unresolved(name):
            continue
        for token in cdk.Tokenization.reverse_string(name).tokens:
            target = getattr(token, "target", None)
            if isinstance(target, s3.CfnBucket) and isinstance(target.node.scope, s3.Bucket):
                found.append(target.node.scope)
    return found


def stream_retention(
    stream: kinesis.IStream | None, retention_period: cdk.Duration | None, default: cdk.Duration
) -> cdk.Duration:
    """The retention of ``stream``: ``retention_period`` when given, a stream defined here's
    own, ``default`` for a new stream; ``ValueError`` for an imported stream told nothing."""
    if retention_period is not None:
        return retention_period
    if stream is None:
        return default
    if cdk.Resource.is_owned_resource(stream):
        hours = getattr(stream.node.default_child, "retention_period_hours", None)
        if isinstance(hours, (int, float)) and not cdk.Token.is_unresolved(hours):
            return cdk.Duration.hours(hours)
        return default
    raise ValueError(
        f"stream {stream.node.path} is imported, so its retention is unknown; pass "
        "retention_period=cdk.Duration.hours(<its retention>) so the maximum record age "
        "and the iterator-age alarm fit it (24 h..365 days)"
    )
