"""``ApiCustomDomain``: a REST API stage behind a regional custom domain name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from constructs import Construct

from patterns._aws_limits import check_certificate_region
from patterns._metadata import mark_pattern
from patterns._override_guards import DOMAIN_NAME_GUARDS
from patterns._overrides import merged
from patterns._types import checked
from patterns._validation import is_token, present

_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_BASE_PATH = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")

__all__ = ["ApiCustomDomain", "check_domain_name"]


def check_domain_name(name: str, value: str, zone: route53.IHostedZone | None = None) -> None:
    """Raise ``ValueError`` unless ``value`` is a lower-case DNS name (inside ``zone``)."""
    if is_token(value):
        return
    if not isinstance(value, str) or not _DNS_NAME.match(value):
        raise ValueError(
            f"{name} must be a lower-case DNS name such as api.example.com, got {value!r}"
        )
    zone_name = zone.zone_name.rstrip(".") if zone is not None else None
    inside = zone_name is None or is_token(zone_name) or value == zone_name
    if not inside and not value.endswith(f".{zone_name}"):
        raise ValueError(f"{name} {value!r} is not inside the hosted zone {zone_name!r}")


class ApiCustomDomain(Construct):
    """A regional custom domain name (``api.example.com``) that serves a REST API stage.

    Creates an ACM certificate for the name, validated through DNS records in
    ``hosted_zone`` (unless ``certificate`` is given), a REGIONAL API Gateway domain name
    accepting TLS 1.2 and later only, and a base path mapping to ``stage``. The domain is
    regional, so an API deployed to several regions gets one ``ApiCustomDomain`` per region
    (same name, each with its own certificate) and Route 53 records choosing between them
    (see ``RegionalApiRecord``). Creates no DNS record for the name itself.

    Children: ``Certificate``, ``Resource`` (the ``DomainName``), ``Mapping``.

    :param stage: the API stage served, e.g. ``ServerlessApi.stage`` or an imported one
        (``apigateway.Stage.from_stage_attributes``).
    :param domain_name: the custom domain name, lower-case.
    :param hosted_zone: public zone holding ``domain_name``, where the certificate's
        validation records are written. Required unless ``certificate`` is given.
        Default: none.
    :param certificate: an existing ACM certificate for ``domain_name`` in the API's region.
        Default: a new DNS-validated certificate.
    :param base_path: the path under the domain where the stage is served
        (``example.com/<base_path>``). Default: the domain's root.
    :param security_policy: minimum TLS version callers may use. Default: TLS 1.2.
    :param domain_name_props: escape hatch merged last into ``apigateway.DomainName``.
        A key that would weaken a secure default, or that an argument
        above sets, is refused with a ``ValueError`` saying what to pass instead.
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: apigateway.IStage,
        domain_name: str,
        hosted_zone: route53.IHostedZone | None = None,
        certificate: acm.ICertificate | None = None,
        base_path: str | None = None,
        security_policy: apigateway.SecurityPolicy = apigateway.SecurityPolicy.TLS_1_2,
        domain_name_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        check_domain_name("domain_name", domain_name, hosted_zone)
        check_certificate_region("certificate", certificate, cdk.Stack.of(self).region)
        if certificate is None and hosted_zone is None:
            raise ValueError(
                "give hosted_zone (to validate a new certificate) or an existing certificate"
            )
        if base_path is not None and not is_token(base_path) and not _BASE_PATH.match(base_path):
            raise ValueError(
                "base_path must be 1-128 letters, digits or '.', '_', '~', '-' (no '/'), "
                f"got {base_path!r}"
            )
        if certificate is None:
            hosted_zone = present(hosted_zone, "hosted_zone (to validate a new certificate)")
            certificate = acm.Certificate(
                self,
                "Certificate",
                domain_name=domain_name,
                validation=acm.CertificateValidation.from_dns(hosted_zone),
            )
        #: The certificate the domain presents.
        self.certificate: acm.ICertificate = certificate
        props: dict[str, Any] = {
            "domain_name": domain_name,
            "certificate": certificate,
            "endpoint_type": apigateway.EndpointType.REGIONAL,
            "security_policy": security_policy,
        }
        props = merged("domain_name_props", props, domain_name_props, DOMAIN_NAME_GUARDS)
        #: The API Gateway domain name (its ``domain_name_alias_domain_name`` and
        #: ``domain_name_alias_hosted_zone_id`` are what DNS aliases point at).
        self.domain = apigateway.DomainName(self, "Resource", **props)
        #: The mapping of ``base_path`` to the stage.
        self.mapping = apigateway.CfnBasePathMapping(
            self,
            "Mapping",
            domain_name=self.domain.domain_name,
            rest_api_id=stage.rest_api.rest_api_id,
            stage=stage.stage_name,
            base_path=base_path,
        )
        #: ``https://`` URL of the stage under the custom domain (ends with ``/``).
        self.url = f"https://{domain_name}/" + (f"{base_path}/" if base_path else "")
