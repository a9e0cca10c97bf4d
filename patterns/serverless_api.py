"""``ServerlessApi``: an API Gateway REST API whose routes are data, served by Lambda."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns._metadata import mark_pattern
from patterns._override_guards import REST_API_GUARDS
from patterns._overrides import merged
from patterns._types import checked
from patterns._validation import present
from patterns.api.arguments import check_arguments, check_route
from patterns.api.auth import Authorization, LambdaAuthorizer
from patterns.api.endpoints import RouteBuilder
from patterns.api.monitoring import add_stage_alarms
from patterns.api.routes import Route, RouteTarget, Throttle, check_sibling_parameters
from patterns.api.stage import (
    MethodSettings,
    acknowledge_cloud_watch_role,
    cors_on_gateway_errors,
    new_table,
    protect_stage,
    rest_api_options,
)
from patterns.api.stage_access import StageAccess
from patterns.api.usage import ApiUsagePlan, add_usage_plan
from patterns.choices import AuthType, CacheSize
from patterns.function_defaults import FunctionDefaults

#: Stage-wide throttling applied unless the caller passes another (or ``None``).
DEFAULT_THROTTLE = Throttle(rate_limit=100, burst_limit=200)
#: p99 latency above which the latency alarm fires.
DEFAULT_LATENCY_P99 = cdk.Duration.seconds(3)

__all__ = ["DEFAULT_THROTTLE", "ApiUsagePlan", "LambdaAuthorizer", "Route", "ServerlessApi"]


class ServerlessApi(StageAccess, Construct):
    """A regional REST API routing declared routes to Lambda functions.

    Each route (:class:`Route`) names a method, a path, the function serving it, the table
    access the function needs and its auth. Each function gets exactly ONE Lambda
    permission, scoped to this API's execute ARN (``.../<api id>/*/*/*``), however many
    routes it serves, so a hundred routes stay far inside CloudFormation's 500 resources
    and Lambda's 20 KB policy limit. A ``ServerlessFunction``'s ``live`` alias is invoked.

    Every method validates requests (the route's required parameters, and the body where
    it has a ``request_schema``); the stage writes JSON access logs and X-Ray traces, logs
    errors, throttles and alarms on 5XX and 4XX rates, p99 latency and functions' throttles.
    An API key (``api_key_required``) meters a caller, it does not authenticate one: a
    route with ``auth="none"`` is public to anyone holding a key.

    Children: ``Table`` (with ``partition_key``), ``UserPool`` (with ``create_user_pool``),
    ``AccessLogs``, ``Resource`` (the ``RestApi``), ``Invoke<Function>`` permissions,
    ``<Plan>UsagePlan``, ``WebAcl``/``WebAclAssociation`` and the alarms.

    :param routes: the routes; more can be added with :meth:`add_route`. Default: none.
    :param table: an existing table the routes use. Default: none, unless ``partition_key``.
    :param partition_key: create a table (on-demand, AWS-managed encryption) with this
        key. Default: no table created.
    :param sort_key: sort key of the created table. Default: none.
    :param point_in_time_recovery: PITR of the created table. Default: True.
    :param deletion_protection: deletion protection of the created table. Default: False.
    :param time_to_live_attribute: TTL attribute of the created table. Default: none.
    :param table_stream: the created table's DynamoDB stream (what its records carry), for
        consumers of its changes. Default: no stream.
    :param table_environment_variable: variable holding the table name in the environment
        of each ``ServerlessFunction`` with table access (imported functions cannot take
        environment). Default: ``"TABLE_NAME"``.
    :param removal_policy: of the table, user pool, access logs and WAF logs.
        Default: ``RETAIN``.
    :param default_auth: auth of routes that set none: ``none``, ``iam``, ``cognito`` or
        ``lambda``. Default: ``"iam"``.
    :param user_pool: Cognito user pool for ``cognito`` routes. Default: none.
    :param create_user_pool: create a user pool (admin-created users, TOTP MFA) and an app
        client. Default: False.
    :param password_sign_in: let the created pool's app client also sign users in with
        ``USER_PASSWORD_AUTH`` (the password goes to Cognito over TLS; MFA still applies),
        for a browser page without an SRP library. Needs ``create_user_pool``.
        Default: False (SRP only).
    :param authorizer: Lambda authorizer for ``lambda`` routes: a ``LambdaAuthorizer`` or
        a function (a token authorizer on ``Authorization``, cached 5 min). Default: none.
    :param stage_name: Default: ``"v1"``.
    :param throttle: stage-wide rate and burst; ``None`` leaves the account's limits.
        Default: :data:`DEFAULT_THROTTLE` (100 requests/s, burst 200).
    :param usage_plans: usage plans with API keys, quotas and throttles. Default: none.
    :param cors_origins: origins allowed by CORS preflight (``["*"]`` for any); with one
        origin, API Gateway's own 4XX/5XX responses carry it too. Default: no CORS.
    :param cors_allow_headers: headers CORS allows. Default: CDK's default headers.
    :param tracing: X-Ray tracing of the stage. Default: True.
    :param execution_logging_level: execution log level. Default: ``ERROR``.
    :param cache_ttl: turn on the stage cache (encrypted) with this TTL, 0..3600 s. It
        answers unauthenticated GET routes and routes marked ``cacheable=True``, keyed on
        their path parameters and declared ``query_strings`` and ``headers``; writes,
        signed-in reads and ``health_check`` routes always reach the function.
        Default: no cache.
    :param cache_size: cache cluster size in GB, one of :data:`CACHE_SIZES`.
        Default: ``"0.5"``.
    :param waf: create a regional WAF web ACL (AWS managed rule groups and a rate rule)
        and associate it with the stage. Default: False.
    :param waf_rate_limit: requests per 5 minutes per IP before WAF blocks, or ``None``.
        Default: 2000.
    :param web_acl_arn: associate this existing regional web ACL instead. Default: none.
    :param endpoint_type: Default: ``REGIONAL``.
    :param cloud_watch_role: create the account-level role API Gateway needs to write
        logs (one per account and region). Default: False (the account has it).
    :param log_retention: access log retention. Default: from ``FunctionDefaults``.
    :param alarm_topic: SNS topic of the alarms. Default: no action.
    :param server_error_rate_percent: 5XX rate alarm threshold. Default: 1 (%).
    :param client_error_rate_percent: 4XX rate alarm threshold (throttled requests are
        answered 429, so this is where stage throttling shows); ``None`` for no alarm.
        Default: 25 (%).
    :param latency_p99: p99 latency alarm threshold. Default: 3 seconds.
    :param rest_api_props: escape hatch merged last into ``apigateway.RestApi``.
        A key that would weaken a secure default, or that an argument
        above sets, is refused with a ``ValueError`` saying what to pass instead.
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        routes: Sequence[Route] | None = None,
        table: dynamodb.ITable | None = None,
        partition_key: dynamodb.Attribute | None = None,
        sort_key: dynamodb.Attribute | None = None,
        point_in_time_recovery: bool = True,
        deletion_protection: bool = False,
        time_to_live_attribute: str | None = None,
        table_stream: dynamodb.StreamViewType | None = None,
        table_environment_variable: str = "TABLE_NAME",
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        default_auth: AuthType = "iam",
        user_pool: cognito.IUserPool | None = None,
        create_user_pool: bool = False,
        password_sign_in: bool = False,
        authorizer: LambdaAuthorizer | RouteTarget | None = None,
        stage_name: str = "v1",
        throttle: Throttle | None = DEFAULT_THROTTLE,
        usage_plans: Sequence[ApiUsagePlan] | None = None,
        cors_origins: Sequence[str] | None = None,
        cors_allow_headers: Sequence[str] | None = None,
        tracing: bool = True,
        execution_logging_level: apigateway.MethodLoggingLevel = (
            apigateway.MethodLoggingLevel.ERROR
        ),
        cache_ttl: cdk.Duration | None = None,
        cache_size: CacheSize = "0.5",
        waf: bool = False,
        waf_rate_limit: int | None = 2000,
        web_acl_arn: str | None = None,
        endpoint_type: apigateway.EndpointType = apigateway.EndpointType.REGIONAL,
        cloud_watch_role: bool = False,
        log_retention: logs.RetentionDays | None = None,
        alarm_topic: sns.ITopic | None = None,
        server_error_rate_percent: float = 1.0,
        client_error_rate_percent: float | None = 25.0,
        latency_p99: cdk.Duration = DEFAULT_LATENCY_P99,
        rest_api_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        plans = check_arguments(
            default_auth=default_auth,
            cache_ttl=cache_ttl,
            cache_size=cache_size,
            server_error_rate_percent=server_error_rate_percent,
            client_error_rate_percent=client_error_rate_percent,
            latency_p99=latency_p99,
            throttle=throttle,
            table=table,
            partition_key=partition_key,
            waf=waf,
            web_acl_arn=web_acl_arn,
            cors_origins=cors_origins,
            usage_plans=usage_plans,
            stage_name=stage_name,
            table_environment_variable=table_environment_variable,
            sort_key=sort_key,
            table_stream=table_stream,
            endpoint_type=endpoint_type,
            rest_api_props=rest_api_props,
            region=cdk.Stack.of(self).region,
        )
        self._default_auth = default_auth
        self._env_var = table_environment_variable
        defaults = FunctionDefaults.of(self)

        #: The table the routes use, when there is one.
        self.table: dynamodb.ITable | None = table
        if partition_key is not None:
            self.table = new_table(
                self,
                partition_key=partition_key,
                sort_key=sort_key,
                point_in_time_recovery=point_in_time_recovery,
                time_to_live_attribute=time_to_live_attribute,
                removal_policy=removal_policy,
                deletion_protection=deletion_protection,
                stream=table_stream,
            )
        self._auth = Authorization(
            self,
            user_pool=user_pool,
            create_user_pool=create_user_pool,
            authorizer=authorizer,
            removal_policy=removal_policy,
            password_sign_in=password_sign_in,
        )
        #: The Cognito user pool of ``cognito`` routes, when there is one.
        self.user_pool = self._auth.user_pool
        #: The app client of a created user pool.
        self.user_pool_client = self._auth.user_pool_client
        #: Where the stage writes JSON access logs.
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=log_retention or defaults.log_retention,
            removal_policy=removal_policy,
        )
        props = rest_api_options(
            description=f"Serverless API {self.node.path}",
            endpoint_type=endpoint_type,
            cloud_watch_role=cloud_watch_role,
            stage_name=stage_name,
            access_logs=self.access_logs,
            tracing=tracing,
            cache_ttl=cache_ttl,
            cache_size=cache_size,
            cors_origins=cors_origins,
            cors_allow_headers=cors_allow_headers,
        )
        #: The REST API.
        self.api = apigateway.RestApi(
            self, "Resource", **merged("rest_api_props", props, rest_api_props, REST_API_GUARDS)
        )
        if cors_origins and len(cors_origins) == 1:
            cors_on_gateway_errors(self.api, cors_origins[0])
        #: The deployed stage.
        self.stage = self.api.deployment_stage
        #: ``https://`` URL of the stage (ends with ``/``).
        self.url = self.api.url
        self._builder = RouteBuilder(
            self,
            api=self.api,
            auth=self._auth,
            caching=cache_ttl is not None,
            alarm_topic=alarm_topic,
        )
        #: Functions the API invokes, by name (a ``ServerlessFunction``'s alias).
        self.functions: Mapping[str, lambda_.IFunction] = self._builder.functions
        self._settings = MethodSettings(
            self.stage,
            throttle=throttle,
            logging_level=execution_logging_level,
            cache_ttl=cache_ttl,
            default_auth=self._default_auth,
        )
        self._settings.render(self._builder.routes)
        if cloud_watch_role:
            acknowledge_cloud_watch_role(self.api)
        for route in routes or ():
            self.add(route)

        #: Usage plans by name, and their API keys by ``"<plan>/<key>"``.
        self.usage_plans: dict[str, apigateway.UsagePlan] = {}
        self.api_keys: dict[str, apigateway.IApiKey] = {}
        for plan in plans:
            self.usage_plans[plan.name] = add_usage_plan(self, self.api, plan, self.api_keys)

        #: The web ACL created with ``waf=True``.
        self.web_acl = protect_stage(
            self,
            self.stage,
            waf=waf,
            rate_limit=waf_rate_limit,
            web_acl_arn=web_acl_arn,
            removal_policy=removal_policy,
        )
        #: The stage's alarms: 5XX rate, p99 latency and 4XX rate.
        self.alarms: list[cloudwatch.Alarm] = add_stage_alarms(
            self,
            stage=self.stage,
            server_error_rate_percent=server_error_rate_percent,
            client_error_rate_percent=client_error_rate_percent,
            latency_p99=latency_p99,
            topic=alarm_topic,
        )

    def add(self, route: Route) -> apigateway.Method:
        """Serve ``route``; ``ValueError`` for a duplicate or one the API cannot serve."""
        if not isinstance(route, Route):
            raise TypeError(f"routes must be Route objects, got {type(route).__name__}")
        auth = route.auth or self._default_auth
        self._auth.check(auth, f"route {route.key}")
        check_route(route, auth, has_table=self.table is not None)
        check_sibling_parameters([*self._builder.paths, route.path])
        method = self._builder.add(route, auth)
        if self._settings.overrides(route):
            self._settings.render(self._builder.routes)
        if route.table_access != "none":
            self._builder.grant_table(route, present(self.table, "table"), self._env_var)
        return method

    def add_route(
        self, method: str, path: str, function: RouteTarget, **options: Any
    ) -> apigateway.Method:
        """Serve ``method path`` with ``function``; ``options`` are :class:`Route`'s."""
        return self.add(Route(method, path, function, **options))
