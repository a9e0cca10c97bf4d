"""The checks on ``ServerlessApi``'s arguments, made before anything is created."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb

from patterns._aws_limits import check_web_acl_arn
from patterns._validation import check_choice, check_duration, check_range, check_stage_name
from patterns.api.routes import AUTH_TYPES, Route, Throttle
from patterns.api.usage import ApiUsagePlan, check_plans
from patterns.choices import CacheSize, values

#: Cache cluster sizes API Gateway offers, in GB.
CACHE_SIZES = values(CacheSize)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_arguments(
    *,
    default_auth: str,
    cache_ttl: cdk.Duration | None,
    cache_size: str,
    server_error_rate_percent: float,
    client_error_rate_percent: float | None,
    latency_p99: cdk.Duration,
    throttle: Throttle | None,
    table: dynamodb.ITable | None,
    partition_key: dynamodb.Attribute | None,
    waf: bool,
    web_acl_arn: str | None,
    cors_origins: Sequence[str] | None,
    usage_plans: Sequence[ApiUsagePlan] | None,
    stage_name: str,
    table_environment_variable: str,
    sort_key: dynamodb.Attribute | None = None,
    table_stream: dynamodb.StreamViewType | None = None,
    endpoint_type: apigateway.EndpointType = apigateway.EndpointType.REGIONAL,
    rest_api_props: Mapping[str, Any] | None = None,
    region: str = "",
) -> list[ApiUsagePlan]:
    """Raise ``ValueError``/``TypeError`` naming the bad argument; return the usage plans."""
    check_choice("default_auth", default_auth, AUTH_TYPES)
    check_duration("cache_ttl", cache_ttl, 0, 3600)
    check_choice("cache_size", cache_size, CACHE_SIZES)
    check_range("server_error_rate_percent", server_error_rate_percent, 0, 100, "%")
    check_range("client_error_rate_percent", client_error_rate_percent, 0, 100, "%")
    if not isinstance(latency_p99, cdk.Duration):
        raise TypeError(f"latency_p99 must be an aws_cdk.Duration, got {latency_p99!r}")
    check_range("latency_p99", latency_p99.to_milliseconds(), 1, 29_000, "ms")
    if throttle is not None and not isinstance(throttle, Throttle):
        raise TypeError(f"throttle must be a Throttle or None, got {type(throttle).__name__}")
    if table is not None and partition_key is not None:
        raise ValueError("give table (an existing table) or partition_key (create one), not both")
    if waf and web_acl_arn is not None:
        raise ValueError("give waf=True (create a web ACL) or web_acl_arn, not both")
    if sort_key is not None and partition_key is None:
        raise ValueError(
            f"sort_key {sort_key.name!r} needs a partition_key: a table is created only from "
            "partition_key (with sort_key as its sort key)"
        )
    if table_stream is not None and partition_key is None:
        raise ValueError(
            f"table_stream {table_stream} needs a partition_key: it is the stream of the table "
            "the API creates (an existing table keeps its own stream settings)"
        )
    check_web_acl_arn("web_acl_arn", web_acl_arn, scope="REGIONAL", region=region)
    if endpoint_type == apigateway.EndpointType.PRIVATE and not (rest_api_props or {}).get(
        "policy"
    ):
        raise ValueError(
            "endpoint_type PRIVATE needs a resource policy naming the VPC endpoints allowed "
            "to call it: API Gateway refuses to deploy a private API without one; pass "
            'rest_api_props={"policy": iam.PolicyDocument(...)}'
        )
    if isinstance(cors_origins, str):
        raise TypeError("cors_origins must be a sequence of origins, not a single string")
    plans = check_plans(usage_plans)
    check_stage_name("stage_name", stage_name)
    if not _ENV_NAME.match(table_environment_variable):
        raise ValueError(
            "table_environment_variable must be a valid environment variable name, "
            f"got {table_environment_variable!r}"
        )
    return plans


def check_route(route: Route, auth: str, *, has_table: bool) -> None:
    """The checks of ``route`` that depend on the API serving it, whose routes have the
    effective auth ``auth`` and which has a table or not."""
    if route.authorization_scopes and auth != "cognito":
        raise ValueError(f"route {route.key}: authorization_scopes need auth='cognito'")
    if route.table_access != "none" and not has_table:
        raise ValueError(
            f"route {route.key} needs table_access={route.table_access!r} but the API "
            "has no table: pass table or partition_key"
        )
