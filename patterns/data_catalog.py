"""``DataCatalog``: a DynamoDB metadata catalog of the lake, filled from S3 events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._imported import check_event_bridge_bucket, grants_scope
from patterns._metadata import mark_pattern
from patterns._nag import acknowledge_wildcards
from patterns._targets import (
    ensure_dead_letter_queue,
    send_async_failures_to,
    target_function,
)
from patterns._types import checked
from patterns.alarms import messages_waiting_alarm
from patterns.choices import AuthType
from patterns.lake_zones import check_prefix
from patterns.serverless_api import Route, ServerlessApi
from patterns.serverless_function import ServerlessFunction

#: Index of a dataset's objects by date (``gsi1pk``/``gsi1sk``).
BY_DATASET_INDEX = "by_dataset"
#: Index of the datasets that carry a tag (``gsi2pk``/``gsi2sk``).
BY_TAG_INDEX = "by_tag"
#: The query strings each search route reads (``tag`` is required, the rest optional).
_SEARCH_QUERY_STRINGS = {
    "/datasets": {"tag": True, "limit": False, "next": False},
    "/datasets/{dataset}/objects": {"from": False, "to": False, "limit": False, "next": False},
}

AnyFunction = ServerlessFunction | lambda_.IFunction


class DataCatalog(Construct):
    """Indexes every object of the lake's zones in a DynamoDB table as it comes and goes.

    An EventBridge rule (``IndexerRule``) sends the zones' ``Object Created`` and ``Object
    Deleted`` events (a bucket defined in this app must send EventBridge notifications, as
    ``DataLake`` zones do, else ``ValueError``; an imported one of this account gets them
    turned on by CDK's bucket-notifications custom resource)
    to the indexer, with retries and a dead-letter queue (``IndexerDeadLetters``). The
    indexer gets ``CATALOG_TABLE`` and ``LAKE_ZONES`` (bucket name -> zone, JSON) in its
    environment when it is a ``ServerlessFunction``, read access to the zones and write
    access to the table; the search function gets read access to the table.

    :param zones: zone name -> bucket, e.g. ``{"raw": lake.raw_bucket}``. Required.
    :param indexer: the function that handles the S3 events; an imported one needs its
        ``role=`` and must be one CDK can permit (``same_environment=True`` in an
        environment-agnostic stack), else ``ValueError``. Required.
    :param search_function: function answering catalog queries; served on
        ``GET /datasets`` (``?tag=key=value``, required: API Gateway answers 400 without it)
        and ``GET /datasets/{dataset}/objects`` (``?from=&to=``), both paginated with
        ``limit`` and ``next``; it should read no other query string or header, as a
        cached search is keyed on these alone. Default: none.
    :param search_api: the ``ServerlessApi`` to add the search routes to. Default: a new
        ``ServerlessApi`` (``SearchApi``) when there is a search function.
    :param search_headers: request headers the search function reads, declared on both
        search routes (see ``Route.headers``). Default: none.
    :param search_auth: auth of the search routes (``iam``, ``cognito``, ``lambda`` or
        ``none``, as the API supports). Default: ``"iam"``.
    :param table: existing catalog table with this layout. Default: a new on-demand,
        encrypted table with the ``by_dataset`` and ``by_tag`` indexes.
    :param point_in_time_recovery: for a created table. Default: True.
    :param deletion_protection: for a created table. Default: False.
    :param removal_policy: for a created table and queue. Default: ``RETAIN``.
    :param indexer_queue: send the events to this queue (a ``QueueProcessor``'s, whose
        consumer is the indexer) instead of invoking the indexer once per event: bursts of
        uploads wait there and reach the indexer in batches. Default: none (the rule
        invokes the indexer).
    :param enabled: whether the rule delivers events. Default: True.
    :param retry_attempts: EventBridge retries of a failed delivery, 0..185. Default: 8.
    :param alarm_topic: notified when events land in the dead-letter queue. Default: none.
    :param search_api_props: escape hatch: keyword arguments merged last into the new
        search ``ServerlessApi`` (e.g. ``waf=True``, ``cache_ttl``). Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        zones: Mapping[str, s3.IBucket],
        indexer: AnyFunction,
        search_function: AnyFunction | None = None,
        search_api: ServerlessApi | None = None,
        search_auth: AuthType = "iam",
        search_headers: Sequence[str] = (),
        table: dynamodb.ITable | None = None,
        point_in_time_recovery: bool = True,
        deletion_protection: bool = False,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        indexer_queue: sqs.IQueue | None = None,
        enabled: bool = True,
        retry_attempts: int = 8,
        alarm_topic: sns.ITopic | None = None,
        search_api_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        if not zones:
            raise ValueError("zones must name at least one bucket, e.g. {'raw': bucket}")
        for zone_name in zones:
            check_prefix(f"zones key {zone_name!r}", f"{zone_name}/")
        if not 0 <= retry_attempts <= 185:
            raise ValueError(f"retry_attempts must be between 0 and 185, got {retry_attempts}")
        #: The indexer function (the alias of a ServerlessFunction).
        self.indexer = target_function(
            indexer,
            "indexer",
            invoked_by=None if indexer_queue else "the EventBridge rule",
            grants="the catalog table and the zones' object tags",
        )
        #: The search function, when given.
        self.search_function = (
            target_function(search_function, "search_function", grants="reading the catalog table")
            if search_function
            else None
        )
        for zone_name, bucket in zones.items():
            check_event_bridge_bucket(bucket, f"zones[{zone_name!r}]")
        #: The catalog table.
        self.table: dynamodb.ITable = table or self._create_table(
            point_in_time_recovery, deletion_protection, removal_policy
        )
        self.table.grant_read_write_data(self.indexer)
        # Object events carry everything but the tags: that is all the indexer reads.
        objects = [bucket.arn_for_objects("*") for bucket in zones.values()]
        iam.Grant.add_to_principal(
            grantee=self.indexer,
            actions=["s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
            resource_arns=objects,
        )
        index_arns = [f"{self.table.table_arn}/index/*"]
        acknowledge_wildcards(
            grants_scope(indexer),
            reason="The indexer reads the tags of any object of the zones (keys are not "
            "known in advance) and queries the catalog's own indexes.",
            resources=[*objects, *index_arns],
        )
        if search_function is not None and self.search_function is not None:
            self.table.grant_read_data(self.search_function)
            acknowledge_wildcards(
                grants_scope(search_function),
                reason="Search queries the catalog table's own secondary indexes.",
                resources=index_arns,
            )
        zone_of = {bucket.bucket_name: name for name, bucket in zones.items()}
        for function in (indexer, search_function):
            if isinstance(function, ServerlessFunction):
                function.function.add_environment("CATALOG_TABLE", self.table.table_name)
        if isinstance(indexer, ServerlessFunction):
            indexer.function.add_environment(
                "LAKE_ZONES", cdk.Stack.of(self).to_json_string(zone_of)
            )

        #: Events that could not be delivered to the indexer.
        self.dead_letter_queue = ensure_dead_letter_queue(
            self, "IndexerDeadLetters", None, removal_policy=removal_policy
        )
        if indexer_queue is None:
            send_async_failures_to(indexer, self.dead_letter_queue)
        delivery: dict[str, Any] = {
            "dead_letter_queue": self.dead_letter_queue,
            "retry_attempts": retry_attempts,
            "max_event_age": cdk.Duration.hours(24),
        }
        target: events.IRuleTarget = (
            targets.SqsQueue(indexer_queue, **delivery)
            if indexer_queue is not None
            else targets.LambdaFunction(self.indexer, **delivery)
        )
        #: The rule that sends the zones' object events to the indexer.
        self.rule = events.Rule(
            self,
            "IndexerRule",
            enabled=enabled,
            description=f"S3 object events of the lake to {self.node.path}",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created", "Object Deleted"],
                detail={"bucket": {"name": [b.bucket_name for b in zones.values()]}},
            ),
            targets=[target],
        )
        #: The search API, when there is a search function.
        self.api: ServerlessApi | None = None
        if search_function is not None:
            self.api = search_api or ServerlessApi(
                self,
                "SearchApi",
                **{
                    "default_auth": search_auth,
                    "removal_policy": removal_policy,
                    "alarm_topic": alarm_topic,
                    **(search_api_props or {}),
                },
            )
            # Declared so that API Gateway checks them and a cache (search_auth="none" with
            # a cache_ttl) keys each page of each query apart.
            for path, query in _SEARCH_QUERY_STRINGS.items():
                self.api.add(
                    Route(
                        "GET",
                        path,
                        search_function,
                        auth=search_auth,
                        query_strings=query,
                        headers=search_headers,
                    )
                )
        elif search_api is not None:
            raise ValueError("search_api needs a search_function to serve its routes")
        #: Alarm on undelivered events.
        self.dead_letter_alarm = messages_waiting_alarm(
            self,
            "DeadLettersAlarm",
            queue=self.dead_letter_queue,
            description=f"{self.node.path}: S3 events could not be indexed",
            topic=alarm_topic,
        )

    def _create_table(
        self,
        point_in_time_recovery: bool,
        deletion_protection: bool,
        removal_policy: cdk.RemovalPolicy,
    ) -> dynamodb.Table:
        def key(name: str) -> dynamodb.Attribute:
            return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)

        table = dynamodb.Table(
            self,
            "Table",
            partition_key=key("pk"),
            sort_key=key("sk"),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=point_in_time_recovery
            ),
            removal_policy=removal_policy,
            deletion_protection=deletion_protection,
        )
        table.add_global_secondary_index(
            index_name=BY_DATASET_INDEX, partition_key=key("gsi1pk"), sort_key=key("gsi1sk")
        )
        table.add_global_secondary_index(
            index_name=BY_TAG_INDEX,
            partition_key=key("gsi2pk"),
            sort_key=key("gsi2sk"),
            projection_type=dynamodb.ProjectionType.INCLUDE,
            non_key_attributes=["dataset"],
        )
        return table
