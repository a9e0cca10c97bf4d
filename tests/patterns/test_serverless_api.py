from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template

from patterns import (
    ApiUsagePlan,
    LambdaAuthorizer,
    Route,
    ServerlessApi,
    ServerlessFunction,
    Throttle,
)
from tests.support.templates import acknowledged_rules, method_for, methods, resources

KEY = dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING)
IMPORTED_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:imported"


@pytest.fixture
def fn(stack: cdk.Stack, code_dir: Path) -> ServerlessFunction:
    return ServerlessFunction(stack, "Products", code_path=code_dir)


def permissions_for(template: Template, fragment: str) -> list[dict[str, Any]]:
    return [
        r["Properties"]
        for r in resources(template, "AWS::Lambda::Permission")
        if fragment in str(r["Properties"]["FunctionName"])
    ]


def test_defaults_regional_iam_throttled_logged_traced_validated(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    api = ServerlessApi(
        stack, "Api", client_error_rate_percent=None, routes=[Route("GET", "/products", fn)]
    )
    template = Template.from_stack(stack)

    template.has_resource_properties(
        "AWS::ApiGateway::RestApi", {"EndpointConfiguration": {"Types": ["REGIONAL"]}}
    )
    stage = resources(template, "AWS::ApiGateway::Stage")[0]["Properties"]
    assert stage["StageName"] == "v1"
    assert stage["TracingEnabled"] is True
    assert stage["MethodSettings"] == [
        {
            "DataTraceEnabled": False,
            "HttpMethod": "*",
            "LoggingLevel": "ERROR",
            "MetricsEnabled": True,
            "ResourcePath": "/*",
            "ThrottlingBurstLimit": 200,
            "ThrottlingRateLimit": 100,
        }
    ]
    assert '"status": "$context.status"' in stage["AccessLogSetting"]["Format"]
    assert "CacheClusterEnabled" not in stage
    template.has_resource_properties(
        "AWS::ApiGateway::RequestValidator",
        {"ValidateRequestBody": True, "ValidateRequestParameters": True},
    )
    method = method_for(template, "GET", "products")
    assert method["AuthorizationType"] == "AWS_IAM"
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert "RequestValidatorId" in method
    assert "ProductsAlias" in str(method["Integration"]["Uri"])  # the live alias
    template.resource_count_is("AWS::DynamoDB::Table", 0)
    template.resource_count_is("AWS::Cognito::UserPool", 0)
    template.resource_count_is("AWS::WAFv2::WebACL", 0)
    template.resource_count_is("AWS::ApiGateway::Account", 0)
    assert api.table is None
    assert list(api.functions) == ["Products"]
    assert api.functions["Products"] is fn.alias
    assert "AwsSolutions-APIG3" in acknowledged_rules(api.stage)
    # Alarms: 5XX rate, p99 latency, throttles of the function.
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    descriptions = [a["Properties"]["AlarmDescription"] for a in alarms]
    assert any("5XX" in d for d in descriptions)
    assert any("p99 latency above 3000 ms" in d for d in descriptions)
    assert any("throttled" in d for d in descriptions)
    assert not any("4XX" in d for d in descriptions)  # client_error_rate_percent=None
    assert len(api.alarms) == 2
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "ExtendedStatistic": "p99",
            "MetricName": "Latency",
            "Dimensions": Match.array_with([{"Name": "Stage", "Value": Match.any_value()}]),
        },
    )


def test_one_permission_per_function_scoped_to_execute_arn(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    imported = lambda_.Function.from_function_arn(stack, "Imported", IMPORTED_ARN)
    ServerlessApi(
        stack,
        "Api",
        routes=[
            Route("GET", "/products", fn),
            Route("GET", "/products/{id}", fn),
            Route("DELETE", "/products/{id}", fn),
            Route("GET", "/legacy", imported),
            Route("POST", "/legacy", imported),
        ],
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Lambda::Permission", 2)
    for fragment in ("ProductsAlias", IMPORTED_ARN):
        (permission,) = permissions_for(template, fragment)
        assert permission["Principal"] == "apigateway.amazonaws.com"
        source = permission["SourceArn"]["Fn::Join"][1]
        assert source[-1] == "/*/*/*"
        assert ":execute-api:" in "".join(str(part) for part in source)


def count_permissions(code_dir: Path, routes: int) -> tuple[int, dict[str, int]]:
    from tests.support.cdk_app import cli_context

    app = cdk.App(context=cli_context())
    stack = cdk.Stack(app, "Scale", env=cdk.Environment(account="123456789012", region="eu-west-1"))
    functions = [ServerlessFunction(stack, f"Fn{i}", code_path=code_dir) for i in range(5)]
    ServerlessApi(
        stack,
        "Api",
        routes=[
            Route(method, f"/items{i // 2}/{{id}}", functions[i % 5])
            for i, method in zip(range(routes), ["GET", "PUT"] * routes, strict=False)
        ],
    )
    template = Template.from_stack(stack)
    per_function = {
        f"Fn{i}": len(permissions_for(template, f"Fn{i}Alias")) for i in range(len(functions))
    }
    return len(template.to_json()["Resources"]), per_function


def test_a_hundred_routes_over_five_functions_stay_small(code_dir: Path) -> None:
    small_total, small = count_permissions(code_dir, 10)
    total, per_function = count_permissions(code_dir, 100)
    assert total < 500
    assert per_function == small == {f"Fn{i}": 1 for i in range(5)}
    # Growth per route is a small constant: a method, and a resource per new path part.
    assert (total - small_total) / 90 <= 2.5


def test_table_created_with_least_privilege_grants_and_env(
    stack: cdk.Stack, code_dir: Path
) -> None:
    reader = ServerlessFunction(stack, "Reader", code_path=code_dir)
    writer = ServerlessFunction(stack, "Writer", code_path=code_dir)
    plain = ServerlessFunction(stack, "Plain", code_path=code_dir)
    api = ServerlessApi(
        stack,
        "Api",
        partition_key=KEY,
        point_in_time_recovery=False,
        routes=[
            Route("GET", "/a", reader, "read"),
            Route("POST", "/a", writer, "write"),
            Route("GET", "/b", plain),
        ],
    )
    template = Template.from_stack(stack)
    table = resources(template, "AWS::DynamoDB::Table")[0]
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": False
    }
    assert table["DeletionPolicy"] == "Retain"
    assert api.table is not None

    def actions_of(role_prefix: str) -> set[str]:
        found: set[str] = set()
        for logical_id, policy in template.find_resources("AWS::IAM::Policy").items():
            if logical_id.startswith(role_prefix):
                for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                    actions = statement["Action"]
                    found.update([actions] if isinstance(actions, str) else actions)
        return found

    assert "dynamodb:GetItem" in actions_of("ReaderServiceRole")
    assert "dynamodb:PutItem" not in actions_of("ReaderServiceRole")
    assert "dynamodb:PutItem" in actions_of("WriterServiceRole")
    assert "dynamodb:GetItem" not in actions_of("WriterServiceRole")
    assert not any(a.startswith("dynamodb:") for a in actions_of("PlainServiceRole"))

    def env_of(prefix: str) -> dict[str, Any]:
        for logical_id, function in template.find_resources("AWS::Lambda::Function").items():
            if logical_id.startswith(prefix):
                variables: dict[str, Any] = function["Properties"]["Environment"]["Variables"]
                return variables
        raise AssertionError(prefix)

    assert "Ref" in env_of("Reader")["TABLE_NAME"]
    assert "TABLE_NAME" not in env_of("Plain")


def test_existing_table_and_imported_function(stack: cdk.Stack) -> None:
    table = dynamodb.Table.from_table_name(stack, "Existing", "orders")
    imported = lambda_.Function.from_function_arn(stack, "Imported", IMPORTED_ARN)
    api = ServerlessApi(
        stack,
        "Api",
        table=table,
        table_environment_variable="ORDERS",
        routes=[Route("GET", "/orders", imported, "read", auth="none")],
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::DynamoDB::Table", 0)
    template.resource_count_is("AWS::IAM::Policy", 0)  # not ours to grant: no role
    assert api.table is table
    assert api.functions["Imported"] is imported
    assert {"AwsSolutions-APIG4", "AwsSolutions-COG4"} <= acknowledged_rules(
        api.api.root.get_resource("orders").node.find_child("GET")  # type: ignore[union-attr]
    )


def test_cognito_pool_created_with_scopes(stack: cdk.Stack, fn: ServerlessFunction) -> None:
    api = ServerlessApi(
        stack,
        "Api",
        create_user_pool=True,
        default_auth="cognito",
        routes=[Route("POST", "/products", fn, authorization_scopes=("shop/admin",))],
    )
    template = Template.from_stack(stack)
    pool = resources(template, "AWS::Cognito::UserPool")[0]["Properties"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    template.resource_count_is("AWS::Cognito::UserPoolClient", 1)
    template.has_resource_properties("AWS::ApiGateway::Authorizer", {"Type": "COGNITO_USER_POOLS"})
    method = method_for(template, "POST", "products")
    assert method["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert method["AuthorizationScopes"] == ["shop/admin"]
    assert api.user_pool is not None
    assert api.user_pool_client is not None


@pytest.mark.parametrize(
    ("password_sign_in", "flows"),
    [
        (False, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
        (True, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
    ],
)
def test_password_sign_in_is_asked_for(
    stack: cdk.Stack, fn: ServerlessFunction, password_sign_in: bool, flows: list[str]
) -> None:
    ServerlessApi(
        stack,
        "Api",
        create_user_pool=True,
        password_sign_in=password_sign_in,
        routes=[Route("POST", "/orders", fn, auth="cognito")],
    )
    client = resources(Template.from_stack(stack), "AWS::Cognito::UserPoolClient")[0]
    assert client["Properties"]["ExplicitAuthFlows"] == flows
    # MFA stays required whichever way the password is checked.
    pool = resources(Template.from_stack(stack), "AWS::Cognito::UserPool")[0]
    assert pool["Properties"]["MfaConfiguration"] == "ON"


def test_cognito_pool_passed_in(stack: cdk.Stack, fn: ServerlessFunction) -> None:
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", "eu-west-1_abc")
    api = ServerlessApi(
        stack, "Api", user_pool=pool, routes=[Route("POST", "/p", fn, auth="cognito")]
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Cognito::UserPool", 0)
    template.resource_count_is("AWS::ApiGateway::Authorizer", 1)
    assert api.user_pool is pool


@pytest.mark.parametrize(
    ("authorizer_type", "cfn_type", "sources"),
    [
        ("token", "TOKEN", ("method.request.header.Authorization",)),
        ("request", "REQUEST", ("method.request.header.X-Partner", "method.request.querystring.k")),
    ],
)
def test_lambda_authorizer_with_caching(
    stack: cdk.Stack,
    fn: ServerlessFunction,
    code_dir: Path,
    authorizer_type: str,
    cfn_type: str,
    sources: tuple[str, ...],
) -> None:
    authorizer = ServerlessFunction(stack, "Authorizer", code_path=code_dir)
    ServerlessApi(
        stack,
        "Api",
        default_auth="lambda",
        authorizer=LambdaAuthorizer(
            function=authorizer,
            type=authorizer_type,  # type: ignore[arg-type]
            identity_sources=sources,
            results_cache_ttl=cdk.Duration.minutes(10),
        ),
        routes=[Route("GET", "/p", fn)],
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {
            "Type": cfn_type,
            "AuthorizerResultTtlInSeconds": 600,
            "IdentitySource": ",".join(sources),
        },
    )
    assert method_for(template, "GET", "p")["AuthorizationType"] == "CUSTOM"


def test_function_as_authorizer_means_cached_token_authorizer(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    imported = lambda_.Function.from_function_arn(stack, "Imported", IMPORTED_ARN)
    ServerlessApi(stack, "Api", authorizer=imported, routes=[Route("GET", "/p", fn, auth="lambda")])
    Template.from_stack(stack).has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {
            "Type": "TOKEN",
            "AuthorizerResultTtlInSeconds": 300,
            "IdentitySource": "method.request.header.Authorization",
        },
    )


def test_method_throttle_overrides_and_throttling_off(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    api = ServerlessApi(
        stack,
        "Api",
        throttle=None,
        routes=[Route("GET", "/products/{id}", fn, throttle=Throttle(10, 20))],
    )
    api.add_route("ANY", "/late", fn, throttle=Throttle(1, 1))
    stage = resources(Template.from_stack(stack), "AWS::ApiGateway::Stage")[0]["Properties"]
    settings = {(s["HttpMethod"], s["ResourcePath"]): s for s in stage["MethodSettings"]}
    assert "ThrottlingRateLimit" not in settings[("*", "/*")]
    assert settings[("GET", "/~1products~1{id}")]["ThrottlingRateLimit"] == 10
    assert settings[("GET", "/~1products~1{id}")]["ThrottlingBurstLimit"] == 20
    assert settings[("*", "/~1late")]["ThrottlingBurstLimit"] == 1


def test_usage_plans_with_keys_quota_and_throttle(stack: cdk.Stack, fn: ServerlessFunction) -> None:
    api = ServerlessApi(
        stack,
        "Api",
        routes=[Route("GET", "/products", fn, auth="none", api_key_required=True)],
        usage_plans=[
            ApiUsagePlan(
                "Partner", throttle=Throttle(5, 10), quota=10_000, api_keys=("Acme", "Globex")
            )
        ],
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::ApiGateway::UsagePlan",
        {
            "Quota": {"Limit": 10000, "Period": "MONTH"},
            "Throttle": {"RateLimit": 5, "BurstLimit": 10},
            "ApiStages": [Match.object_like({"Stage": Match.any_value()})],
        },
    )
    template.resource_count_is("AWS::ApiGateway::ApiKey", 2)
    template.resource_count_is("AWS::ApiGateway::UsagePlanKey", 2)
    assert method_for(template, "GET", "products")["ApiKeyRequired"] is True
    assert sorted(api.api_keys) == ["Partner/Acme", "Partner/Globex"]
    assert list(api.usage_plans) == ["Partner"]


def test_body_model_cors_cache_and_path_parameters(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    schema = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    ServerlessApi(
        stack,
        "Api",
        cors_origins=["https://shop.example.com"],
        cache_ttl=cdk.Duration.minutes(1),
        routes=[
            Route("POST", "/products", fn, request_schema=schema),
            Route("GET", "/products/{id}", fn),
            Route("GET", "/me", fn, auth="iam"),
            Route("GET", "/shared", fn, auth="iam", cacheable=True),
        ],
    )
    template = Template.from_stack(stack)
    model = resources(template, "AWS::ApiGateway::Model")[0]["Properties"]
    assert model["ContentType"] == "application/json"
    assert model["Schema"]["required"] == ["name"]
    assert model["Schema"]["$schema"].startswith("http://json-schema.org/draft-04")
    post = method_for(template, "POST", "products")
    assert "application/json" in post["RequestModels"]
    get = method_for(template, "GET", "{id}")
    assert get["RequestParameters"] == {"method.request.path.id": True}
    # A route the cache never answers needs no cache key.
    assert "CacheKeyParameters" not in get["Integration"]
    shared = method_for(template, "GET", "shared")
    assert "CacheKeyParameters" not in shared["Integration"]  # no parameters to key on
    stage = resources(template, "AWS::ApiGateway::Stage")[0]["Properties"]
    assert stage["CacheClusterEnabled"] is True
    assert stage["CacheClusterSize"] == "0.5"
    assert stage["MethodSettings"][0]["CachingEnabled"] is True
    assert stage["MethodSettings"][0]["CacheTtlInSeconds"] == 60
    assert stage["MethodSettings"][0]["CacheDataEncrypted"] is True
    # Writes are never answered from the cache: every non-GET route opts out.
    overrides = {(m["HttpMethod"], m["ResourcePath"]): m for m in stage["MethodSettings"][1:]}
    # ... and so does a signed-in read (the API's default auth is IAM), unless it says its
    # responses are the same for every caller: each route states which it is.
    assert {key: m["CachingEnabled"] for key, m in overrides.items()} == {
        ("POST", "/~1products"): False,
        ("GET", "/~1products~1{id}"): False,
        ("GET", "/~1me"): False,
        ("GET", "/~1shared"): True,
    }
    assert {m["CacheTtlInSeconds"] for m in stage["MethodSettings"]} == {60}
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]["ResponseParameters"]
        for r in resources(template, "AWS::ApiGateway::GatewayResponse")
    }
    assert responses == {
        kind: {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://shop.example.com'"}
        for kind in ("DEFAULT_4XX", "DEFAULT_5XX")
    }
    options = [m for (verb, _), m in methods(template).items() if verb == "OPTIONS"]
    assert len(options) == 5  # root, /products, /products/{id}, /me, /shared
    assert "https://shop.example.com" in str(options[0]["Integration"])


def test_waf_created_or_passed(stack: cdk.Stack, fn: ServerlessFunction) -> None:
    api = ServerlessApi(stack, "Api", waf=True, routes=[Route("GET", "/a", fn)])
    other = ServerlessApi(
        stack,
        "Other",
        web_acl_arn="arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1",
        routes=[Route("GET", "/a", fn)],
    )
    template = Template.from_stack(stack)
    acl = resources(template, "AWS::WAFv2::WebACL")[0]["Properties"]
    assert acl["Scope"] == "REGIONAL"
    names = [rule["Name"] for rule in acl["Rules"]]
    assert names == [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "RateLimitPerIp",
    ]
    assert acl["Rules"][-1]["Statement"]["RateBasedStatement"]["Limit"] == 2000
    template.resource_count_is("AWS::WAFv2::WebACLAssociation", 2)
    # Blocked and counted requests are logged to a log group named as WAF requires.
    (logging,) = resources(template, "AWS::WAFv2::LoggingConfiguration")
    assert logging["Properties"]["LoggingFilter"]["DefaultBehavior"] == "DROP"
    template.has_resource_properties(
        "AWS::Logs::LogGroup", {"LogGroupName": Match.string_like_regexp("^aws-waf-logs-")}
    )
    assert api.web_acl is not None
    assert other.web_acl is None
    assert "AwsSolutions-APIG3" not in acknowledged_rules(api.stage)


def test_alarm_topic_metrics_grant_and_cloudwatch_role(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    topic = sns.Topic(stack, "Topic")
    api = ServerlessApi(
        stack,
        "Api",
        alarm_topic=topic,
        cloud_watch_role=True,
        server_error_rate_percent=5,
        latency_p99=cdk.Duration.millis(800),
        routes=[Route("GET", "/a", fn)],
    )
    role = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    api.grant_execute(role, "GET", "/a")
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ApiGateway::Account", 1)
    api_alarms = [
        alarm["Properties"]
        for logical_id, alarm in template.find_resources("AWS::CloudWatch::Alarm").items()
        if logical_id.startswith("Api")
    ]
    # 5XX rate, p99 latency, 4XX rate and the function's throttles, all on the topic.
    assert len(api_alarms) == 4
    topic_ref = stack.resolve(topic.topic_arn)
    assert all(alarm["AlarmActions"] == [topic_ref] for alarm in api_alarms)
    assert all(alarm["OKActions"] == [topic_ref] for alarm in api_alarms)
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"ExtendedStatistic": "p99", "Threshold": 800}
    )
    template.has_resource_properties("AWS::CloudWatch::Alarm", {"Threshold": 5})
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"Threshold": 25, "AlarmDescription": Match.string_like_regexp("429")},
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": [Match.object_like({"Action": "execute-api:Invoke"})]}},
    )
    assert api.metric_server_errors().metric_name == "5XXError"
    assert api.metric_client_errors().metric_name == "4XXError"
    assert api.metric_latency().metric_name == "Latency"
    assert api.metric_count().metric_name == "Count"
    assert api.metric_latency().dimensions is not None
    assert set(api.metric_latency().dimensions or {}) == {"ApiName", "Stage"}
    assert api.url


@pytest.mark.parametrize(
    ("route_args", "message"),
    [
        (("GET", "products"), "must start with '/'"),
        (("FETCH", "/products"), "method must be one of"),
        (("GET", "/a b"), "segment"),
        (("GET", "/{rest+}/more"), "greedy"),
    ],
)
def test_bad_routes_are_rejected(
    fn: ServerlessFunction, route_args: tuple[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Route(*route_args, fn)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"table_access": "admin"}, "table_access must be one of"),
        ({"auth": "basic"}, "auth must be one of"),
        ({"auth": "iam", "authorization_scopes": ("a",)}, "need auth='cognito'"),
    ],
)
def test_bad_route_options_are_rejected(
    fn: ServerlessFunction, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Route("GET", "/a", fn, **kwargs)


def test_route_function_must_be_a_function() -> None:
    with pytest.raises(TypeError, match=r"ServerlessFunction or an aws_cdk\.aws_lambda\.IFunction"):
        Route("GET", "/a", "arn:aws:lambda:x")  # type: ignore[arg-type]


def test_api_rejects_what_it_cannot_serve(stack: cdk.Stack, fn: ServerlessFunction) -> None:
    api = ServerlessApi(stack, "Api", routes=[Route("GET", "/products/{id}", fn)])
    with pytest.raises(ValueError, match=re.escape("duplicate route GET /products/{id}")):
        api.add_route("get", "/products/{id}/", fn)
    with pytest.raises(ValueError, match="has no table"):
        api.add_route("POST", "/products", fn, table_access="write")
    with pytest.raises(ValueError, match="has no user pool"):
        api.add_route("PUT", "/products", fn, auth="cognito")
    with pytest.raises(ValueError, match="no authorizer function"):
        api.add_route("PATCH", "/products", fn, auth="lambda")
    with pytest.raises(ValueError, match="different parameter names"):
        api.add_route("PUT", "/products/{sku}", fn)


def test_two_functions_with_one_name_are_rejected(stack: cdk.Stack, code_dir: Path) -> None:
    one = ServerlessFunction(stack, "Same", code_path=code_dir)
    scope = cdk.Stack(stack.node.scope, "Other")  # type: ignore[arg-type]
    other = ServerlessFunction(scope, "Same", code_path=code_dir)
    api = ServerlessApi(stack, "Api", routes=[Route("GET", "/a", one)])
    with pytest.raises(ValueError, match="two different functions are named 'Same'"):
        api.add_route("GET", "/b", other)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: Throttle(rate_limit=-1, burst_limit=50), "rate_limit"),
        (lambda: ApiUsagePlan("Partner", quota=-1), "quota must be >= 0"),
        (lambda: ApiUsagePlan("Partner", quota_period="YEAR"), "quota_period"),  # type: ignore[arg-type]
        (lambda: ApiUsagePlan("bad name"), "usage plan name"),
        (
            lambda: LambdaAuthorizer(
                function=lambda_.Function.from_function_arn(cdk.Stack(), "F", IMPORTED_ARN),
                type="cookie",  # type: ignore[arg-type]
            ),
            "type must be one of .token., .request., got .cookie.",
        ),
    ],
)
def test_bad_settings_are_rejected(factory: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"default_auth": "basic"}, "default_auth must be one of"),
        (
            {"table": dynamodb.Table.from_table_name(cdk.Stack(), "T", "t"), "partition_key": KEY},
            "not both",
        ),
        ({"waf": True, "web_acl_arn": "arn"}, "not both"),
        ({"cache_ttl": cdk.Duration.hours(2)}, "cache_ttl must be between"),
        ({"cache_size": "1"}, "cache_size must be one of"),
        ({"usage_plans": [ApiUsagePlan("A"), ApiUsagePlan("A")]}, "unique"),
        (
            {
                "create_user_pool": True,
                "user_pool": cognito.UserPool.from_user_pool_id(cdk.Stack(), "P", "eu-west-1_x"),
            },
            "not both",
        ),
        ({"stage_name": "v1/beta"}, "stage_name must be"),
        ({"password_sign_in": True}, "needs create_user_pool=True"),
        ({"table_environment_variable": "TABLE-NAME"}, "table_environment_variable"),
        (
            {"table_stream": dynamodb.StreamViewType.NEW_IMAGE},
            "table_stream StreamViewType.NEW_IMAGE needs a partition_key",
        ),
        ({"partition_key": KEY, "table_stream": "NEW_IMAGE"}, None),
    ],
)
def test_bad_api_arguments_are_rejected(
    stack: cdk.Stack, kwargs: dict[str, Any], message: str | None
) -> None:
    if message is None:  # the wrong type: a TypeError naming the argument
        with pytest.raises(TypeError, match="table_stream"):
            ServerlessApi(stack, "Api", **kwargs)
        return
    with pytest.raises(ValueError, match=message):
        ServerlessApi(stack, "Api", **kwargs)


def test_created_table_streams_its_changes_when_asked(stack: cdk.Stack, code_dir: Path) -> None:
    """A stream's consumer can read the created table's stream (the mapping needs its ARN)."""
    consumer = ServerlessFunction(stack, "Consumer", code_path=code_dir)
    api = ServerlessApi(
        stack,
        "Api",
        partition_key=KEY,
        table_stream=dynamodb.StreamViewType.NEW_IMAGE,
        routes=[Route("GET", "/a", consumer, "read")],
    )
    assert api.table is not None
    assert api.table.table_stream_arn is not None
    api.table.grant_stream_read(consumer.function)
    plain = cdk.Stack(stack.node.scope, "Plain")  # type: ignore[arg-type]
    reader = ServerlessFunction(plain, "Reader", code_path=code_dir)
    ServerlessApi(plain, "Api", partition_key=KEY, routes=[Route("GET", "/a", reader)])
    [table] = resources(Template.from_stack(stack), "AWS::DynamoDB::Table")
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    [table] = resources(Template.from_stack(plain), "AWS::DynamoDB::Table")
    assert "StreamSpecification" not in table["Properties"]


def test_only_get_routes_can_be_cacheable(fn: ServerlessFunction) -> None:
    with pytest.raises(ValueError, match="only GET routes can be cacheable"):
        Route("POST", "/orders", fn, cacheable=True)
