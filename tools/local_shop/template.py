"""What the local backend serves, read from the synthesized ``Web`` stack's template.

Routes (method, path, auth, API key, request model, the handler the integration invokes),
the tables the handlers' environment names, the variables of that environment, the CORS
headers of the API's preflight answers and the user pool with its app client: all taken
from the template, so the local backend serves what would be deployed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Variables of a function's environment that point at the storefront (the CORS origin).
ORIGIN_VARIABLES = frozenset({"ALLOWED_ORIGIN"})
_QUOTED = re.compile(r"^'(.*)'$")


@dataclass(frozen=True)
class ApiRoute:
    """One method of the REST API (``GET /products/{sku}``)."""

    method: str
    path: str
    auth: str  # NONE, COGNITO_USER_POOLS, AWS_IAM, CUSTOM
    api_key_required: bool
    handler: str  # "products.app.handler"
    function: str  # the function's logical id
    body_schema: Mapping[str, Any] | None
    required_headers: tuple[str, ...]
    pattern: re.Pattern[str] = field(compare=False, repr=False)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters when ``method path`` is this route's, else ``None``."""
        found = self.pattern.match(path) if method == self.method else None
        return found.groupdict() if found else None


@dataclass(frozen=True)
class ShopTemplate:
    """The parts of the ``Web`` stack's template the local backend reproduces."""

    routes: tuple[ApiRoute, ...]
    #: Table logical id -> CreateTable arguments (key schema, attributes, indexes).
    tables: Mapping[str, Mapping[str, Any]]
    #: Function logical id -> its environment (table refs resolved to logical ids).
    environments: Mapping[str, Mapping[str, str]]
    cors_allow_headers: tuple[str, ...]
    cors_allow_methods: tuple[str, ...]
    user_pool: Mapping[str, Any]
    user_pool_client: Mapping[str, Any]
    stage_name: str
    #: The storefront's Content-Security-Policy without its ``connect-src`` (whose hosts
    #: are the deployed ones), for the local backend to add its own.
    content_security_policy: str


#: Routes of the shop API served only when their functions' environment can be
#: reproduced: the live token's signing secret is the Streaming stack's, which only
#: ``overrides`` can give (else ``tools.local_live`` serves the token itself).
SERVED_ELSEWHERE = frozenset({"/live-token"})


def read_template(
    template: Mapping[str, Any], overrides: Mapping[str, str] | None = None
) -> ShopTemplate:
    """The :class:`ShopTemplate` of a synthesized ``Web`` stack; ``overrides`` are values
    of the functions' variables that exist only once deployed (another stack's output,
    e.g. ``TOKEN_SECRET_ARN``). Default: none."""
    resources: Mapping[str, Any] = template["Resources"]
    by_type: dict[str, dict[str, Any]] = {}
    for logical_id, resource in resources.items():
        by_type.setdefault(resource["Type"], {})[logical_id] = resource["Properties"]
    tables = {
        logical_id: {
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
            **(
                {"GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"]}
                if "GlobalSecondaryIndexes" in props
                else {}
            ),
            **(
                {
                    "StreamSpecification": {
                        "StreamEnabled": True,
                        "StreamViewType": props["StreamSpecification"]["StreamViewType"],
                    }
                }
                if "StreamSpecification" in props
                else {}
            ),
        }
        for logical_id, props in by_type.get("AWS::DynamoDB::Table", {}).items()
    }
    methods = list(by_type.get("AWS::ApiGateway::Method", {}).values())
    # The shop API: the REST API whose methods invoke functions (the stack also holds
    # the storefront events' API, a Kinesis integration).
    (api,) = {
        props["RestApiId"]["Ref"]
        for props in methods
        if _invoked_function(resources, props.get("Integration", {})) is not None
    }
    routes, preflights = [], []
    for props in methods:
        if props["RestApiId"] != {"Ref": api}:
            continue
        path = _path(resources, props["ResourceId"])
        if props["HttpMethod"] == "OPTIONS":
            preflights.append(props)
            continue
        function = _invoked_function(resources, props.get("Integration", {}))
        if function is None:
            continue
        if path in SERVED_ELSEWHERE:
            try:
                _environment(resources[function]["Properties"], tables, overrides or {})
            except ValueError:
                continue
        model = (props.get("RequestModels") or {}).get("application/json")
        routes.append(
            ApiRoute(
                method=props["HttpMethod"],
                path=path,
                auth=props.get("AuthorizationType", "NONE"),
                api_key_required=bool(props.get("ApiKeyRequired", False)),
                handler=str(resources[function]["Properties"]["Handler"]),
                function=function,
                body_schema=resources[model["Ref"]]["Properties"]["Schema"] if model else None,
                required_headers=tuple(
                    name.split(".", 3)[3]
                    for name, required in (props.get("RequestParameters") or {}).items()
                    if required and name.startswith("method.request.header.")
                ),
                pattern=_pattern(path),
            )
        )
    functions = {route.function for route in routes}
    environments = {
        function: _environment(resources[function]["Properties"], tables, overrides or {})
        for function in sorted(functions)
    }
    cors_headers, cors_methods = _cors(preflights)
    (pool,) = by_type["AWS::Cognito::UserPool"].values()
    (client,) = by_type["AWS::Cognito::UserPoolClient"].values()
    (stage,) = [
        props
        for props in by_type["AWS::ApiGateway::Stage"].values()
        if props["RestApiId"] == {"Ref": api}
    ]
    return ShopTemplate(
        routes=tuple(sorted(routes, key=lambda r: (r.path, r.method))),
        tables=tables,
        environments=environments,
        cors_allow_headers=cors_headers,
        cors_allow_methods=cors_methods,
        user_pool=pool,
        user_pool_client=client,
        stage_name=str(stage["StageName"]),
        content_security_policy=_csp(by_type.get("AWS::CloudFront::ResponseHeadersPolicy", {})),
    )


def _csp(policies: Mapping[str, Any]) -> str:
    (policy,) = policies.values()
    value = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"][
        "ContentSecurityPolicy"
    ]
    if isinstance(value, dict):  # Fn::Join of text and the region, URL suffix, ...
        value = "".join(part if isinstance(part, str) else "TOKEN" for part in value["Fn::Join"][1])
    directives = [d.strip() for d in str(value).split(";") if d.strip()]
    kept = [d for d in directives if not d.startswith("connect-src")]
    if any("TOKEN" in d for d in kept):
        raise ValueError(f"the storefront's CSP has deployment values outside connect-src: {kept}")
    return "; ".join(kept)


def _path(resources: Mapping[str, Any], resource_id: Any) -> str:
    if "Fn::GetAtt" in resource_id:  # the API's root resource
        return "/"
    props = resources[resource_id["Ref"]]["Properties"]
    return f"{_path(resources, props['ParentId']).rstrip('/')}/{props['PathPart']}"


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", path)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


def _invoked_function(resources: Mapping[str, Any], integration: Mapping[str, Any]) -> str | None:
    """Logical id of the function a Lambda proxy integration invokes (through its alias)."""
    if integration.get("Type") != "AWS_PROXY":
        return None
    for part in integration["Uri"]["Fn::Join"][1]:
        ref = part.get("Ref") if isinstance(part, dict) else None
        target = resources.get(ref or "", {})
        if target.get("Type") == "AWS::Lambda::Alias":
            ref = target["Properties"]["FunctionName"]["Ref"]
            target = resources[ref]
        if target.get("Type") == "AWS::Lambda::Function":
            return str(ref)
    return None


def _environment(
    function: Mapping[str, Any], tables: Mapping[str, Any], overrides: Mapping[str, str]
) -> dict[str, str]:
    """The function's variables: strings as they are, a table's ``Ref`` as its logical id
    (the local table's name), the storefront origin as ``{origin}``, ``overrides`` as
    given; anything else cannot be reproduced locally and is refused, so the backend
    never runs on a guess."""
    found: dict[str, str] = {}
    for name, value in function.get("Environment", {}).get("Variables", {}).items():
        if name in overrides:
            found[name] = overrides[name]
        elif isinstance(value, str):
            found[name] = value
        elif isinstance(value, dict) and value.get("Ref") in tables:
            found[name] = str(value["Ref"])
        elif name in ORIGIN_VARIABLES:
            found[name] = "{origin}"
        else:
            raise ValueError(
                f"{function.get('Handler')}: cannot reproduce {name}={value!r} locally"
            )
    return found


def preflight_answer(props: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Allowed headers and methods of one CORS preflight method (a MOCK integration)."""
    (response,) = props["Integration"]["IntegrationResponses"]
    parameters = response["ResponseParameters"]
    headers, methods = (
        tuple(_QUOTED.sub(r"\1", parameters[f"method.response.header.{name}"]).split(","))
        for name in ("Access-Control-Allow-Headers", "Access-Control-Allow-Methods")
    )
    return headers, methods


def _cors(preflights: list[Mapping[str, Any]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Allowed headers and methods of the preflight answers (the same on every resource)."""
    answers = {preflight_answer(props) for props in preflights}
    if len(answers) != 1:
        raise ValueError(f"expected one CORS preflight answer for every resource, got {answers}")
    ((headers, methods),) = answers
    return headers, methods
