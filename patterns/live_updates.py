"""``LiveUpdates``: a WebSocket API that pushes a stream's changes to subscribed clients."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._imported import grants_scope
from patterns._live_api import (
    CONNECTIONS_PARTITION_KEY,
    CONNECTIONS_SORT_KEY,
    CONNECTIONS_TTL_ATTRIBUTE,
    check_arguments,
    grant_post_to_connection,
    new_connections_table,
    route_options,
    set_environment,
)
from patterns._live_source import add_source, broadcaster_alarms, check_source
from patterns._live_stage import (
    acknowledge_unauthorized_route,
    configure_stage,
    stage_alarms,
)
from patterns._metadata import mark_pattern
from patterns._targets import (
    acknowledge_synchronous_invocation,
    ensure_dead_letter_queue,
    target_function,
)
from patterns._types import checked
from patterns.api.routes import Throttle
from patterns.api_account import ApiGatewayAccount
from patterns.function_defaults import FunctionDefaults
from patterns.serverless_function import ServerlessFunction

AnyFunction = ServerlessFunction | lambda_.IFunction

__all__ = [
    "CONNECTIONS_PARTITION_KEY",
    "CONNECTIONS_SORT_KEY",
    "CONNECTIONS_TTL_ATTRIBUTE",
    "DEFAULT_THROTTLE",
    "LiveUpdates",
]

#: Stage-wide throttling of messages and connects unless the caller passes another.
DEFAULT_THROTTLE = Throttle(rate_limit=100, burst_limit=200)
#: Defaults of the durations (module-level: a default is evaluated once).
DEFAULT_CONNECTION_TTL = cdk.Duration.hours(3)
DEFAULT_MAX_RECORD_AGE = cdk.Duration.minutes(10)
DEFAULT_ITERATOR_AGE_ALARM = cdk.Duration.seconds(60)
#: Where a REQUEST authorizer reads the client's token by default (browsers cannot set
#: headers on a WebSocket handshake).
DEFAULT_IDENTITY_SOURCES = ("route.request.querystring.token",)


class LiveUpdates(Construct):
    """An API Gateway WebSocket API whose clients subscribe to topics and receive, as they
    happen, the changes of a DynamoDB table's stream or of a Kinesis stream.

    Routes: ``$connect`` (authorized: by ``authorizer``, a Lambda REQUEST authorizer, or
    else IAM, SigV4-signed connects), ``$disconnect`` and ``$default`` (the client's
    messages, e.g. ``{"action": "subscribe", "topics": [...]}``; its answer is returned to
    the client), all served by ``handler``. The ``broadcaster`` reads the stream through an
    event source mapping (partial batch responses, bisect on error, bounded retries and
    record age, an SQS on-failure destination) and may call ``PostToConnection`` on this
    API's stage and nothing else (``execute-api:ManageConnections`` on
    ``<api>/<stage>/POST/@connections/*``).

    The connections table (``pk``/``sk`` strings, TTL ``expires_at``) holds one item per
    connection (``pk = "connection#<id>"``, ``sk = "connection"``) and one per
    subscription (``pk = "topic#<topic>"``, ``sk = <connection id>``): the broadcaster
    finds a topic's connections with one query, without a scan or an index.

    A ``ServerlessFunction`` gets in its environment ``CONNECTIONS_TABLE`` and
    ``CONNECTION_TTL_SECONDS`` (handler) or ``CONNECTIONS_TABLE``, ``CALLBACK_URL``,
    ``LIVE_API_ID`` and ``FANOUT_CONCURRENCY`` (broadcaster); an imported function must
    know them otherwise. The broadcaster reports a delivery that failed for a reason other
    than a gone connection (410, after which it deletes the connection) by logging JSON
    with ``"live_updates": "delivery_failed"`` and ``"api_id"``: a log metric filter on a
    ``ServerlessFunction``'s log group counts those for ``DeliveryFailuresAlarm``.

    API Gateway offers no X-Ray tracing on WebSocket stages (only REST APIs have it): the
    functions trace as their ``FunctionDefaults`` say, the stage does not. WAF cannot be
    associated with WebSocket APIs either; the stage throttles instead.

    Children: ``ConnectionsTable`` (unless given), ``AccessLogs``, ``Resource`` (the
    ``WebSocketApi``), ``Stage``, ``Authorizer`` (with an authorizer function),
    ``DeadLetterQueue`` (unless given), ``EventSourceMapping``, ``ApiGatewayAccount``
    (with ``cloud_watch_role``), ``DeliveryFailures`` and the alarms.

    :param handler: serves ``$connect``, ``$disconnect`` and ``$default`` (it reads
        ``requestContext.routeKey``). Required.
    :param broadcaster: reads the stream and pushes each change. Required.
    :param source_table: a table with a ``NEW_IMAGE`` or ``NEW_AND_OLD_IMAGES`` stream
        (an imported one with ``table_stream_arn``). Give this or ``source_stream``.
    :param source_stream: a Kinesis stream. Give this or ``source_table``.
    :param authorizer: a Lambda REQUEST authorizer on ``$connect``, returning an IAM
        policy. Default: none, ``$connect`` needs IAM (SigV4) authorization.
    :param authorizer_identity_sources: what the authorizer reads; a connect missing one
        is refused before the authorizer runs. Default: ``route.request.querystring.token``.
    :param connections_table: an existing table with this layout. Default: a new on-demand
        table with AWS-managed encryption.
    :param point_in_time_recovery: PITR of the created table. Default: True.
    :param deletion_protection: deletion protection of the created table. Default: False.
    :param removal_policy: of the created table, queue and access logs. Default: RETAIN.
    :param connection_ttl: how long a connection item lives if ``$disconnect`` never
        comes, 2 h (API Gateway's longest connection)..7 days. Default: 3 hours.
    :param fan_out_concurrency: the most ``PostToConnection`` calls one broadcaster
        invocation makes at a time, 1..256. Default: 16.
    :param batch_size: stream records per invocation, 1..10000. Default: 100.
    :param max_batching_window: wait to fill a batch, 0..300 s. Default: none (0 s: live).
    :param parallelization_factor: concurrent batches per shard, 1..10. Default: 1 (a
        key's changes reach clients in order).
    :param retry_attempts: retries of a failing batch, 0..10000. Default: 2.
    :param max_record_age: older changes are not pushed but go to the dead-letter queue,
        60 s..7 days. Default: 10 minutes (a stale live update is no update).
    :param starting_position: where a new mapping starts. Default: ``LATEST``.
    :param dead_letter_queue: on-failure destination. Default: a new encrypted queue.
    :param stage_name: Default: ``"live"``.
    :param throttle: stage-wide rate and burst (connects and messages); ``None`` leaves the
        account's limits. Default: :data:`DEFAULT_THROTTLE` (100/s, burst 200).
    :param execution_logging_level: ``ERROR``, ``INFO`` or ``OFF`` (message bodies are
        never logged). Default: ``"ERROR"``.
    :param log_retention: of the access logs. Default: from ``FunctionDefaults``.
    :param api_account: the account's API Gateway logging setting; the stage deploys after
        it. Default: none (the account has it, e.g. from another stack this one deploys after).
    :param cloud_watch_role: create that setting here (one per account and region).
        Default: False.
    :param alarm_topic: SNS topic of the alarms. Default: no action.
    :param iterator_age_alarm: the broadcaster's iterator age that alarms, 1 s..``max_record_age``.
        Default: 60 seconds.
    :param web_socket_api_props: escape hatch merged last into ``WebSocketApi``. Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: AnyFunction,
        broadcaster: AnyFunction,
        source_table: dynamodb.ITable | None = None,
        source_stream: kinesis.IStream | None = None,
        authorizer: AnyFunction | None = None,
        authorizer_identity_sources: Sequence[str] = DEFAULT_IDENTITY_SOURCES,
        connections_table: dynamodb.ITable | None = None,
        point_in_time_recovery: bool = True,
        deletion_protection: bool = False,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        connection_ttl: cdk.Duration = DEFAULT_CONNECTION_TTL,
        fan_out_concurrency: int = 16,
        batch_size: int = 100,
        max_batching_window: cdk.Duration | None = None,
        parallelization_factor: int = 1,
        retry_attempts: int = 2,
        max_record_age: cdk.Duration = DEFAULT_MAX_RECORD_AGE,
        starting_position: lambda_.StartingPosition = lambda_.StartingPosition.LATEST,
        dead_letter_queue: sqs.IQueue | None = None,
        stage_name: str = "live",
        throttle: Throttle | None = DEFAULT_THROTTLE,
        execution_logging_level: str = "ERROR",
        log_retention: logs.RetentionDays | None = None,
        api_account: ApiGatewayAccount | None = None,
        cloud_watch_role: bool = False,
        alarm_topic: sns.ITopic | None = None,
        iterator_age_alarm: cdk.Duration = DEFAULT_ITERATOR_AGE_ALARM,
        web_socket_api_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        source_arn = check_source(source_table, source_stream)
        check_arguments(
            connection_ttl=connection_ttl,
            fan_out_concurrency=fan_out_concurrency,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            parallelization_factor=parallelization_factor,
            retry_attempts=retry_attempts,
            max_record_age=max_record_age,
            iterator_age_alarm=iterator_age_alarm,
            stage_name=stage_name,
            execution_logging_level=execution_logging_level,
            identity_sources=authorizer_identity_sources,
            both_accounts=api_account is not None and cloud_watch_role,
        )
        defaults = FunctionDefaults.of(self)

        #: The function serving ``$connect``, ``$disconnect`` and ``$default``.
        self.handler = target_function(
            handler, "handler", invoked_by="API Gateway", grants="the connections table"
        )
        #: The function pushing the stream's changes to the connections.
        self.broadcaster = target_function(
            broadcaster,
            "broadcaster",
            invoked_by="the event source mapping",
            grants="reading the stream, the connections table and ManageConnections",
        )
        acknowledge_synchronous_invocation(handler, "API Gateway")
        acknowledge_synchronous_invocation(broadcaster, "The stream's event source mapping")
        #: The authorizer function of ``$connect``, when given.
        self.authorizer = (
            target_function(authorizer, "authorizer", invoked_by="API Gateway")
            if authorizer is not None
            else None
        )
        if authorizer is not None:
            acknowledge_synchronous_invocation(authorizer, "API Gateway")

        #: Connections and their subscriptions (given or created).
        self.connections_table: dynamodb.ITable = connections_table or new_connections_table(
            self,
            point_in_time_recovery=point_in_time_recovery,
            deletion_protection=deletion_protection,
            removal_policy=removal_policy,
        )
        self.connections_table.grant_read_write_data(self.handler)
        self.connections_table.grant_read_write_data(self.broadcaster)

        #: Where the stage writes JSON access logs.
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=log_retention or defaults.log_retention,
            removal_policy=removal_policy,
        )
        #: The WebSocket API.
        api_props: dict[str, Any] = {
            "description": f"Live updates {self.node.path}",
            **route_options(
                handler=self.handler,
                authorizer=self.authorizer,
                identity_sources=authorizer_identity_sources,
            ),
            **(web_socket_api_props or {}),
        }
        self.api = apigwv2.WebSocketApi(self, "Resource", **api_props)
        for route_key in ("$disconnect", "$default"):
            route = self.api.node.try_find_child(f"{route_key}-Route")
            if isinstance(route, apigwv2.WebSocketRoute):
                acknowledge_unauthorized_route(route)
        #: The stage (deployed automatically on every change of the API).
        self.stage = apigwv2.WebSocketStage(
            self, "Stage", web_socket_api=self.api, stage_name=stage_name, auto_deploy=True
        )
        configure_stage(
            self.stage,
            access_logs=self.access_logs,
            throttle=throttle,
            execution_logging_level=execution_logging_level,
        )
        if cloud_watch_role:
            api_account = ApiGatewayAccount(self, "ApiGatewayAccount")
        #: The account's logging setting the stage deploys after, when known here.
        self.api_account = api_account
        if api_account is not None:
            api_account.required_by(self.stage)
        #: ``wss://`` URL clients connect to.
        self.url: str = self.stage.url
        #: ``https://`` URL of the connections management API (``PostToConnection``).
        self.callback_url: str = self.stage.callback_url

        grant_post_to_connection(self.stage, self.broadcaster, grants_scope(broadcaster))
        table_name = self.connections_table.table_name
        set_environment(
            handler,
            {
                "CONNECTIONS_TABLE": table_name,
                "CONNECTION_TTL_SECONDS": str(int(connection_ttl.to_seconds())),
            },
        )
        set_environment(
            broadcaster,
            {
                "CONNECTIONS_TABLE": table_name,
                "CALLBACK_URL": self.callback_url,
                "LIVE_API_ID": self.api.api_id,
                "FANOUT_CONCURRENCY": str(fan_out_concurrency),
            },
        )
        #: Where descriptions of changes that were never broadcast go.
        self.dead_letter_queue: sqs.IQueue = ensure_dead_letter_queue(
            self, "DeadLetterQueue", dead_letter_queue, removal_policy=removal_policy
        )
        #: The mapping from the stream to the broadcaster.
        self.event_source_mapping = add_source(
            self,
            target=self.broadcaster,
            source_table=source_table,
            source_stream=source_stream,
            source_arn=source_arn,
            dead_letter_queue=self.dead_letter_queue,
            options={
                "batch_size": batch_size,
                "max_batching_window": max_batching_window,
                "parallelization_factor": parallelization_factor,
                "retry_attempts": retry_attempts,
                "max_record_age": max_record_age,
                "bisect_batch_on_error": True,
                "starting_position": starting_position,
            },
            grants_scope=grants_scope(broadcaster),
        )
        #: Alarms by name: ``connect_errors``, ``integration_errors``, ``execution_errors``,
        #: ``iterator_age``, ``dead_letter_queue``, ``delivery_failures`` (a
        #: ``ServerlessFunction`` broadcaster only) and ``broadcaster_errors`` (its own
        #: errors alarm, or a new one for a plain function).
        self.alarms: dict[str, cloudwatch.Alarm] = {
            **stage_alarms(self, api=self.api, stage=self.stage, topic=alarm_topic),
            **broadcaster_alarms(
                self,
                function=broadcaster,
                target=self.broadcaster,
                dead_letter_queue=self.dead_letter_queue,
                api_id=self.api.api_id,
                topic=alarm_topic,
                iterator_age=iterator_age_alarm,
            ),
        }
