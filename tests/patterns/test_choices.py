"""String choices are ``Literal`` types: every choice is accepted and rendered as AWS
expects, a value outside them is a ``ValueError`` listing them, another type a
``TypeError``."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from patterns import Route, ServerlessApi
from patterns.api.usage import ApiUsagePlan
from patterns.choices import CacheSize, QuotaPeriod, values
from tests.patterns import bad_inputs_cases as cases


def _stack() -> cdk.Stack:
    env = cdk.Environment(account=cases.ACCOUNT, region=cases.REGION)
    return cdk.Stack(cdk.App(), "Choices", env=env)


@pytest.mark.parametrize("size", values(CacheSize))
def test_every_cache_size_is_a_cluster_size_api_gateway_takes(size: str) -> None:
    stack = _stack()
    ServerlessApi(
        stack,
        "Api",
        routes=[Route("GET", "/products", cases.function(stack))],
        cache_ttl=cdk.Duration.minutes(1),
        cache_size=size,  # type: ignore[arg-type]
    )
    (stage,) = Template.from_stack(stack).find_resources("AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["CacheClusterEnabled"] is True
    assert stage["Properties"]["CacheClusterSize"] == size


@pytest.mark.parametrize("period", values(QuotaPeriod))
def test_every_quota_period_is_one_api_gateway_takes(period: str) -> None:
    plan = ApiUsagePlan("Partner", quota=100, quota_period=period)  # type: ignore[arg-type]
    assert plan.quota_settings().period.value == period  # type: ignore[union-attr]


def test_a_value_outside_the_choices_is_a_value_error_that_lists_them() -> None:
    with pytest.raises(ValueError, match=r"default_auth must be one of 'none', 'iam', .*got 'IAM'"):
        ServerlessApi(_stack(), "Api", default_auth="IAM")  # type: ignore[arg-type]


def test_a_value_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="default_auth must be one of"):
        ServerlessApi(_stack(), "Api", default_auth=1)  # type: ignore[arg-type]
