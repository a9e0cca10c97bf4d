"""What runs around a ``GraphqlApi``'s resolvers: its field logs (log group and the role
AppSync writes them with), the cache, the WAF association and the alarms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from patterns._nag import acknowledge_wildcards
from patterns._types import check_fields
from patterns._validation import cfn_child, check_duration
from patterns.alarms import create_alarm
from patterns.choices import GraphqlCacheType, GraphqlCaching

_PERIOD = cdk.Duration.minutes(1)
#: AppSync's cache TTL bounds, in seconds.
CACHE_TTL_MIN, CACHE_TTL_MAX = 1, 3600
DEFAULT_CACHE_TTL = cdk.Duration.minutes(5)


@dataclass(frozen=True)
class GraphqlCache:
    """An AppSync API cache, always encrypted at rest and in transit.

    :param ttl: how long an answer is kept, 1 s to 1 hour. Default: 5 minutes.
    :param instance_type: the cache's instance type. Default: ``"SMALL"``.
    :param behavior: ``FULL_REQUEST_CACHING`` (every query, keyed on its arguments and the
        caller's identity) or ``PER_RESOLVER_CACHING`` (only resolvers given ``cache_keys``).
        Default: ``"PER_RESOLVER_CACHING"``: nothing is cached that a resolver did not ask for.
    """

    ttl: cdk.Duration = DEFAULT_CACHE_TTL
    instance_type: GraphqlCacheType = "SMALL"
    behavior: GraphqlCaching = "PER_RESOLVER_CACHING"

    def __post_init__(self) -> None:
        check_fields(self, "GraphqlCache")
        check_duration("GraphqlCache ttl", self.ttl, CACHE_TTL_MIN, CACHE_TTL_MAX)


def logs_role(scope: Construct) -> iam.Role:
    """``LogsRole``, the role AppSync writes its field logs with (its policy comes with the
    log group, in :func:`api_log_group`, once the API's id is known)."""
    return iam.Role(
        scope,
        "LogsRole",
        assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"),
        description="AppSync writes this API's field-level logs to its own log group",
    )


def api_log_group(
    scope: Construct,
    *,
    api: appsync.GraphqlApi,
    role: iam.Role,
    retention: logs.RetentionDays,
    removal_policy: cdk.RemovalPolicy,
) -> logs.LogGroup:
    """``Logs``: the group AppSync writes to (``/aws/appsync/apis/<api id>``), created here
    with a retention (AppSync would create it without one), and the role's right to write
    there and nowhere else."""
    group = logs.LogGroup(
        scope,
        "Logs",
        log_group_name=f"/aws/appsync/apis/{api.api_id}",
        retention=retention,
        removal_policy=removal_policy,
    )
    streams = group.log_group_arn  # "...:log-group:<name>:*", the group's streams
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[streams],
        )
    )
    acknowledge_wildcards(
        role,
        reason="AppSync names a log stream per request burst; the grant covers the streams "
        "of this API's own log group only.",
        resources=[streams],
    )
    return group


def add_cache(
    scope: Construct, api: appsync.GraphqlApi, cache: GraphqlCache
) -> appsync.CfnApiCache:
    """``Cache``: the API's cache, encrypted at rest and in transit."""
    return appsync.CfnApiCache(
        scope,
        "Cache",
        api_id=api.api_id,
        api_caching_behavior=cache.behavior,
        ttl=cache.ttl.to_seconds(),
        type=cache.instance_type,
        at_rest_encryption_enabled=True,
        transit_encryption_enabled=True,
    )


def associate_web_acl(
    scope: Construct, api: appsync.GraphqlApi, web_acl_arn: str
) -> wafv2.CfnWebACLAssociation:
    """``WebAclAssociation``: the regional web ACL in front of the API."""
    return wafv2.CfnWebACLAssociation(
        scope, "WebAclAssociation", resource_arn=api.arn, web_acl_arn=web_acl_arn
    )


def metric(api: appsync.GraphqlApi, name: str, statistic: str) -> cloudwatch.Metric:
    """One of AppSync's per-API metrics (``4XXError``, ``5XXError``, ``Latency``)."""
    return cloudwatch.Metric(
        namespace="AWS/AppSync",
        metric_name=name,
        dimensions_map={"GraphQLAPIId": api.api_id},
        statistic=statistic,
        period=_PERIOD,
    )


def add_alarms(
    scope: Construct,
    *,
    api: appsync.GraphqlApi,
    server_errors: int,
    client_errors: int | None,
    latency_p99: cdk.Duration,
    topic: sns.ITopic | None,
) -> dict[str, cloudwatch.Alarm]:
    """Over 3 of 5 minutes: 5XX errors, p99 latency and (unless ``None``) 4XX errors, as
    counts per minute: AppSync publishes no per-API request count to divide them by."""
    name = scope.node.path

    def three_of_five(
        construct_id: str, of: cloudwatch.IMetric, threshold: float, what: str
    ) -> cloudwatch.Alarm:
        return create_alarm(
            scope,
            construct_id,
            metric=of,
            threshold=threshold,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            description=f"{name}: {what}",
            topic=topic,
        )

    latency_ms = latency_p99.to_milliseconds()
    alarms = {
        "server_errors": three_of_five(
            "ServerErrorsAlarm",
            metric(api, "5XXError", "Sum"),
            server_errors,
            f"{server_errors} or more requests a minute failed in AppSync (5XX)",
        ),
        "latency": three_of_five(
            "LatencyP99Alarm",
            metric(api, "Latency", "p99"),
            latency_ms,
            f"p99 latency above {latency_ms:g} ms",
        ),
    }
    if client_errors is not None:
        alarms["client_errors"] = three_of_five(
            "ClientErrorsAlarm",
            metric(api, "4XXError", "Sum"),
            client_errors,
            f"{client_errors} or more requests a minute refused (4XX: authorization, "
            "invalid queries, throttling)",
        )
    return alarms


def configure_logs(
    api: appsync.GraphqlApi, *, role: iam.IRole, level: str, exclude_verbose_content: bool
) -> None:
    """The API's field logs, set on the L1: the L2's ``log_config`` also adds a
    LogRetention custom resource (a Lambda function) that would create the log group
    :func:`api_log_group` creates."""
    cfn_child(api, appsync.CfnGraphQLApi).log_config = appsync.CfnGraphQLApi.LogConfigProperty(
        cloud_watch_logs_role_arn=role.role_arn,
        field_log_level=level,
        exclude_verbose_content=exclude_verbose_content,
    )
    if exclude_verbose_content:
        cdk.Validations.of(api).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-ASC3",
                reason="Field-level logs are on (cloudWatchLogsRoleArn set); verbose "
                "content is left out so that request headers, arguments and results "
                "(callers' data) are not copied into the logs.",
            )
        )


def caching_config(
    cache: GraphqlCache | None, cache_keys: Sequence[str] | None, cache_ttl: cdk.Duration | None
) -> appsync.CachingConfig | None:
    """A resolver's caching: ``None`` without ``cache_keys``; else the keys (which must
    start with ``$context.arguments``, ``.source`` or ``.identity``), which need a
    ``PER_RESOLVER_CACHING`` cache."""
    if cache_keys is None:
        return None
    if cache is None or cache.behavior != "PER_RESOLVER_CACHING":
        raise ValueError("cache_keys needs cache=GraphqlCache(behavior='PER_RESOLVER_CACHING')")
    if isinstance(cache_keys, str) or not cache_keys:
        raise ValueError(f"cache_keys must be a non-empty sequence of keys, got {cache_keys!r}")
    for key in cache_keys:
        if not key.startswith(("$context.arguments", "$context.source", "$context.identity")):
            raise ValueError(
                f"cache_keys entry {key!r} must start with $context.arguments, "
                "$context.source or $context.identity"
            )
    check_duration("cache_ttl", cache_ttl, CACHE_TTL_MIN, CACHE_TTL_MAX)
    return appsync.CachingConfig(ttl=cache_ttl or cache.ttl, caching_keys=list(cache_keys))
