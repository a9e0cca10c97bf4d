"""The storefront's events API in every stage, as API Gateway runs it: a shopper's page
(the storefront's origin) posts with the same user pool's token that the orders routes
take, and API Gateway's role may write that stage's usage stream only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.policies import (
    ALLOW,
    IMPLICIT_DENY,
    Request,
    evaluate,
    resources_of,
    role_statements,
)
from tests.support.templates import usage_stream_ref
from tools.assembly import StackArtifact

STAGES = ("Dev", "Staging", "Prod")


def _unquoted(value: Any) -> str:
    """A value as CloudFormation renders it (joins joined, other tokens as JSON), without
    the quotes API Gateway's static header values have."""
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        text = separator.join(p if isinstance(p, str) else json.dumps(p) for p in parts)
    else:
        text = value if isinstance(value, str) else json.dumps(value)
    return str(text).strip("'")


@pytest.mark.parametrize("stage", STAGES)
def test_pages_of_the_storefront_post_events_with_a_shoppers_token(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    web = stack_artifacts[f"{stage}/Web"].template()
    [api_id] = [
        k for k in resources_of(web, "AWS::ApiGateway::RestApi") if k.startswith("StorefrontEvents")
    ]
    authorizers = resources_of(web, "AWS::ApiGateway::Authorizer")
    pools = {
        authorizer["Properties"]["RestApiId"]["Ref"]: authorizer["Properties"]["ProviderARNs"]
        for authorizer in authorizers.values()
    }
    # The same user pool as the shop API's signed-in routes: a shopper's one token.
    assert pools[api_id] == pools["Api9AF3637B"]
    orders = next(
        f for k, f in resources_of(web, "AWS::Lambda::Function").items() if k.startswith("Orders")
    )
    storefront = orders["Properties"]["Environment"]["Variables"]["ALLOWED_ORIGIN"]
    posts = [
        m["Properties"]
        for m in resources_of(web, "AWS::ApiGateway::Method").values()
        if m["Properties"]["RestApiId"] == {"Ref": api_id}
        and m["Properties"]["HttpMethod"] == "POST"
    ]
    assert len(posts) == 2
    for post in posts:
        assert post["AuthorizationType"] == "COGNITO_USER_POOLS"
        for answer in post["Integration"]["IntegrationResponses"]:
            origin = answer["ResponseParameters"][
                "method.response.header.Access-Control-Allow-Origin"
            ]
            assert _unquoted(origin) == _unquoted(storefront)


@pytest.mark.parametrize("stage", STAGES)
def test_api_gateway_may_write_the_stages_usage_stream_only(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    web = stack_artifacts[f"{stage}/Web"].template()
    stream = usage_stream_ref(stack_artifacts[f"{stage}/Streaming"], web)
    [role] = [
        k
        for k in resources_of(web, "AWS::IAM::Role")
        if k.startswith("StorefrontEventsIntegrationRole")
    ]
    statements = role_statements(web, role)
    assert evaluate(statements, Request("kinesis:PutRecords", stream)) == ALLOW
    assert evaluate(statements, Request("kinesis:GetRecords", stream)) == IMPLICIT_DENY
    principal = web["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert principal[0]["Principal"] == {"Service": "apigateway.amazonaws.com"}
