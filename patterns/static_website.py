"""``StaticWebsite``: a private S3 bucket served over HTTPS by CloudFront."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from patterns._cdk_singletons import acknowledge_deployment_handler, quiet_redundant_dependencies
from patterns._metadata import mark_pattern
from patterns._override_guards import DISTRIBUTION_GUARDS
from patterns._overrides import merged
from patterns._types import checked
from patterns._validation import is_token
from patterns._website_checks import (
    CERTIFICATE_REGION,
    check_content,
    check_domain,
    check_fallback,
    check_headers_and_acl,
)
from patterns._website_headers import security_headers
from patterns.secure_bucket import SecureBucket, access_logs_bucket
from patterns.web_acl import managed_web_acl

#: The default Content-Security-Policy: everything from the site itself, nothing framed.
DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


class StaticWebsite(Construct):
    """A static site: private bucket, CloudFront with origin access control, HTTPS only.

    The bucket is reachable only through CloudFront (origin access control, not the legacy
    origin access identity); viewers are redirected to HTTPS; every response carries
    security headers (HSTS for two years with subdomains, ``X-Content-Type-Options:
    nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy:
    strict-origin-when-cross-origin`` and a Content-Security-Policy). CloudFront writes
    access logs to a log bucket, which also receives the site bucket's S3 access logs.

    Children: ``LogBucket`` (unless ``log_bucket`` is given), ``Bucket`` (unless
    ``bucket`` is given), ``SecurityHeaders``, ``Resource`` (the distribution) and, with
    ``content_path``, ``Deployment``.

    :param bucket: an existing bucket holding the site. Default: a new ``SecureBucket``.
    :param encryption_key: customer-managed KMS key of the new bucket (CloudFront's origin
        access control is allowed to decrypt with it). Default: SSE-S3.
    :param log_bucket: bucket for CloudFront and S3 access logs; it must allow ACLs (object
        ownership "bucket owner preferred"), as CloudFront's standard logs need them.
        Default: a new ``SecureBucket`` with ACLs enabled for CloudFront's log delivery.
    :param removal_policy: removal policy of the buckets this construct creates.
        Default: ``RETAIN``.
    :param index_document: object served for ``/``. Default: ``"index.html"``.
    :param spa_fallback_path: page served (with status 200) for the
        ``spa_fallback_status_codes``, so client-side routes work; ``None`` turns the
        fallback off. Default: ``"/index.html"``.
    :param spa_fallback_status_codes: origin status codes the fallback rewrites.
        Default: 403 and 404.
    :param domain_names: custom domain names (CNAMEs); needs ``certificate``.
        Default: none (the ``*.cloudfront.net`` name).
    :param certificate: ACM certificate in us-east-1 covering ``domain_names``.
        Default: none.
    :param content_security_policy: the Content-Security-Policy header value.
        Default: :data:`DEFAULT_CONTENT_SECURITY_POLICY`.
    :param price_class: CloudFront price class. Default: ``PRICE_CLASS_100``.
    :param geo_restriction: countries allowed or denied. Default: none (served everywhere).
    :param waf: create a CLOUDFRONT-scope WAF web ACL (AWS managed rule groups and a
        per-IP rate rule) for the distribution; such ACLs exist only in us-east-1, so the
        stack must be deployed there. Default: False.
    :param web_acl_arn: ARN of an existing CLOUDFRONT-scope web ACL instead. Default: none.
    :param content_path: a local folder uploaded to the bucket on deployment (and the
        cache invalidated). Default: nothing uploaded.
    :param content_sources: more ``s3_deployment`` sources deployed with (or without)
        ``content_path``, e.g. ``Source.json_data("config.json", ...)``. Default: none.
    :param distribution_props: escape hatch: keyword arguments merged last into
        ``cloudfront.Distribution``. A key that would weaken a secure default, or that an argument
        above sets, is refused with a ``ValueError`` saying what to pass instead.
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket | None = None,
        encryption_key: kms.IKey | None = None,
        log_bucket: s3.IBucket | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        index_document: str = "index.html",
        spa_fallback_path: str | None = "/index.html",
        spa_fallback_status_codes: Sequence[int] | None = None,
        domain_names: Sequence[str] | None = None,
        certificate: acm.ICertificate | None = None,
        content_security_policy: str = DEFAULT_CONTENT_SECURITY_POLICY,
        price_class: cloudfront.PriceClass = cloudfront.PriceClass.PRICE_CLASS_100,
        geo_restriction: cloudfront.GeoRestriction | None = None,
        waf: bool = False,
        web_acl_arn: str | None = None,
        content_path: str | os.PathLike[str] | None = None,
        content_sources: Sequence[s3_deployment.ISource] | None = None,
        distribution_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        names = check_domain(domain_names, certificate)
        codes = check_fallback(index_document, spa_fallback_path, spa_fallback_status_codes)
        folder = check_content(content_path)
        destroy = removal_policy == cdk.RemovalPolicy.DESTROY
        #: The CLOUDFRONT web ACL created with ``waf=True``.
        self.web_acl: wafv2.CfnWebACL | None = None
        if waf:
            if web_acl_arn is not None:
                raise ValueError("give waf=True (create a web ACL) or web_acl_arn, not both")
            region = cdk.Stack.of(self).region
            if region != CERTIFICATE_REGION:
                raise ValueError(
                    "waf=True needs the stack in us-east-1, where CloudFront web ACLs live; "
                    f"got region {region if not is_token(region) else 'unresolved'}. Pass the "
                    "web_acl_arn of an ACL created in us-east-1 instead"
                )
            self.web_acl = managed_web_acl(
                self, "WebAcl", waf_scope="CLOUDFRONT", log_removal_policy=removal_policy
            )
            web_acl_arn = self.web_acl.attr_arn
        check_headers_and_acl(content_security_policy, web_acl_arn)

        #: Where CloudFront and S3 write access logs.
        self.log_bucket = log_bucket or self._new_log_bucket(removal_policy, destroy)
        #: The bucket holding the site's files.
        self.bucket: s3.IBucket = (
            bucket
            or SecureBucket(
                self,
                "Bucket",
                removal_policy=removal_policy,
                auto_delete_objects=destroy,
                server_access_logs_bucket=self.log_bucket,
                server_access_logs_prefix="s3/",
                encryption_key=encryption_key,
            ).bucket
        )
        #: The security headers every response carries.
        self.response_headers_policy = security_headers(self, content_security_policy)

        error_responses = [
            cloudfront.ErrorResponse(
                http_status=code,
                response_http_status=200,
                response_page_path=spa_fallback_path,
                ttl=cdk.Duration.seconds(10),
            )
            for code in codes
        ]
        props: dict[str, Any] = {
            "default_behavior": cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.response_headers_policy,
                compress=True,
            ),
            "default_root_object": index_document,
            "error_responses": error_responses or None,
            "domain_names": list(names) or None,
            "certificate": certificate,
            # The default *.cloudfront.net certificate has a fixed policy (CDK warns if set).
            "minimum_protocol_version": (
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None
            ),
            "http_version": cloudfront.HttpVersion.HTTP2_AND_3,
            "price_class": price_class,
            "geo_restriction": geo_restriction,
            "web_acl_id": web_acl_arn,
            "enable_logging": True,
            "log_bucket": self.log_bucket,
            "log_file_prefix": "cloudfront/",
            "comment": f"Static website {self.node.path}"[:128],
        }
        props = merged("distribution_props", props, distribution_props, DISTRIBUTION_GUARDS)
        #: The CloudFront distribution.
        self.distribution = cloudfront.Distribution(self, "Resource", **props)
        self._acknowledge(certificate, geo_restriction, web_acl_arn)
        if self.bucket.encryption_key is not None:
            # The key policy names the account's distributions, not this one: naming it would
            # make the key and the distribution depend on each other.
            cdk.Annotations.of(cdk.Stack.of(self)).acknowledge_warning(
                "@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac",
                "The site key may be used by this account's CloudFront distributions only, "
                "through origin access control; naming this one would be a circular reference.",
            )
        #: ``https://`` URL of the site: the first custom domain, else CloudFront's name.
        self.url = f"https://{names[0] if names else self.distribution.distribution_domain_name}"

        self._destroy = destroy
        #: The upload of the content, once deployed (see :meth:`add_content`).
        self.deployment: s3_deployment.BucketDeployment | None = None
        if folder is not None or content_sources:
            self.add_content(folder, content_sources)
        quiet_redundant_dependencies(cdk.Stack.of(self))

    def add_content(
        self,
        content_path: str | os.PathLike[str] | None = None,
        sources: Sequence[s3_deployment.ISource] | None = None,
    ) -> s3_deployment.BucketDeployment:
        """Upload a local folder and/or other sources to the bucket on every deployment.

        Objects not in the sources are removed (prune) and CloudFront's cache is
        invalidated. Call it at most once; use it instead of the constructor's
        ``content_path`` when a source needs values created after the site (e.g.
        ``Source.json_data("config.json", {"apiUrl": api.url})``).
        """
        if self.deployment is not None:
            raise ValueError(f"{self.node.path} already deploys content; pass all sources once")
        folder = check_content(content_path)
        all_sources = [s3_deployment.Source.asset(str(folder))] if folder is not None else []
        all_sources.extend(sources or ())
        if not all_sources:
            raise ValueError("add_content needs content_path or sources")
        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Deployment",
            destination_bucket=self.bucket,
            sources=all_sources,
            distribution=self.distribution,
            distribution_paths=["/*"],
            prune=True,
            retain_on_delete=not self._destroy,
        )
        acknowledge_deployment_handler(self, self.bucket)
        quiet_redundant_dependencies(cdk.Stack.of(self))
        return self.deployment

    def _new_log_bucket(self, removal_policy: cdk.RemovalPolicy, destroy: bool) -> s3.IBucket:
        # Versioned (a deleted or overwritten log stays recoverable for 30 days); CloudFront's
        # standard logs are delivered with an ACL grant to the bucket owner.
        return access_logs_bucket(
            self,
            "LogBucket",
            removal_policy=removal_policy,
            auto_delete_objects=destroy,
            acl_delivery=True,
        ).bucket

    def _acknowledge(
        self,
        certificate: acm.ICertificate | None,
        geo_restriction: cloudfront.GeoRestriction | None,
        web_acl_arn: str | None,
    ) -> None:
        acknowledgements = []
        if geo_restriction is None:
            acknowledgements.append(
                (
                    "AwsSolutions-CFR1",
                    "The site is public and served in every country; pass geo_restriction "
                    "to limit it.",
                )
            )
        if web_acl_arn is None:
            acknowledgements.append(
                (
                    "AwsSolutions-CFR2",
                    "Static files behind a cache carry no application logic; a CLOUDFRONT "
                    "web ACL must live in us-east-1 and is passed as web_acl_arn when needed.",
                )
            )
        if certificate is None:
            acknowledgements.append(
                (
                    "AwsSolutions-CFR4",
                    "Without a custom domain CloudFront serves its default *.cloudfront.net "
                    "certificate, whose TLS policy cannot be set; with a certificate the "
                    "minimum is TLSv1.2_2021.",
                )
            )
        for rule, reason in acknowledgements:
            cdk.Validations.of(self.distribution).acknowledge(
                cdk.Acknowledgment(id=rule, reason=reason)
            )
