"""Which TLS versions Prod's storefront accepts, and from which region its certificate is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks import resolve_stages
from tests.support.cdk_app import cli_context
from tests.support.manifest import stage_stacks

[PROD] = resolve_stages(cli_context()["stages"], only="prod")
#: Oldest TLS version each CloudFront viewer security policy accepts (CloudFront developer
#: guide, "Supported protocols and ciphers between viewers and CloudFront").
POLICY_MINIMUM = {
    "TLSv1": (1, 0),
    "TLSv1_2016": (1, 0),
    "TLSv1.1_2016": (1, 1),
    "TLSv1.2_2018": (1, 2),
    "TLSv1.2_2019": (1, 2),
    "TLSv1.2_2021": (1, 2),
    "TLSv1.2_2025": (1, 2),
    "TLSv1.3_2025": (1, 3),
}
TLS_VERSIONS = ((1, 0), (1, 1), (1, 2), (1, 3))


def accepted_tls(viewer_certificate: dict[str, Any]) -> set[tuple[int, int]]:
    """The TLS versions a viewer may connect with: the ``*.cloudfront.net`` certificate
    always allows TLSv1 (its security policy cannot be chosen)."""
    if viewer_certificate.get("CloudFrontDefaultCertificate"):
        return set(TLS_VERSIONS)
    minimum = POLICY_MINIMUM[viewer_certificate.get("MinimumProtocolVersion", "TLSv1")]
    return {v for v in TLS_VERSIONS if v >= minimum}


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


@pytest.fixture(scope="module")
def web(assembly_dir: Path) -> dict[str, Any]:
    return stage_stacks(assembly_dir, "Prod")["Prod/Web"]


def test_prod_storefront_refuses_tls_1_0_and_1_1(web: dict[str, Any]) -> None:
    (distribution,) = _of_type(web["template"], "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert accepted_tls(config["ViewerCertificate"]) == {(1, 2), (1, 3)}
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    assert config["Aliases"] == [PROD.storefront_domain_name]


def test_prod_storefront_certificate_is_in_us_east_1_and_covers_the_name(
    web: dict[str, Any],
) -> None:
    template = web["template"]
    (distribution,) = _of_type(template, "AWS::CloudFront::Distribution").values()
    reference = distribution["Properties"]["DistributionConfig"]["ViewerCertificate"]
    certificate = template["Resources"][reference["AcmCertificateArn"]["Ref"]]
    # Made in the Web stack, so in the Web stack's region, which CloudFront must accept.
    assert certificate["Type"] == "AWS::CertificateManager::Certificate"
    assert web["region"] == "us-east-1"
    props = certificate["Properties"]
    assert props["DomainName"] == PROD.storefront_domain_name
    assert props["ValidationMethod"] == "DNS"
    assert props["DomainValidationOptions"] == [
        {"DomainName": PROD.storefront_domain_name, "HostedZoneId": PROD.hosted_zone_id}
    ]


def test_the_storefront_name_resolves_to_the_distribution(web: dict[str, Any]) -> None:
    template = web["template"]
    (distribution_id,) = _of_type(template, "AWS::CloudFront::Distribution")
    records = [
        r["Properties"]
        for r in _of_type(template, "AWS::Route53::RecordSet").values()
        if r["Properties"]["Name"] == f"{PROD.storefront_domain_name}."
    ]
    assert sorted(r["Type"] for r in records) == ["A", "AAAA"]
    for record in records:
        assert record["HostedZoneId"] == PROD.hosted_zone_id
        assert record["AliasTarget"]["DNSName"] == {"Fn::GetAtt": [distribution_id, "DomainName"]}


def test_the_default_certificate_is_read_as_accepting_old_tls() -> None:
    assert accepted_tls({"CloudFrontDefaultCertificate": True}) == set(TLS_VERSIONS)
    assert accepted_tls({"AcmCertificateArn": "x", "MinimumProtocolVersion": "TLSv1.1_2016"}) == {
        (1, 1),
        (1, 2),
        (1, 3),
    }


@pytest.mark.parametrize("name", ["Prod/Web", "Prod/WebSecondary"])
def test_the_api_lets_pages_from_the_storefront_name_call_it(assembly_dir: Path, name: str) -> None:
    template = stage_stacks(assembly_dir, "Prod")[name]["template"]
    origins = {
        r["Properties"]["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
        for r in _of_type(template, "AWS::ApiGateway::GatewayResponse").values()
    }
    assert origins == {f"'https://{PROD.storefront_domain_name}'"}
