"""The pieces of a ``LiveUpdates`` around its WebSocket API: argument checks, routes,
the connections table, the management grant and the functions' environment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IConstruct

from patterns._nag import acknowledge_packs, acknowledge_wildcards
from patterns._validation import check_choice, check_duration, check_range, check_stage_name
from patterns.api.stage import new_table
from patterns.serverless_function import ServerlessFunction

#: Key attributes (strings) of the connections table and its TTL attribute (epoch seconds).
CONNECTIONS_PARTITION_KEY, CONNECTIONS_SORT_KEY = "pk", "sk"
CONNECTIONS_TTL_ATTRIBUTE = "expires_at"
#: API Gateway closes every WebSocket connection after 2 hours.
MAX_CONNECTION_SECONDS = 2 * 3600
_WEEK = 7 * 86400
_LOG_LEVELS = ("ERROR", "INFO", "OFF")
_IDENTITY_PREFIXES = (
    "route.request.header.",
    "route.request.querystring.",
    "context.",
    "stageVariables.",
)


def check_arguments(
    *,
    connection_ttl: cdk.Duration,
    fan_out_concurrency: int,
    batch_size: int,
    max_batching_window: cdk.Duration | None,
    parallelization_factor: int,
    retry_attempts: int,
    max_record_age: cdk.Duration,
    iterator_age_alarm: cdk.Duration,
    stage_name: str,
    execution_logging_level: str,
    identity_sources: Sequence[str],
    both_accounts: bool,
) -> None:
    """``ValueError`` naming the first argument AWS (or the pattern) would refuse."""
    check_duration("connection_ttl", connection_ttl, MAX_CONNECTION_SECONDS, _WEEK)
    check_range("fan_out_concurrency", fan_out_concurrency, 1, 256)
    check_range("batch_size", batch_size, 1, 10_000, "records")
    check_duration("max_batching_window", max_batching_window, 0, 300)
    check_range("parallelization_factor", parallelization_factor, 1, 10)
    check_range("retry_attempts", retry_attempts, 0, 10_000)
    check_duration("max_record_age", max_record_age, 60, _WEEK)
    age_limit = _WEEK if max_record_age.is_unresolved() else max_record_age.to_seconds()
    check_duration("iterator_age_alarm", iterator_age_alarm, 1, age_limit)
    check_stage_name("stage_name", stage_name)
    check_choice("execution_logging_level", execution_logging_level, _LOG_LEVELS)
    if isinstance(identity_sources, str) or not identity_sources:
        raise ValueError(
            "authorizer_identity_sources must be a non-empty sequence such as "
            f"('route.request.querystring.token',), got {identity_sources!r}"
        )
    for source in identity_sources:
        if not source.startswith(_IDENTITY_PREFIXES) or source.endswith("."):
            raise ValueError(
                f"authorizer_identity_sources entry {source!r} is not a WebSocket identity "
                "source: use route.request.querystring.<name>, route.request.header.<name>, "
                "context.<name> or stageVariables.<name>"
            )
    if both_accounts:
        raise ValueError("give api_account or cloud_watch_role=True, not both")


def route_options(
    *,
    handler: lambda_.IFunction,
    authorizer: lambda_.IFunction | None,
    identity_sources: Sequence[str],
) -> dict[str, apigwv2.WebSocketRouteOptions]:
    """``$connect`` (authorized by the Lambda authorizer, else IAM), ``$disconnect`` and
    ``$default`` (whose answer goes back to the client), all integrated with ``handler``."""

    def integration(name: str) -> integrations.WebSocketLambdaIntegration:
        return integrations.WebSocketLambdaIntegration(f"{name}Integration", handler)

    connect_authorizer: apigwv2.IWebSocketRouteAuthorizer = (
        authorizers.WebSocketLambdaAuthorizer(
            "Authorizer", authorizer, identity_source=list(identity_sources)
        )
        if authorizer is not None
        else authorizers.WebSocketIamAuthorizer()
    )
    return {
        "connect_route_options": apigwv2.WebSocketRouteOptions(
            integration=integration("Connect"), authorizer=connect_authorizer
        ),
        "disconnect_route_options": apigwv2.WebSocketRouteOptions(
            integration=integration("Disconnect")
        ),
        "default_route_options": apigwv2.WebSocketRouteOptions(
            integration=integration("Default"), return_response=True
        ),
    }


def new_connections_table(
    scope: Construct,
    *,
    point_in_time_recovery: bool,
    deletion_protection: bool,
    removal_policy: cdk.RemovalPolicy,
) -> dynamodb.Table:
    """``ConnectionsTable``: ``pk``/``sk`` strings, TTL ``expires_at``, on-demand, encrypted."""
    table = new_table(
        scope,
        partition_key=dynamodb.Attribute(
            name=CONNECTIONS_PARTITION_KEY, type=dynamodb.AttributeType.STRING
        ),
        sort_key=dynamodb.Attribute(name=CONNECTIONS_SORT_KEY, type=dynamodb.AttributeType.STRING),
        point_in_time_recovery=point_in_time_recovery,
        time_to_live_attribute=CONNECTIONS_TTL_ATTRIBUTE,
        removal_policy=removal_policy,
        deletion_protection=deletion_protection,
        construct_id="ConnectionsTable",
    )
    acknowledge_packs(
        table,
        "DynamoDBInBackupPlan",
        "The table holds only open WebSocket connections, which expire within hours and "
        "cannot be restored: a restored connection id names a closed socket.",
    )
    return table


def grant_post_to_connection(
    stage: apigwv2.WebSocketStage, grantee: lambda_.IFunction, grants_scope: IConstruct
) -> str:
    """``execute-api:ManageConnections`` on ``stage``'s ``POST @connections/*`` only (not
    ``GET`` or ``DELETE``, not another stage or API); returns the ARN granted."""
    connections = cdk.Stack.of(stage).format_arn(
        service="execute-api",
        resource=stage.api.api_id,
        resource_name=f"{stage.stage_name}/POST/@connections/*",
    )
    iam.Grant.add_to_principal(
        grantee=grantee, actions=["execute-api:ManageConnections"], resource_arns=[connections]
    )
    acknowledge_wildcards(
        grants_scope,
        reason="A connection id is known only at run time; the grant is limited to "
        "PostToConnection on this API's stage.",
        resources=[connections],
    )
    return connections


def set_environment(function: Any, variables: Mapping[str, str]) -> None:
    """Add ``variables`` to a ``ServerlessFunction``'s environment (an imported function
    takes none: it must know them otherwise)."""
    if isinstance(function, ServerlessFunction):
        for name, value in variables.items():
            function.function.add_environment(name, value)
