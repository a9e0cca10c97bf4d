from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk.assertions import Match, Template

from patterns import StaticWebsite

CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc"


def distribution_config(template: Template) -> dict[str, Any]:
    found = template.find_resources("AWS::CloudFront::Distribution")
    assert len(found) == 1
    config: dict[str, Any] = next(iter(found.values()))["Properties"]["DistributionConfig"]
    return config


def acknowledged(site: StaticWebsite) -> set[str]:
    stack = cdk.Stack.of(site)
    Template.from_stack(stack)  # acknowledgements are recorded as metadata at synthesis
    rules: set[str] = set()
    for entry in site.distribution.node.metadata:
        if entry.type == "aws:cdk:acknowledged-rules":
            rules.update(rule.split("::", 1)[-1] for rule in entry.data)
    return rules


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>t</title>")
    return folder


def test_defaults_private_bucket_oac_https_headers_spa_and_logs(stack: cdk.Stack) -> None:
    site = StaticWebsite(stack, "Site")
    template = Template.from_stack(stack)
    config = distribution_config(template)

    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    assert "ResponseHeadersPolicyId" in behavior
    assert config["DefaultRootObject"] == "index.html"
    assert config["PriceClass"] == "PriceClass_100"
    assert config["HttpVersion"] == "http2and3"
    assert "ViewerCertificate" not in config
    assert config["Logging"]["Prefix"] == "cloudfront/"
    assert sorted(r["ErrorCode"] for r in config["CustomErrorResponses"]) == [403, 404]
    assert {r["ResponsePagePath"] for r in config["CustomErrorResponses"]} == {"/index.html"}
    assert {r["ResponseCode"] for r in config["CustomErrorResponses"]} == {200}
    # Origin access control, not an origin access identity.
    origin = config["Origins"][0]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    template.resource_count_is("AWS::CloudFront::CloudFrontOriginAccessIdentity", 0)
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "s3:GetObject",
                                "Principal": {"Service": "cloudfront.amazonaws.com"},
                            }
                        )
                    ]
                )
            }
        },
    )
    # Site bucket logs into the log bucket, which allows CloudFront's ACL-based delivery.
    buckets = template.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 2
    site_bucket = next(b for b in buckets.values() if "LoggingConfiguration" in b["Properties"])
    assert site_bucket["Properties"]["LoggingConfiguration"]["LogFilePrefix"] == "s3/"
    log_bucket = next(
        b["Properties"] for b in buckets.values() if "LoggingConfiguration" not in b["Properties"]
    )
    assert log_bucket["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]
    }
    assert log_bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    expiry = log_bucket["LifecycleConfiguration"]["Rules"][0]
    assert expiry["ExpirationInDays"] == 365
    assert expiry["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    headers = template.find_resources("AWS::CloudFront::ResponseHeadersPolicy")
    security = next(iter(headers.values()))["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    assert security["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 63072000,
        "IncludeSubdomains": True,
        "Preload": True,
        "Override": True,
    }
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert site.url.startswith("https://")
    assert site.deployment is None
    template.resource_count_is("Custom::CDKBucketDeployment", 0)
    assert {"AwsSolutions-CFR1", "AwsSolutions-CFR2", "AwsSolutions-CFR4"} <= acknowledged(site)


def test_spa_fallback_can_be_changed_or_switched_off(stack: cdk.Stack) -> None:
    StaticWebsite(stack, "Custom", spa_fallback_path="/app.html", spa_fallback_status_codes=[404])
    StaticWebsite(stack, "Off", spa_fallback_path=None)
    configs = [
        r["Properties"]["DistributionConfig"]
        for r in Template.from_stack(stack).find_resources("AWS::CloudFront::Distribution").values()
    ]
    with_fallback = [c for c in configs if "CustomErrorResponses" in c]
    assert len(with_fallback) == 1
    assert with_fallback[0]["CustomErrorResponses"] == [
        {
            "ErrorCachingMinTTL": 10,
            "ErrorCode": 404,
            "ResponseCode": 200,
            "ResponsePagePath": "/app.html",
        }
    ]


def test_custom_domain_uses_certificate_and_tls12(stack: cdk.Stack) -> None:
    certificate = acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN)
    site = StaticWebsite(
        stack,
        "Site",
        domain_names=["shop.example.com", "www.shop.example.com"],
        certificate=certificate,
    )
    config = distribution_config(Template.from_stack(stack))
    assert config["Aliases"] == ["shop.example.com", "www.shop.example.com"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": CERT_ARN,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    assert site.url == "https://shop.example.com"
    assert "AwsSolutions-CFR4" not in acknowledged(site)


def test_geo_restriction_and_web_acl_replace_their_acknowledgements(stack: cdk.Stack) -> None:
    acl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/abc"
    site = StaticWebsite(
        stack,
        "Site",
        geo_restriction=cloudfront.GeoRestriction.allowlist("DE", "FR"),
        web_acl_arn=acl,
    )
    config = distribution_config(Template.from_stack(stack))
    assert config["WebACLId"] == acl
    assert config["Restrictions"]["GeoRestriction"] == {
        "Locations": ["DE", "FR"],
        "RestrictionType": "whitelist",
    }
    rules = acknowledged(site)
    assert "AwsSolutions-CFR1" not in rules
    assert "AwsSolutions-CFR2" not in rules


def test_existing_buckets_are_used_not_created(stack: cdk.Stack) -> None:
    bucket = s3.Bucket.from_bucket_name(stack, "Existing", "existing-site")
    logs = s3.Bucket.from_bucket_name(stack, "Logs", "existing-logs")
    site = StaticWebsite(stack, "Site", bucket=bucket, log_bucket=logs)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::S3::Bucket", 0)
    assert site.bucket is bucket
    assert site.log_bucket is logs
    config = distribution_config(template)
    assert config["Logging"]["Bucket"] == "existing-logs.s3.eu-west-1.amazonaws.com"


def test_content_folder_is_deployed_and_invalidated(stack: cdk.Stack, site_dir: Path) -> None:
    site = StaticWebsite(
        stack,
        "Site",
        content_path=site_dir,
        content_sources=[s3_deployment.Source.json_data("config.json", {"api": "x"})],
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    template = Template.from_stack(stack)
    assert site.deployment is not None
    deployments = template.find_resources("Custom::CDKBucketDeployment")
    assert len(deployments) == 1
    props = next(iter(deployments.values()))["Properties"]
    assert len(props["SourceObjectKeys"]) == 2
    assert props["DistributionPaths"] == ["/*"]
    assert props["Prune"] is True
    assert props["RetainOnDelete"] is False
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Delete"})
    template.resource_count_is("Custom::S3AutoDeleteObjects", 2)


def test_retained_site_keeps_deployed_files(stack: cdk.Stack, site_dir: Path) -> None:
    StaticWebsite(stack, "Site", content_path=site_dir)
    template = Template.from_stack(stack)
    props = next(iter(template.find_resources("Custom::CDKBucketDeployment").values()))
    assert props["Properties"]["RetainOnDelete"] is True
    template.resource_count_is("Custom::S3AutoDeleteObjects", 0)


def test_escape_hatch_is_merged_last(stack: cdk.Stack) -> None:
    StaticWebsite(stack, "Site", distribution_props={"enable_ipv6": False})
    assert distribution_config(Template.from_stack(stack))["IPV6Enabled"] is False


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"domain_names": ["shop.example.com"]}, ValueError, "need a certificate"),
        ({"domain_names": "shop.example.com"}, TypeError, "not a single string"),
        (
            {"domain_names": ["not a domain"], "certificate": "cert"},
            TypeError,
            "aws_certificatemanager.ICertificate",
        ),
        ({"spa_fallback_path": "index.html"}, ValueError, "must start with '/'"),
        ({"spa_fallback_status_codes": [200]}, ValueError, "error codes CloudFront can serve"),
        ({"spa_fallback_status_codes": [404, 404]}, ValueError, "duplicates"),
        ({"spa_fallback_path": None, "spa_fallback_status_codes": [404]}, ValueError, "need a"),
        ({"index_document": "/index.html"}, ValueError, "index_document"),
        ({"content_path": "/no/such/folder"}, ValueError, "existing folder"),
    ],
)
def test_bad_input_is_rejected(
    stack: cdk.Stack, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        StaticWebsite(stack, "Site", **kwargs)


def test_certificate_rules(stack: cdk.Stack) -> None:
    certificate = acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN)
    with pytest.raises(ValueError, match="domain_names is empty"):
        StaticWebsite(stack, "NoNames", certificate=certificate)
    with pytest.raises(ValueError, match="not a domain name"):
        StaticWebsite(stack, "BadName", domain_names=["shop"], certificate=certificate)
    elsewhere = acm.Certificate.from_certificate_arn(
        stack, "Regional", "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    )
    with pytest.raises(ValueError, match="must be in us-east-1"):
        StaticWebsite(stack, "RegionalSite", domain_names=["a.example.com"], certificate=elsewhere)


def test_content_added_after_construction_once(stack: cdk.Stack, site_dir: Path) -> None:
    site = StaticWebsite(stack, "Site")
    with pytest.raises(ValueError, match="needs content_path or sources"):
        site.add_content()
    deployment = site.add_content(
        site_dir, [s3_deployment.Source.json_data("config.json", {"url": site.url})]
    )
    assert site.deployment is deployment
    with pytest.raises(ValueError, match="already deploys content"):
        site.add_content(site_dir)
    Template.from_stack(stack).resource_count_is("Custom::CDKBucketDeployment", 1)


def test_waf_created_in_us_east_1() -> None:
    from tests.support.cdk_app import cli_context

    app = cdk.App(context=cli_context())
    stack = cdk.Stack(app, "Edge", env=cdk.Environment(account="123456789012", region="us-east-1"))
    site = StaticWebsite(stack, "Site", waf=True)
    template = Template.from_stack(stack)
    acl = next(iter(template.find_resources("AWS::WAFv2::WebACL").values()))["Properties"]
    assert acl["Scope"] == "CLOUDFRONT"
    template.resource_count_is("AWS::WAFv2::LoggingConfiguration", 1)
    assert [rule["Name"] for rule in acl["Rules"]][-1] == "RateLimitPerIp"
    assert "Fn::GetAtt" in distribution_config(template)["WebACLId"]
    assert site.web_acl is not None
    assert "AwsSolutions-CFR2" not in acknowledged(site)


def test_waf_elsewhere_or_twice_is_rejected(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"needs the stack in us-east-1.*got region eu-west-1"):
        StaticWebsite(stack, "Site", waf=True)
    with pytest.raises(ValueError, match="not both"):
        StaticWebsite(stack, "Both", waf=True, web_acl_arn="arn:aws:wafv2:x")
