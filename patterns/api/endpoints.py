"""Turning routes into methods: integrations, one permission per function, grants, models."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns._imported import check_invocable, grants_scope
from patterns._nag import acknowledge_wildcards
from patterns._targets import acknowledge_synchronous_invocation
from patterns.api.auth import Authorization, invoked
from patterns.api.monitoring import add_throttles_alarm
from patterns.api.routes import Route, RouteTarget
from patterns.serverless_function import ServerlessFunction

_JSON_SCHEMA_DRAFT_4 = "http://json-schema.org/draft-04/schema#"
_PUBLIC_REASONS = {
    "AwsSolutions-APIG4": "The route was declared public (auth='none') by the API's author",
    "AwsSolutions-COG4": "The route was declared public (auth='none'), so no Cognito authorizer",
}


class RouteBuilder:
    """Adds routes to a ``RestApi`` and keeps track of the functions serving them.

    The integration is a plain ``AWS_PROXY`` integration to the function's invocation URI:
    CDK's ``LambdaIntegration`` would add a Lambda permission for every method (two with
    test invocation), which grows each function's resource policy with the routes.
    Instead each function gets one permission for the whole API when first seen.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        api: apigateway.RestApi,
        auth: Authorization,
        caching: bool,
        alarm_topic: sns.ITopic | None,
    ) -> None:
        self._scope = scope
        self._api = api
        self._auth = auth
        self._caching = caching
        self._topic = alarm_topic
        self._targets: dict[str, RouteTarget] = {}
        self._granted: set[tuple[str, str]] = set()
        self._validator = api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        #: Routes served so far, in order.
        self.routes: list[Route] = []
        #: Invoked function by name.
        self.functions: dict[str, lambda_.IFunction] = {}

    @property
    def paths(self) -> list[str]:
        """Paths of the routes served so far."""
        return [route.path for route in self.routes]

    def add(self, route: Route, auth: str) -> apigateway.Method:
        """Create the method for ``route`` with authorization ``auth``."""
        if any(r.method == route.method and r.path == route.path for r in self.routes):
            raise ValueError(f"duplicate route {route.key}: each method and path once")
        target = self.functions[self._register(route.function)]
        parameters = route.request_parameters
        # The stage cache keys a response on the method, the resource path and these
        # parameters only: every parameter the route declares must be in it.
        cached = self._caching and route.served_from_cache(auth)
        integration = apigateway.AwsIntegration(
            service="lambda",
            proxy=True,
            path=f"2015-03-31/functions/{target.function_arn}/invocations",
            options=apigateway.IntegrationOptions(
                cache_key_parameters=list(parameters) if cached and parameters else None
            ),
        )
        resource = self._api.root.resource_for_path(route.path)
        method = resource.add_method(
            route.method,
            integration,
            api_key_required=route.api_key_required or None,
            request_parameters=parameters or None,
            request_validator=self._validator,
            request_models=self._models(route),
            **self._auth.method_options(auth, route.authorization_scopes),
        )
        self.routes.append(route)
        _acknowledge_auth(method, auth, route.api_key_required)
        _acknowledge_preflight(resource)
        return method

    def grant_table(self, route: Route, table: dynamodb.ITable, variable: str) -> None:
        """Grant the route's function its table access; put the table name in its env."""
        function = route.function
        name = function.node.id
        if (name, route.table_access) in self._granted:
            return
        self._granted.add((name, route.table_access))
        grantee = function.function if isinstance(function, ServerlessFunction) else function
        # An imported function without a role cannot be granted anything from here (CDK
        # would only warn); its owner grants it.
        if grantee.role is not None:
            grant = {
                "read": table.grant_read_data,
                "write": table.grant_write_data,
                "read_write": table.grant_read_write_data,
            }[route.table_access]
            grant(grantee)
            # An imported role's grant policy is a child of its own (grants_scope).
            policy = grantee.role.node.try_find_child("DefaultPolicy") or (
                None if cdk.Resource.is_owned_resource(grantee.role) else grants_scope(grantee)
            )
            if policy is not None:
                # CDK's table grants include the table's indexes (``<arn>/index/*``).
                acknowledge_wildcards(
                    policy,
                    reason="The route's table access covers the table's secondary indexes; "
                    "the grant names this one table.",
                    resources=[f"{table.table_arn}/index/*"],
                )
        if isinstance(function, ServerlessFunction):
            function.function.add_environment(variable, table.table_name)

    def _register(self, function: RouteTarget) -> str:
        name = function.node.id
        known = self._targets.get(name)
        if known is not None:
            if known is not function:
                raise ValueError(
                    f"two different functions are named {name!r}; give functions distinct ids"
                )
            return name
        self._targets[name] = function
        acknowledge_synchronous_invocation(function, "API Gateway")
        target = invoked(function)
        # A raw permission keeps one per function; CDK's own same-account check first.
        check_invocable(target, f"the function of route(s) to {name!r}", "API Gateway")
        self.functions[name] = target
        lambda_.CfnPermission(
            self._scope,
            f"Invoke{name}",
            action="lambda:InvokeFunction",
            function_name=target.function_arn,
            principal="apigateway.amazonaws.com",
            source_arn=self._api.arn_for_execute_api("*", "/*", "*"),
        )
        add_throttles_alarm(
            self._scope,
            f"{name}ThrottlesAlarm",
            function=target,
            api_path=self._scope.node.path,
            topic=self._topic,
        )
        return name

    def _models(self, route: Route) -> Mapping[str, apigateway.IModel] | None:
        if route.request_schema is None:
            return None
        model_id = f"{_route_id(route)}Model"
        model = apigateway.CfnModel(
            self._scope,
            model_id,
            rest_api_id=self._api.rest_api_id,
            content_type="application/json",
            description=f"Body of {route.key}",
            schema={"$schema": _JSON_SCHEMA_DRAFT_4, **route.request_schema},
        )
        return {
            "application/json": apigateway.Model.from_model_name(
                self._scope, f"{model_id}Ref", model.ref
            )
        }


def _route_id(route: Route) -> str:
    words = re.findall(r"[A-Za-z0-9]+", f"{route.method} {route.path}")
    return "".join(word[:1].upper() + word[1:] for word in words)


def _acknowledge_auth(method: apigateway.Method, auth: str, api_key_required: bool) -> None:
    reasons: dict[str, str] = {}
    if auth == "none":
        key = "; callers are metered by API key" if api_key_required else ""
        reasons = {rule: f"{reason}{key}." for rule, reason in _PUBLIC_REASONS.items()}
    elif auth != "cognito":
        how = "IAM (SigV4)" if auth == "iam" else "a Lambda authorizer"
        reasons["AwsSolutions-COG4"] = f"The route is authorized with {how}, not a user pool."
    for rule, reason in reasons.items():
        cdk.Validations.of(method).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def _acknowledge_preflight(resource: apigateway.IResource) -> None:
    """CORS preflight (OPTIONS) methods must answer browsers without credentials."""
    current: Any = resource
    while current is not None:
        preflight = current.node.try_find_child("OPTIONS")
        if preflight is not None:
            for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                cdk.Validations.of(preflight).acknowledge(
                    cdk.Acknowledgment(
                        id=rule,
                        reason="CORS preflight requests carry no credentials by design; "
                        "the mock OPTIONS method returns only CORS headers.",
                    )
                )
        current = current.parent_resource
