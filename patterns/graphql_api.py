"""``GraphqlApi``: an AWS AppSync GraphQL API with JavaScript resolvers."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from patterns._graphql_auth import AuthModes
from patterns._graphql_ops import (
    GraphqlCache,
    add_alarms,
    add_cache,
    api_log_group,
    associate_web_acl,
    caching_config,
    configure_logs,
    logs_role,
)
from patterns._graphql_resolvers import (
    DataSourceTarget,
    PipelineStep,
    add_data_sources,
    check_data_sources,
    pipeline_function,
    read_code,
)
from patterns._graphql_schema import SchemaOutline, read_schema
from patterns._metadata import mark_pattern
from patterns._overrides import merged, use_argument
from patterns._types import checked
from patterns._validation import check_duration, check_range, present
from patterns.choices import FieldLogLevel, GraphqlAuth
from patterns.function_defaults import FunctionDefaults

__all__ = ["GraphqlApi", "GraphqlCache", "PipelineStep"]

_GUARDS = {
    key: use_argument(argument)
    for key, argument in (
        ("definition", "schema"),
        ("schema", "schema"),
        ("authorization_config", "default_authorization"),
        ("log_config", "field_log_level"),
        ("xray_enabled", "(always on)"),
    )
}
DEFAULT_AUTHORIZER_CACHE_TTL = cdk.Duration.minutes(5)
DEFAULT_LATENCY_ALARM = cdk.Duration.seconds(1)


class GraphqlApi(Construct):
    """An AppSync GraphQL API from a schema file, with DynamoDB and Lambda data sources and
    JavaScript resolvers (``APPSYNC_JS``; no VTL) attached with :meth:`add_resolver` and
    :meth:`add_pipeline_resolver`.

    Subscriptions are the schema's: a ``Subscription`` field with
    ``@aws_subscribe(mutations: ["..."])`` receives the result of each of those mutations
    (selected by the subscription's arguments); the mutations must exist, else
    ``ValueError``. Per-field authorization is the schema's too (``@aws_cognito_user_pools
    (cognito_groups: [...])``, ``@aws_iam``, ``@aws_api_key``, ``@aws_lambda``); a field
    without a directive takes the default mode.

    IAM callers need ``appsync:GraphQL`` on the fields they call: grant it with the L2's
    ``graphql.api.grant_query(role, "products")`` (or ``grant_mutation``,
    ``grant_subscription``).

    Field-level logs go to ``/aws/appsync/apis/<id>`` (``Logs``, with a retention),
    written with ``LogsRole``, which may write there only. X-Ray tracing is always on. Each
    data source has its own role with its own grant: read (``read_only_tables``) or
    read/write on its table, invoke on its function.

    Children: ``Resource`` (the ``appsync.GraphqlApi``), ``LogsRole``, ``Logs``, one data
    source and ``<name>Role`` per entry of ``data_sources``, ``Cache`` and
    ``WebAclAssociation`` when asked, the resolvers and the alarms.

    :param schema: path of the ``.graphql`` schema file; it must define ``type Query``.
        Required.
    :param name: the API's name. Default: the construct's path.
    :param data_sources: name to a table (``dynamodb.ITable``, imported ones too) or a
        function (``lambda_.IFunction``). Default: none.
    :param read_only_tables: names of ``data_sources`` tables resolvers only read.
        Default: none (read/write).
    :param default_authorization: ``user_pool``, ``iam``, ``api_key`` or ``lambda``.
        Default: ``"iam"`` (SigV4-signed requests; needs nothing else).
    :param additional_authorization: further modes, each once. Default: none.
    :param user_pool: the Cognito user pool of the ``user_pool`` mode. Default: none.
    :param authorizer: the Lambda authorizer of the ``lambda`` mode. Default: none.
    :param authorizer_cache_ttl: how long AppSync keeps an authorizer's answer, 0 s to
        1 hour. Default: 5 minutes.
    :param api_key_expires: when the ``api_key`` mode's key expires, 1 to 365 days from
        now (AppSync's limits); a fixed date keeps synthesis repeatable. Default: none.
    :param field_log_level: ``NONE``, ``ERROR``, ``INFO``, ``DEBUG`` or ``ALL``.
        Default: ``"ERROR"``.
    :param exclude_verbose_content: leave headers, context and evaluated code (request
        data) out of the field logs. Default: True.
    :param log_retention: of the field logs. Default: from ``FunctionDefaults``.
    :param removal_policy: of the log group. Default: RETAIN.
    :param web_acl_arn: a regional WAF web ACL to associate. Default: none.
    :param cache: a :class:`GraphqlCache`. Default: none.
    :param query_depth_limit: the deepest query AppSync runs, 1..75. Default: none (no limit).
    :param alarm_topic: SNS topic of the alarms. Default: no action.
    :param server_errors_alarm: 5XX errors per minute that alarm. Default: 1.
    :param client_errors_alarm: 4XX errors per minute that alarm; ``None`` for no alarm.
        Default: 50.
    :param latency_p99_alarm: p99 latency that alarms, 1 ms..60 s. Default: 1 second.
    :param graphql_api_props: escape hatch merged last into ``appsync.GraphqlApi``.
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        schema: str | os.PathLike[str],
        name: str | None = None,
        data_sources: Mapping[str, DataSourceTarget] | None = None,
        read_only_tables: Sequence[str] = (),
        default_authorization: GraphqlAuth = "iam",
        additional_authorization: Sequence[GraphqlAuth] = (),
        user_pool: cognito.IUserPool | None = None,
        authorizer: lambda_.IFunction | None = None,
        authorizer_cache_ttl: cdk.Duration = DEFAULT_AUTHORIZER_CACHE_TTL,
        api_key_expires: cdk.Expiration | None = None,
        field_log_level: FieldLogLevel = "ERROR",
        exclude_verbose_content: bool = True,
        log_retention: logs.RetentionDays | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        web_acl_arn: str | None = None,
        cache: GraphqlCache | None = None,
        query_depth_limit: int | None = None,
        alarm_topic: sns.ITopic | None = None,
        server_errors_alarm: int = 1,
        client_errors_alarm: int | None = 50,
        latency_p99_alarm: cdk.Duration = DEFAULT_LATENCY_ALARM,
        graphql_api_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        #: The schema's types and fields, as read at construction.
        self.schema: SchemaOutline = read_schema(Path(schema))
        sources = dict(data_sources or {})
        check_data_sources(sources, read_only_tables)
        modes = AuthModes(
            default=default_authorization,
            additional=additional_authorization,
            user_pool=user_pool,
            authorizer=authorizer,
            api_key_expires=api_key_expires,
            authorizer_cache_ttl=authorizer_cache_ttl,
        )
        modes.check()
        check_range("query_depth_limit", query_depth_limit, 1, 75)
        check_range("server_errors_alarm", server_errors_alarm, 1, 1e9)
        check_range("client_errors_alarm", client_errors_alarm, 1, 1e9)
        check_duration("latency_p99_alarm", latency_p99_alarm, 0.001, 60)
        if name is not None and not 1 <= len(name) <= 65536:
            raise ValueError(f"name must be 1 to 65536 characters, got {name!r}")
        defaults = FunctionDefaults.of(self)

        #: The role AppSync writes the field logs with.
        self.logs_role = logs_role(self)
        props: dict[str, Any] = {
            "name": name or self.node.path.replace("/", "-"),
            "definition": appsync.Definition.from_file(str(schema)),
            "authorization_config": modes.config(),
            "xray_enabled": True,
            **({"query_depth_limit": query_depth_limit} if query_depth_limit else {}),
        }
        #: The AppSync API.
        self.api = appsync.GraphqlApi(
            self, "Resource", **merged("graphql_api_props", props, graphql_api_props, _GUARDS)
        )
        configure_logs(
            self.api,
            role=self.logs_role,
            level=field_log_level,
            exclude_verbose_content=exclude_verbose_content,
        )
        #: Where the field logs go.
        self.log_group = api_log_group(
            self,
            api=self.api,
            role=self.logs_role,
            retention=log_retention or defaults.log_retention,
            removal_policy=removal_policy,
        )
        #: Data sources by name.
        self.data_sources: dict[str, appsync.BaseDataSource] = add_data_sources(
            self, self.api, sources, read_only_tables
        )
        #: The cache, when asked.
        self.cache: appsync.CfnApiCache | None = (
            add_cache(self, self.api, cache) if cache is not None else None
        )
        self._cache_config = cache
        self._steps: dict[str, tuple[str, str, appsync.AppsyncFunction]] = {}
        #: The association with the web ACL, when given.
        self.web_acl_association: wafv2.CfnWebACLAssociation | None = (
            associate_web_acl(self, self.api, web_acl_arn) if web_acl_arn is not None else None
        )
        #: The GraphQL endpoint (``https://.../graphql``; subscriptions use its ``wss://``
        #: realtime twin).
        self.url: str = self.api.graphql_url
        #: Resolvers by ``"Type.field"``.
        self.resolvers: dict[str, appsync.Resolver] = {}
        #: Alarms by name: ``server_errors``, ``latency`` and ``client_errors`` (unless
        #: ``client_errors_alarm`` is None).
        self.alarms: dict[str, cloudwatch.Alarm] = add_alarms(
            self,
            api=self.api,
            server_errors=server_errors_alarm,
            client_errors=client_errors_alarm,
            latency_p99=latency_p99_alarm,
            topic=alarm_topic,
        )

    def _check_target(self, type_name: str, field_name: str) -> None:
        key = f"{type_name}.{field_name}"
        if not self.schema.has_field(type_name, field_name):
            fields = self.schema.fields.get(type_name)
            known = f"its fields: {', '.join(fields)}" if fields else "no such type"
            raise ValueError(f"{key} is not a field of the schema ({known})")
        if key in self.resolvers:
            raise ValueError(f"{key} already has a resolver")

    def _data_source(self, argument: str, name: str | None) -> appsync.BaseDataSource | None:
        if name is None:
            return None
        if name not in self.data_sources:
            raise ValueError(
                f"{argument} {name!r} is not a data source of this API "
                f"({', '.join(self.data_sources) or 'none'})"
            )
        return self.data_sources[name]

    def add_resolver(
        self,
        type_name: str,
        field_name: str,
        *,
        code: str | os.PathLike[str],
        data_source: str | None = None,
        cache_keys: Sequence[str] | None = None,
        cache_ttl: cdk.Duration | None = None,
    ) -> appsync.Resolver:
        """A unit resolver of ``type_name.field_name``: the JavaScript file ``code``
        (exporting ``request`` and ``response``) run against the data source named
        ``data_source`` (default: none, a local resolver, e.g. for a subscription).

        :param cache_keys: cache this field's answers keyed on these (``$context.arguments
            .id``...); needs a ``PER_RESOLVER_CACHING`` cache. Default: not cached.
        :param cache_ttl: of those answers, 1 s..1 h. Default: the cache's TTL.
        """
        self._check_target(type_name, field_name)
        source = self._data_source("data_source", data_source)
        caching = caching_config(self._cache_config, cache_keys, cache_ttl)
        return self._attach(type_name, field_name, code, source, None, caching)

    def add_pipeline_resolver(
        self,
        type_name: str,
        field_name: str,
        *,
        code: str | os.PathLike[str],
        steps: Sequence[PipelineStep],
        cache_keys: Sequence[str] | None = None,
        cache_ttl: cdk.Duration | None = None,
    ) -> appsync.Resolver:
        """A pipeline resolver of ``type_name.field_name``: ``code``'s ``request`` runs
        first, then each of ``steps`` in order (each sees ``ctx.prev.result`` and
        ``ctx.stash``), then ``code``'s ``response``. At least one step, at most 10.
        Caching as :meth:`add_resolver`."""
        self._check_target(type_name, field_name)
        if isinstance(steps, str) or not 1 <= len(steps) <= 10:
            raise ValueError(f"steps must hold 1 to 10 PipelineStep, got {steps!r}")
        for index, step in enumerate(steps):
            if not isinstance(step, PipelineStep):
                raise TypeError(f"steps[{index}] must be a patterns.PipelineStep, got {step!r}")
        caching = caching_config(self._cache_config, cache_keys, cache_ttl)
        functions = [
            pipeline_function(
                self,
                self.api,
                step,
                index,
                present(
                    self._data_source(f"steps[{index}].data_source", step.data_source),
                    f"steps[{index}].data_source",
                ),
                self._steps,
            )
            for index, step in enumerate(steps)
        ]
        return self._attach(type_name, field_name, code, None, functions, caching)

    def _attach(
        self,
        type_name: str,
        field_name: str,
        code: str | os.PathLike[str],
        source: appsync.BaseDataSource | None,
        functions: Sequence[appsync.AppsyncFunction] | None,
        caching: appsync.CachingConfig | None,
    ) -> appsync.Resolver:
        resolver = appsync.Resolver(
            self,
            f"{type_name}{field_name[:1].upper()}{field_name[1:]}Resolver",
            api=self.api,
            type_name=type_name,
            field_name=field_name,
            data_source=source,
            code=appsync.Code.from_inline(read_code("code", code)),
            runtime=appsync.FunctionRuntime.JS_1_0_0,
            pipeline_config=functions,
            caching_config=caching,
        )
        # AppSync refuses a resolver's caching config while the API has no cache yet.
        if self.cache is not None:
            resolver.node.add_dependency(self.cache)
        self.resolvers[f"{type_name}.{field_name}"] = resolver
        return resolver
