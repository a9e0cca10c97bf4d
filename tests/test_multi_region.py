"""Prod's API in two regions: one custom domain, latency records, health checks, replicas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tools.assembly import StackArtifact

DOMAIN = "api.shop.example.com"
ZONE_ID = "Z0123456789EXAMPLE"
REGIONS = {"Prod/Web": "us-east-1", "Prod/WebSecondary": "us-west-2"}


def of_type(stack: StackArtifact, kind: str) -> list[dict[str, Any]]:
    return [r for r in stack.template()["Resources"].values() if r["Type"] == kind]


def one(stack: StackArtifact, kind: str) -> dict[str, Any]:
    """The API's one resource of ``kind`` (the storefront's own domain records and
    certificate, in Prod's primary region, are not the API's)."""
    [found] = [
        r
        for k, r in stack.template()["Resources"].items()
        if r["Type"] == kind and not k.startswith("Storefront")
    ]
    props: dict[str, Any] = found["Properties"]
    return props


def test_the_secondary_stack_deploys_to_the_secondary_region(assembly_dir: Path) -> None:
    manifest = json.loads((assembly_dir / "assembly-Prod" / "manifest.json").read_text())
    environments = {
        a["displayName"]: a["environment"]
        for a in manifest["artifacts"].values()
        if a["type"] == "aws:cloudformation:stack"
    }
    assert environments["Prod/Web"] == "aws://111111111111/us-east-1"
    assert environments["Prod/WebSecondary"] == "aws://111111111111/us-west-2"


@pytest.mark.parametrize("name", sorted(REGIONS))
def test_each_region_serves_the_one_domain_behind_a_latency_record(
    stack_artifacts: dict[str, StackArtifact], name: str
) -> None:
    stack, region = stack_artifacts[name], REGIONS[name]
    domain = one(stack, "AWS::ApiGateway::DomainName")
    assert domain["DomainName"] == DOMAIN
    assert (domain["SecurityPolicy"], domain["EndpointConfiguration"]) == (
        "TLS_1_2",
        {"Types": ["REGIONAL"]},
    )
    certificate = one(stack, "AWS::CertificateManager::Certificate")
    assert certificate["DomainValidationOptions"] == [
        {"DomainName": DOMAIN, "HostedZoneId": ZONE_ID}
    ]
    record = one(stack, "AWS::Route53::RecordSet")
    assert (record["HostedZoneId"], record["Region"], record["SetIdentifier"]) == (
        ZONE_ID,
        region,
        region,
    )
    assert record["AliasTarget"]["EvaluateTargetHealth"] is True
    check = one(stack, "AWS::Route53::HealthCheck")["HealthCheckConfig"]
    assert check["Type"] == "HTTPS"
    [prefix, _, suffix] = check["FullyQualifiedDomainName"]["Fn::Join"][1]
    assert (prefix, suffix) == ({"Ref": "Api9AF3637B"}, {"Ref": "AWS::URLSuffix"})
    assert check["ResourcePath"]["Fn::Join"][1][-1] == "/health"
    assert record["HealthCheckId"] == {"Ref": next(iter(_ids(stack, "AWS::Route53::HealthCheck")))}


def _ids(stack: StackArtifact, kind: str) -> list[str]:
    return [k for k, r in stack.template()["Resources"].items() if r["Type"] == kind]


@pytest.mark.parametrize("name", sorted(REGIONS))
def test_the_health_route_is_public_and_served_by_the_product_function(
    stack_artifacts: dict[str, StackArtifact], name: str
) -> None:
    stack = stack_artifacts[name]
    resources = stack.template()["Resources"]
    [health] = [k for k, r in resources.items() if r["Properties"].get("PathPart") == "health"]
    [method] = [
        r["Properties"]
        for r in of_type(stack, "AWS::ApiGateway::Method")
        if r["Properties"]["ResourceId"] == {"Ref": health}
        and r["Properties"]["HttpMethod"] == "GET"
    ]
    assert method["AuthorizationType"] == "NONE"
    assert not method.get("ApiKeyRequired", False)
    assert "ProductsAlias" in json.dumps(method["Integration"]["Uri"])


def test_single_region_stages_have_no_health_route_or_dns(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    for stage in ("Dev", "Staging"):
        stack = stack_artifacts[f"{stage}/Web"]
        text = json.dumps(stack.template())
        assert '"PathPart": "health"' not in text
        assert not of_type(stack, "AWS::Route53::RecordSet")
        assert not of_type(stack, "AWS::DynamoDB::GlobalTable")
        assert f"{stage}/WebSecondary" not in stack_artifacts


def test_the_secondary_api_uses_the_replicas_and_the_primary_user_pool(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    primary, secondary = stack_artifacts["Prod/Web"], stack_artifacts["Prod/WebSecondary"]
    names = {
        logical_id: r["Properties"]["TableName"]
        for logical_id, r in primary.template()["Resources"].items()
        if r["Type"] == "AWS::DynamoDB::GlobalTable"
    }
    functions = {
        k: r["Properties"]["Environment"]["Variables"]
        for k, r in secondary.template()["Resources"].items()
        # (CDK's handler that closes the VPC's default security group has no environment.)
        if r["Type"] == "AWS::Lambda::Function" and "Environment" in r["Properties"]
    }
    products = next(v for k, v in functions.items() if k.startswith("Products"))
    orders = next(v for k, v in functions.items() if k.startswith("Orders"))
    assert products["TABLE_NAME"] == names["ApiGlobalTable93D7F737"]
    assert orders["IDEMPOTENCY_TABLE"] == names["IdempotencyStrongTable14734F45"]
    assert not of_type(secondary, "AWS::DynamoDB::GlobalTable")
    assert not of_type(secondary, "AWS::Cognito::UserPool")
    [provider] = one(secondary, "AWS::ApiGateway::Authorizer")["ProviderARNs"]
    assert provider["Fn::GetStackOutput"]["Region"] == "us-east-1"
    # The secondary's alarms notify its own region's topic.
    [topic] = _ids(secondary, "AWS::SNS::Topic")
    assert all(
        a["Properties"]["AlarmActions"] == [{"Ref": topic}]
        for a in of_type(secondary, "AWS::CloudWatch::Alarm")
    )


def test_the_storefront_calls_the_api_on_its_custom_domain(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    outputs = stack_artifacts["Prod/Web"].template()["Outputs"]
    assert outputs["ApiUrl"]["Value"] == f"https://{DOMAIN}/"


def test_failover_routing_makes_the_primary_region_primary(tmp_path: Path) -> None:
    from app import build_app
    from tests.support.cdk_app import cli_context, new_app
    from tools.assembly import stacks

    prod = {**cli_context()["stages"]["prod"], "api_routing": "failover"}
    app = new_app(tmp_path, stages={"prod": prod}, stage="prod")
    build_app(app)
    app.synth()
    synthesized = {s.display_name: s for s in stacks(tmp_path)}
    roles = {
        name: (one(synthesized[name], "AWS::Route53::RecordSet").get("Failover"))
        for name in REGIONS
    }
    assert roles == {"Prod/Web": "PRIMARY", "Prod/WebSecondary": "SECONDARY"}
    assert "Region" not in one(synthesized["Prod/WebSecondary"], "AWS::Route53::RecordSet")
