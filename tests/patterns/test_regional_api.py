"""``ApiCustomDomain`` and ``RegionalApiRecord``: a regional API behind a shared name."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from patterns import ApiCustomDomain, RegionalApiRecord
from tests.support.cdk_app import cli_context
from tests.support.templates import properties

CERT_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"


@pytest.fixture
def zone(stack: cdk.Stack) -> route53.IHostedZone:
    return route53.PublicHostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z0123EXAMPLE", zone_name="example.com"
    )


@pytest.fixture
def api_stage(stack: cdk.Stack) -> apigateway.Stage:
    api = apigateway.RestApi(stack, "Api", deploy_options=apigateway.StageOptions(stage_name="v1"))
    api.root.add_method("GET")
    return api.deployment_stage


def imported_stage(stack: cdk.Stack) -> apigateway.IStage:
    api = apigateway.RestApi.from_rest_api_id(stack, "Imported", "a1b2c3d4e5")
    return apigateway.Stage.from_stage_attributes(
        stack, "ImportedStage", rest_api=api, stage_name="prod"
    )


def domain(stack: cdk.Stack, stage: apigateway.IStage, **kwargs: Any) -> ApiCustomDomain:
    kwargs.setdefault("domain_name", "api.example.com")
    return ApiCustomDomain(stack, "Domain", stage=stage, **kwargs)


# --- ApiCustomDomain ---------------------------------------------------------------


def test_domain_defaults_create_a_dns_validated_certificate_and_tls12(
    stack: cdk.Stack, zone: route53.IHostedZone, api_stage: apigateway.Stage
) -> None:
    created = domain(stack, api_stage, hosted_zone=zone)
    template = Template.from_stack(stack)
    cert = properties(template, "AWS::CertificateManager::Certificate")
    assert cert["DomainName"] == "api.example.com"
    assert cert["ValidationMethod"] == "DNS"
    assert cert["DomainValidationOptions"] == [
        {"DomainName": "api.example.com", "HostedZoneId": "Z0123EXAMPLE"}
    ]
    props = properties(template, "AWS::ApiGateway::DomainName")
    assert props["SecurityPolicy"] == "TLS_1_2"
    assert props["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert props["RegionalCertificateArn"] == {
        "Ref": stack.get_logical_id(_cfn(created.certificate))
    }
    mapping = properties(template, "AWS::ApiGateway::BasePathMapping")
    assert "BasePath" not in mapping
    assert mapping["Stage"] == {"Ref": stack.get_logical_id(_cfn(api_stage))}
    assert created.url == "https://api.example.com/"


def _cfn(construct: Any) -> cdk.CfnElement:
    child = construct.node.default_child
    assert isinstance(child, cdk.CfnElement)
    return child


def test_domain_with_existing_certificate_imported_stage_and_base_path(
    stack: cdk.Stack,
) -> None:
    certificate = acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN)
    created = domain(stack, imported_stage(stack), certificate=certificate, base_path="shop")
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::CertificateManager::Certificate", 0)
    assert properties(template, "AWS::ApiGateway::DomainName")["RegionalCertificateArn"] == (
        CERT_ARN
    )
    mapping = properties(template, "AWS::ApiGateway::BasePathMapping")
    assert (mapping["RestApiId"], mapping["Stage"], mapping["BasePath"]) == (
        "a1b2c3d4e5",
        "prod",
        "shop",
    )
    assert created.certificate is certificate
    assert created.url == "https://api.example.com/shop/"


def test_domain_escape_hatch_is_merged_last(
    stack: cdk.Stack, zone: route53.IHostedZone, api_stage: apigateway.Stage
) -> None:
    domain(
        stack,
        api_stage,
        hosted_zone=zone,
        domain_name_props={
            "mtls": apigateway.MTLSConfig(
                bucket=s3.Bucket.from_bucket_name(stack, "Trust", "truststore"), key="ca.pem"
            )
        },
    )
    props = properties(Template.from_stack(stack), "AWS::ApiGateway::DomainName")
    assert props["MutualTlsAuthentication"] == {"TruststoreUri": "s3://truststore/ca.pem"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"domain_name": "API.example.com"}, "domain_name must be a lower-case DNS name"),
        ({"domain_name": "localhost"}, "domain_name must be a lower-case DNS name"),
        ({"domain_name": "api.other.org"}, "not inside the hosted zone 'example.com'"),
        ({"base_path": "v1/shop"}, "base_path must be 1-128 letters"),
        ({"base_path": ""}, "base_path must be 1-128 letters"),
    ],
)
def test_domain_rejects_bad_arguments(
    stack: cdk.Stack,
    zone: route53.IHostedZone,
    api_stage: apigateway.Stage,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        domain(stack, api_stage, hosted_zone=zone, **kwargs)


def test_domain_needs_a_zone_or_a_certificate(
    stack: cdk.Stack, api_stage: apigateway.Stage
) -> None:
    with pytest.raises(ValueError, match=r"give hosted_zone .* or an existing certificate"):
        domain(stack, api_stage)


# --- RegionalApiRecord --------------------------------------------------------------


def record(
    stack: cdk.Stack,
    zone: route53.IHostedZone,
    stage: apigateway.IStage,
    **kwargs: Any,
) -> RegionalApiRecord:
    if "domain" not in kwargs:
        kwargs["domain"] = domain(stack, stage, hosted_zone=zone).domain
    return RegionalApiRecord(stack, "Record", hosted_zone=zone, stage=stage, **kwargs)


def test_record_defaults_to_latency_in_the_stacks_region_with_an_https_check(
    stack: cdk.Stack, zone: route53.IHostedZone, api_stage: apigateway.Stage
) -> None:
    created = record(stack, zone, api_stage)
    template = Template.from_stack(stack)
    props = properties(template, "AWS::Route53::RecordSet")
    assert (props["Type"], props["Region"], props["SetIdentifier"]) == (
        "A",
        "eu-west-1",
        "eu-west-1",
    )
    assert "Failover" not in props
    assert props["HostedZoneId"] == "Z0123EXAMPLE"
    assert props["HealthCheckId"] == {"Ref": stack.get_logical_id(_cfn(created.health_check))}
    domain_id = next(iter(template.find_resources("AWS::ApiGateway::DomainName")))
    assert props["AliasTarget"] == {
        "DNSName": {"Fn::GetAtt": [domain_id, "RegionalDomainName"]},
        "HostedZoneId": {"Fn::GetAtt": [domain_id, "RegionalHostedZoneId"]},
        "EvaluateTargetHealth": True,
    }
    assert props["Name"] == {"Fn::Join": ["", [{"Ref": domain_id}, "."]]}
    check = properties(template, "AWS::Route53::HealthCheck")["HealthCheckConfig"]
    api_id = next(iter(template.find_resources("AWS::ApiGateway::RestApi")))
    stage_id = stack.get_logical_id(_cfn(api_stage))
    assert check["Type"] == "HTTPS"
    assert check["Port"] == 443
    assert (check["FailureThreshold"], check["RequestInterval"]) == (3, 30)
    assert check["FullyQualifiedDomainName"] == {
        "Fn::Join": ["", [{"Ref": api_id}, ".execute-api.eu-west-1.", {"Ref": "AWS::URLSuffix"}]]
    }
    assert check["ResourcePath"] == {"Fn::Join": ["", ["/", {"Ref": stage_id}, "/health"]]}


@pytest.mark.parametrize(("role", "value"), [("primary", "PRIMARY"), ("secondary", "SECONDARY")])
def test_failover_records_carry_their_role(
    stack: cdk.Stack,
    zone: route53.IHostedZone,
    api_stage: apigateway.Stage,
    role: str,
    value: str,
) -> None:
    record(stack, zone, api_stage, routing="failover", failover_role=role)
    props = properties(Template.from_stack(stack), "AWS::Route53::RecordSet")
    assert (props["Failover"], props["SetIdentifier"]) == (value, role)
    assert "Region" not in props


def test_record_for_an_imported_domain_and_stage_with_explicit_options(
    stack: cdk.Stack, zone: route53.IHostedZone
) -> None:
    imported = apigateway.DomainName.from_domain_name_attributes(
        stack,
        "ImportedDomain",
        domain_name="api.example.com",
        domain_name_alias_hosted_zone_id="Z2OJLYMUO9EFXC",
        domain_name_alias_target="d-abc123.execute-api.us-west-2.amazonaws.com",
    )
    record(
        stack,
        zone,
        imported_stage(stack),
        domain=imported,
        region="us-west-2",
        set_identifier="oregon",
        health_path="/ping",
        failure_threshold=2,
        request_interval=10,
        record_props={"comment": "Oregon"},
    )
    template = Template.from_stack(stack)
    props = properties(template, "AWS::Route53::RecordSet")
    assert props["Name"] == "api.example.com."
    assert (props["Region"], props["SetIdentifier"], props["Comment"]) == (
        "us-west-2",
        "oregon",
        "Oregon",
    )
    assert props["AliasTarget"]["DNSName"] == "d-abc123.execute-api.us-west-2.amazonaws.com"
    check = properties(template, "AWS::Route53::HealthCheck")["HealthCheckConfig"]
    assert check["ResourcePath"] == "/prod/ping"
    assert (check["FailureThreshold"], check["RequestInterval"]) == (2, 10)
    assert check["FullyQualifiedDomainName"] == {
        "Fn::Join": ["", ["a1b2c3d4e5.execute-api.us-west-2.", {"Ref": "AWS::URLSuffix"}]]
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"routing": "weighted"}, "routing must be one of failover, latency; got 'weighted'"),
        ({"routing": "failover"}, "needs failover_role 'primary' or 'secondary'"),
        (
            {"routing": "failover", "failover_role": "backup"},
            "failover_role must be one of primary, secondary; got 'backup'",
        ),
        ({"failover_role": "primary"}, "failover_role is only for routing='failover'"),
        ({"health_path": "health"}, "health_path must start with '/'"),
        ({"failure_threshold": 11}, "failure_threshold must be between 1 and 10"),
        ({"request_interval": 15}, "request_interval must be 10 or 30"),
    ],
)
def test_record_rejects_bad_arguments(
    stack: cdk.Stack,
    zone: route53.IHostedZone,
    api_stage: apigateway.Stage,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        record(stack, zone, api_stage, **kwargs)


def test_record_rejects_a_domain_outside_the_zone(
    stack: cdk.Stack, zone: route53.IHostedZone, api_stage: apigateway.Stage
) -> None:
    outside = apigateway.DomainName.from_domain_name_attributes(
        stack,
        "Outside",
        domain_name="api.other.org",
        domain_name_alias_hosted_zone_id="Z2OJLYMUO9EFXC",
        domain_name_alias_target="d-abc123.execute-api.eu-west-1.amazonaws.com",
    )
    with pytest.raises(ValueError, match=r"domain 'api\.other\.org' is not inside the hosted zone"):
        record(stack, zone, api_stage, domain=outside)


def test_latency_record_in_an_environment_agnostic_stack_needs_a_region() -> None:
    app = cdk.App(context=cli_context())
    agnostic = cdk.Stack(app, "Agnostic")
    zone = route53.PublicHostedZone.from_hosted_zone_attributes(
        agnostic, "Zone", hosted_zone_id="Z0123EXAMPLE", zone_name="example.com"
    )
    stage = imported_stage(agnostic)
    shared = domain(agnostic, stage, hosted_zone=zone).domain
    with pytest.raises(ValueError, match="a latency record needs a known region"):
        record(agnostic, zone, stage, domain=shared)
    # Failover records need no region, and a given region is enough for latency.
    RegionalApiRecord(
        agnostic,
        "Failover",
        domain=shared,
        hosted_zone=zone,
        stage=stage,
        routing="failover",
        failover_role="primary",
    )
    RegionalApiRecord(
        agnostic, "Latency", domain=shared, hosted_zone=zone, stage=stage, region="eu-central-1"
    )
    regions = sorted(
        str(r["Properties"].get("Region", r["Properties"].get("Failover")))
        for r in Template.from_stack(agnostic).find_resources("AWS::Route53::RecordSet").values()
    )
    assert regions == ["PRIMARY", "eu-central-1"]
