"""The synthesized ``Web`` stack: what the shop's storefront and API are made of."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.templates import logical_ids_by_type
from tools.assembly import StackArtifact


def of_type(stack: StackArtifact, kind: str) -> dict[str, Any]:
    return {
        logical_id: resource
        for logical_id, resource in stack.template()["Resources"].items()
        if resource["Type"] == kind
    }


@pytest.fixture
def dev(stack_artifacts: dict[str, StackArtifact]) -> StackArtifact:
    return stack_artifacts["Dev/Web"]


def test_routes_and_their_auth(dev: StackArtifact) -> None:
    resources = of_type(dev, "AWS::ApiGateway::Resource")

    def path(resource_id: Any) -> str:
        if "Ref" not in resource_id:
            return ""
        props = resources[resource_id["Ref"]]["Properties"]
        return f"{path(props['ParentId'])}/{props['PathPart']}"

    found = {}
    for method in of_type(dev, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if props["HttpMethod"] == "OPTIONS" or props["RestApiId"] != {"Ref": "Api9AF3637B"}:
            continue
        found[(props["HttpMethod"], path(props["ResourceId"]))] = (
            props["AuthorizationType"],
            props.get("ApiKeyRequired", False),
        )
    # The storefront reads the catalogue without a key (a page cannot keep one secret);
    # partners read the same with their key, metered by the Partner usage plan.
    assert found == {
        ("GET", "/products"): ("NONE", False),
        ("GET", "/products/{sku}"): ("NONE", False),
        ("GET", "/partner/products"): ("NONE", True),
        ("GET", "/partner/products/{sku}"): ("NONE", True),
        ("POST", "/products"): ("COGNITO_USER_POOLS", False),
        ("POST", "/orders"): ("COGNITO_USER_POOLS", False),
        ("GET", "/orders/{order_id}"): ("COGNITO_USER_POOLS", False),
        # Admins only: the review handler requires the admin group.
        ("POST", "/orders/{order_id}/review"): ("COGNITO_USER_POOLS", False),
        ("GET", "/live-token"): ("COGNITO_USER_POOLS", False),
    }


def test_one_invoke_permission_per_function(dev: StackArtifact) -> None:
    permissions = of_type(dev, "AWS::Lambda::Permission")
    targets = sorted(
        p["Properties"]["FunctionName"]["Ref"]
        for p in permissions.values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    )
    assert len(targets) == 4
    assert targets[0].startswith("LiveTokensAlias")
    assert targets[1].startswith("OrdersAlias")
    assert targets[2].startswith("ProductsAlias")
    assert targets[3].startswith("ReviewerAlias")


def test_partner_plan_meters_product_reads(dev: StackArtifact) -> None:
    (plan,) = of_type(dev, "AWS::ApiGateway::UsagePlan").values()
    assert plan["Properties"]["Quota"] == {"Limit": 100000, "Period": "MONTH"}
    assert plan["Properties"]["Throttle"] == {"BurstLimit": 20, "RateLimit": 10}
    assert len(of_type(dev, "AWS::ApiGateway::ApiKey")) == 1


def test_waf_cognito_admin_group_and_idempotency_table(dev: StackArtifact) -> None:
    # One web ACL (so one rate rule per IP) protects the shop API, the storefront's
    # events API and the catalogue's GraphQL API alike.
    associations = [a["Properties"] for a in of_type(dev, "AWS::WAFv2::WebACLAssociation").values()]
    assert {json.dumps(a["WebACLArn"]) for a in associations} == {
        json.dumps({"Fn::GetAtt": ["ApiWebAcl796CF128", "Arn"]})
    }
    rest = [a for a in associations if "Fn::Join" in a["ResourceArn"]]
    stages = {a["ResourceArn"]["Fn::Join"][1][-1]["Ref"] for a in rest}
    assert {stage[:-8] for stage in stages if stage.startswith("Api")} == {"ApiDeploymentStagev1"}
    assert len(stages) == 2
    (graphql,) = [a["ResourceArn"] for a in associations if a not in rest]
    (api,) = of_type(dev, "AWS::AppSync::GraphQLApi")
    assert graphql == {"Fn::GetAtt": [api, "Arn"]}
    (group,) = of_type(dev, "AWS::Cognito::UserPoolGroup").values()
    assert group["Properties"]["GroupName"] == "admin"
    tables = of_type(dev, "AWS::DynamoDB::Table")
    idempotency = next(t for i, t in tables.items() if i.startswith("IdempotencyTable"))
    assert idempotency["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expiration",
        "Enabled": True,
    }
    functions = of_type(dev, "AWS::Lambda::Function")
    orders = next(f for i, f in functions.items() if i.startswith("Orders"))
    variables = orders["Properties"]["Environment"]["Variables"]
    assert {"TABLE_NAME", "IDEMPOTENCY_TABLE", "ALLOWED_ORIGIN"} <= set(variables)


def _rendered(value: Any) -> str:
    """A marker's value with each reference as ``<logical id>``."""
    parts = value["Fn::Join"][1] if isinstance(value, dict) and "Fn::Join" in value else [value]

    def one(part: Any) -> str:
        if isinstance(part, str):
            return part
        if "Fn::GetStackOutput" in part:  # another stack's output
            output = part["Fn::GetStackOutput"]
            return f"<{output['StackName']}:{output['OutputName']}>"
        return f"<{part['Ref']}>" if "Ref" in part else f"<{part['Fn::GetAtt'][0]}>"

    return "".join(one(p) for p in parts)


def test_storefront_gets_its_files_and_its_config(dev: StackArtifact) -> None:
    (deployment,) = of_type(dev, "Custom::CDKBucketDeployment").values()
    props = deployment["Properties"]
    assert len(props["SourceObjectKeys"]) == 2
    assert props["DistributionPaths"] == ["/*"]
    # The second source is config.json, its deployment-time values as markers.
    asset = dev.template_path.parent.parent / f"asset.{props['SourceObjectKeys'][1][:-4]}"
    text = (asset / "config.json").read_text()
    for marker, value in props["SourceMarkers"][1].items():
        text = text.replace(marker, _rendered(value))
    config = json.loads(text)
    resources = dev.template()["Resources"]
    kind = {f"<{logical_id}>": r["Type"] for logical_id, r in resources.items()}
    assert config["stage"] == "dev"
    assert config["apiUrl"].startswith("https://<Api9AF3637B>.execute-api.<AWS::Region>.")
    assert kind[config["userPoolId"]] == "AWS::Cognito::UserPool"
    assert kind[config["userPoolClientId"]] == "AWS::Cognito::UserPoolClient"
    assert config["region"] == "<AWS::Region>"
    assert config["cognitoEndpoint"] == "https://cognito-idp.<AWS::Region>.<AWS::URLSuffix>/"
    events_api = config["ingestUrl"].removeprefix("https://").split(".")[0]
    assert events_api.startswith("<StorefrontEvents")
    assert kind[events_api] == "AWS::ApiGateway::RestApi"
    # The page puts its events into the Streaming stack's stream with identity-pool
    # credentials (tests/test_shopper_identity.py); Dev counts guests' events too.
    assert kind[config["identityPoolId"]] == "AWS::Cognito::IdentityPool"
    assert config["eventsStream"].startswith("<Dev-Streaming:")
    assert "EventsStream" in config["eventsStream"]
    assert config["guestEvents"] == "true"
    for key, service in (("identityEndpoint", "cognito-identity"), ("kinesisEndpoint", "kinesis")):
        assert config[key] == f"https://{service}.<AWS::Region>.<AWS::URLSuffix>/"
    # The dashboard's WebSocket URL is the Streaming stack's (tests/test_live_dashboard_wiring).
    assert config["liveUrl"].startswith("wss://<Dev-Streaming:")
    # The page signs in with USER_PASSWORD_AUTH: that client must allow it.
    client = resources[config["userPoolClientId"].strip("<>")]["Properties"]
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]


def test_stage_settings_follow_the_config(stack_artifacts: dict[str, StackArtifact]) -> None:
    def shop_table(stage: str, kind: str = "AWS::DynamoDB::Table") -> dict[str, Any]:
        tables = of_type(stack_artifacts[f"{stage}/Web"], kind)
        return next(t for i, t in tables.items() if i.startswith("Api"))

    assert shop_table("Dev")["DeletionPolicy"] == "Delete"
    assert shop_table("Dev")["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": False
    }
    # Prod names a secondary region: its table is a global table, protected per replica.
    prod = shop_table("Prod", "AWS::DynamoDB::GlobalTable")
    assert prod["DeletionPolicy"] == "Retain"
    assert {
        json.dumps(r["PointInTimeRecoverySpecification"]) for r in prod["Properties"]["Replicas"]
    } == {'{"PointInTimeRecoveryEnabled": true}'}


def test_api_alarms_notify_the_operations_topic(dev: StackArtifact) -> None:
    alarms = of_type(dev, "AWS::CloudWatch::Alarm")
    api_alarms = [a for i, a in alarms.items() if i.startswith("Api")]
    assert len(api_alarms) == 7  # 5XX and 4XX rates, p99 latency, throttles of 4 functions
    assert all(a["Properties"]["AlarmActions"] for a in api_alarms)


#: Resources whose replacement loses data, keys or users; their logical ids must not move.
STATEFUL = {
    "AWS::DynamoDB::Table": ["ApiTableDB4CD73A", "IdempotencyTable22A5A209"],
    "AWS::S3::Bucket": ["StorefrontBucket67E1A02B", "StorefrontLogBucketF4BB9D1F"],
    "AWS::Cognito::UserPool": ["ApiUserPool5AB2526B"],
    "AWS::Cognito::UserPoolGroup": ["AdminGroup"],
    "AWS::ApiGateway::ApiKey": ["ApiPartnerExamplePartnerApiKeyF1003F2C"],
    "AWS::ApiGateway::RestApi": ["Api9AF3637B", "StorefrontEventsC98E92E7"],
    "AWS::CloudFront::Distribution": ["StorefrontE514317C"],
    "AWS::Logs::LogGroup": [
        "ApiAccessLogs50B185DB",
        "ApiWebAclLogs1F45C32F",
        "CatalogGraphqlLogs8220F30D",
        "CustomCDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756CLogGroup817B64E9",
        "LiveTokensLogGroup0139C5BE",
        "OrderReviewInboxFunctionLogGroup5DC52AFC",
        "OrderReviewWorkflowLogGroup51677E8B",
        "OrdersLogGroupE26395F1",
        "ProductsLogGroup9D53593E",
        "PurchaseEventsEmitterLogGroup2F00778D",
        "ReviewerLogGroup3342AC4A",
        "StorefrontEventsAccessLogs6E2E6A28",
    ],
}


#: The traffic checks' logs (stages with ``traffic_checks``).
TRAFFIC_CHECK_LOGS = ["OrdersTrafficCheckLogGroupE23BE728", "ProductsTrafficCheckLogGroupA94C6145"]
STAGING_STATEFUL = {
    **STATEFUL,
    "AWS::Logs::LogGroup": sorted([*STATEFUL["AWS::Logs::LogGroup"], *TRAFFIC_CHECK_LOGS]),
}
#: Prod (with a secondary region): global tables instead, the storefront's web ACL logs
#: (CloudFront web ACLs exist in us-east-1 only, where prod's example env puts it) and the
#: idempotency sweep's logs. The order keys moved from ``IdempotencyGlobalTable608E9642``
#: (eventual) to a strongly consistent table: a table's consistency mode is fixed when it
#: is created, and the retained old table holds only day-long records (see the README).
PROD_STATEFUL = {
    **STATEFUL,
    "AWS::DynamoDB::Table": [],
    "AWS::DynamoDB::GlobalTable": ["ApiGlobalTable93D7F737", "IdempotencyStrongTable14734F45"],
    "AWS::Logs::LogGroup": sorted(
        [
            *STATEFUL["AWS::Logs::LogGroup"],
            *TRAFFIC_CHECK_LOGS,
            "IdempotencySweeperFunctionLogGroupFA6BDC2D",
            "StorefrontWebAclLogs8C072E5E",
        ]
    ),
}
#: Prod's API in the secondary region: the same ids, plus its own operations topic.
SECONDARY_STATEFUL = {
    "AWS::DynamoDB::Table": [],
    "AWS::ApiGateway::ApiKey": STATEFUL["AWS::ApiGateway::ApiKey"],
    "AWS::ApiGateway::RestApi": ["Api9AF3637B"],
    "AWS::ApiGateway::DomainName": ["ApiDomainA5F226B2"],
    # QueuesKey: the traffic checks' dead-letter queues.
    "AWS::KMS::Key": [
        "FunctionsKeyC337A2C1",
        "LogsKeyA6AB43B2",
        "NotificationsKeyADCFA950",
        "QueuesKey8CBF3E72",
    ],
    "AWS::SNS::Topic": ["NotificationsTopicAE679CBD"],
    "AWS::Logs::LogGroup": sorted(
        [
            "ApiAccessLogs50B185DB",
            "ApiWebAclLogs1F45C32F",
            "NetworkFlowLogs2BEC3212",
            "OrdersLogGroupE26395F1",
            "ProductsLogGroup9D53593E",
            *TRAFFIC_CHECK_LOGS,
        ]
    ),
}


@pytest.mark.parametrize(
    ("name", "pinned"),
    [
        ("Dev/Web", STATEFUL),
        ("Staging/Web", STAGING_STATEFUL),
        ("Prod/Web", PROD_STATEFUL),
        ("Prod/WebSecondary", SECONDARY_STATEFUL),
    ],
)
def test_stateful_logical_ids_are_pinned(
    stack_artifacts: dict[str, StackArtifact], name: str, pinned: dict[str, list[str]]
) -> None:
    found = logical_ids_by_type(stack_artifacts[name], pinned)
    assert found == pinned
