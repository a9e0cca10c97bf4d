"""``StreamIngestApi`` called from browsers: what API Gateway answers a preflight and a
POST with, read from the template as API Gateway reads it (the mock integration of
``OPTIONS``, the integration responses' headers, the gateway's own error responses)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kinesis as kinesis
from aws_cdk.assertions import Template

from patterns import StreamIngestApi
from tests.support.regulated_nag import lint_only_stack, regulated_findings

SHOP = "https://shop.example.com"
ORIGIN = "method.response.header.Access-Control-Allow-Origin"


def _methods(template: Template) -> dict[tuple[str, str], dict[str, Any]]:
    """Method properties by (resource path part, HTTP method)."""
    resources = template.find_resources("AWS::ApiGateway::Resource")
    found = {}
    for method in template.find_resources("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        resource = props["ResourceId"]
        path = resources[resource["Ref"]]["Properties"]["PathPart"] if "Ref" in resource else "/"
        found[(path, props["HttpMethod"])] = props
    return found


def _browser_api(stack: cdk.Stack, origins: list[str], **kwargs: Any) -> StreamIngestApi:
    pool = cognito.UserPool(stack, "Pool")
    return StreamIngestApi(
        stack,
        "Ingest",
        authorizer=apigw.CognitoUserPoolsAuthorizer(stack, "Auth", cognito_user_pools=[pool]),
        cors_origins=origins,
        **kwargs,
    )


def test_a_page_of_the_origin_may_post_with_its_token(stack: cdk.Stack) -> None:
    _browser_api(stack, [SHOP])
    template = Template.from_stack(stack)
    methods = _methods(template)
    for path in ("record", "records"):
        preflight = methods[(path, "OPTIONS")]
        # The browser's preflight carries no token: it must not need one.
        assert preflight["AuthorizationType"] == "NONE"
        assert preflight["Integration"]["Type"] == "MOCK"
        [answer] = preflight["Integration"]["IntegrationResponses"]
        headers = answer["ResponseParameters"]
        assert headers[ORIGIN] == f"'{SHOP}'"
        allowed = headers["method.response.header.Access-Control-Allow-Headers"]
        assert {"Authorization", "Content-Type"} <= set(allowed.strip("'").split(","))
        assert "POST" in headers["method.response.header.Access-Control-Allow-Methods"]

        post = methods[(path, "POST")]
        assert post["AuthorizationType"] == "COGNITO_USER_POOLS"
        declared = {
            r["StatusCode"]: r.get("ResponseParameters", {}) for r in post["MethodResponses"]
        }
        answers = post["Integration"]["IntegrationResponses"]
        # Kinesis' success and its errors alike reach the page with the header, or the
        # browser hides the response (and the per-record failures to retry) from it.
        assert {a["StatusCode"] for a in answers} == {"200", "400", "500"}
        for answer in answers:
            assert answer["ResponseParameters"][ORIGIN] == f"'{SHOP}'"
            assert declared[answer["StatusCode"]] == {ORIGIN: True}
    # 401 without a token, 429 throttled, 400 invalid body: API Gateway's own answers.
    gateway = template.find_resources("AWS::ApiGateway::GatewayResponse").values()
    assert {g["Properties"]["ResponseType"] for g in gateway} == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in gateway:
        headers = response["Properties"]["ResponseParameters"]
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{SHOP}'"


def test_several_origins_each_get_their_own_origin_back(stack: cdk.Stack) -> None:
    other = "http://localhost:8080"
    _browser_api(stack, [SHOP, other])
    methods = _methods(Template.from_stack(stack))
    post = methods[("records", "POST")]
    for answer in post["Integration"]["IntegrationResponses"]:
        assert ORIGIN not in answer.get("ResponseParameters", {})
        text = answer["ResponseTemplates"]["application/json"]
        # Only an allowed origin is echoed; any other gets no header (the browser refuses).
        condition = text.split("#if(", 1)[1].split(")#set", 1)[0]
        assert condition == f'$origin == "{SHOP}" || $origin == "{other}"'
        assert "responseOverride.header.Access-Control-Allow-Origin = $origin" in text
        assert "responseOverride.header.Vary = 'Origin'" in text
    preflight = methods[("records", "OPTIONS")]
    [answer] = preflight["Integration"]["IntegrationResponses"]
    assert answer["ResponseParameters"]["method.response.header.Vary"] == "'Origin'"


def test_without_origins_there_is_no_preflight(stack: cdk.Stack) -> None:
    StreamIngestApi(stack, "Ingest")
    methods = _methods(Template.from_stack(stack))
    assert {m for _, m in methods} == {"POST"}
    for props in methods.values():
        for answer in props["Integration"]["IntegrationResponses"]:
            assert "ResponseParameters" not in answer


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"cors_origins": [f"{SHOP}/"]}, ValueError, "is not an origin"),
        ({"cors_origins": [f"{SHOP}/shop"]}, ValueError, "is not an origin"),
        ({"cors_origins": ["shop.example.com"]}, ValueError, "is not an origin"),
        ({"cors_origins": ["*", SHOP]}, ValueError, "stands alone"),
        ({"cors_origins": []}, ValueError, "at least one origin"),
        ({"cors_origins": SHOP}, TypeError, "cors_origins must be a sequence"),
        ({"cors_allow_headers": ["Authorization"]}, ValueError, "needs cors_origins"),
        (
            {"cors_origins": [SHOP], "cors_allow_headers": "Authorization"},
            TypeError,
            "cors_allow_headers must be a sequence",
        ),
    ],
)
def test_bad_cors_arguments_are_refused(
    stack: cdk.Stack, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        StreamIngestApi(stack, "Bad", **kwargs)


def test_a_browser_ingest_api_has_no_findings_in_any_pack(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On a plain ``cdk.App()``: the preflight methods have no authorization (browsers
    send no token with them), and no rule may take that for an open write."""
    out = tmp_path_factory.mktemp("ingest-cors")
    app = cdk.App(outdir=str(out))
    stack = cdk.Stack(
        app, "Ingest", env=cdk.Environment(account="123456789012", region="eu-west-1")
    )
    acl = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/1"
    logged = apigw.MethodLoggingLevel.ERROR  # as regulated stages log (HIPAA, PCI)
    api = _browser_api(stack, [SHOP], web_acl_arn=acl, execution_log_level=logged)
    StreamIngestApi(
        stack,
        "Shared",
        stream=kinesis.Stream.from_stream_arn(
            stack, "S", "arn:aws:kinesis:eu-west-1:123456789012:stream/s"
        ),
        authorizer=apigw.CognitoUserPoolsAuthorizer(
            stack, "Auth2", cognito_user_pools=[cognito.UserPool(stack, "Pool2")]
        ),
        cors_origins=["*"],
        web_acl_arn=acl,
        execution_log_level=logged,
    )
    assert api.stream is not None
    findings = regulated_findings(app, stack, out)
    ours = [f for f in findings if "/Ingest/" in f or "/Shared/" in f]
    assert ours == []
    assert lint_only_stack(out) == []
