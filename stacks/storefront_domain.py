"""The storefront's custom domain: a certificate CloudFront can use, and its DNS records."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from constructs import Construct

from stacks.config import StageConfig
from stacks.config_checks import CLOUDFRONT_CERTIFICATE_REGION


@dataclass(frozen=True)
class StorefrontDomain:
    """The name, its certificate and the zone that holds both's records."""

    name: str
    certificate: acm.ICertificate
    zone: route53.IHostedZone

    def add_records(self, scope: Construct, distribution: cloudfront.IDistribution) -> None:
        """Point the name at ``distribution`` (IPv4 and IPv6 alias records)."""
        target = route53.RecordTarget.from_alias(targets.CloudFrontTarget(distribution))
        route53.ARecord(
            scope, "StorefrontRecord", zone=self.zone, record_name=self.name, target=target
        )
        route53.AaaaRecord(
            scope, "StorefrontRecordV6", zone=self.zone, record_name=self.name, target=target
        )


def storefront_domain(scope: Construct, config: StageConfig) -> StorefrontDomain | None:
    """The stage's storefront domain with a DNS-validated certificate made in ``scope``'s
    stack, which must be in us-east-1 (CloudFront's certificates live there); ``None``
    when the stage names no ``storefront_domain_name``."""
    name = config.storefront_domain_name
    if name is None:
        return None
    region = cdk.Stack.of(scope).region
    if region != CLOUDFRONT_CERTIFICATE_REGION:
        raise ValueError(
            f"storefront_domain_name {name!r} needs the storefront's stack in "
            f"{CLOUDFRONT_CERTIFICATE_REGION}, where CloudFront takes certificates from; "
            f"got region {region!r}"
        )
    assert config.hosted_zone_id is not None
    assert config.hosted_zone_name is not None
    zone = route53.PublicHostedZone.from_hosted_zone_attributes(
        scope,
        "StorefrontZone",
        hosted_zone_id=config.hosted_zone_id,
        zone_name=config.hosted_zone_name,
    )
    certificate = acm.Certificate(
        scope,
        "StorefrontCertificate",
        domain_name=name,
        validation=acm.CertificateValidation.from_dns(zone),
    )
    return StorefrontDomain(name=name, certificate=certificate, zone=zone)
