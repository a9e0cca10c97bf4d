"""The validation of a ``StageConfig``: what each setting may be, with one-line errors
that name the stage and the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import aws_cdk as cdk

from patterns import RETENTION_BY_DAYS, TracingMode
from patterns.choices import RoutingPolicy, values
from patterns.deployment import DEPLOYMENT_CONFIGS
from stacks.region_sets import witness_problem
from stacks.review_settings import check_review_settings
from stacks.stage_fields import StageConfigError, StageFields
from stacks.stream_settings import check_stream_settings
from stacks.zones import zone_ids_problem

#: Feature flags a stage may set, with what each one does.
FEATURE_FLAGS: Mapping[str, str] = MappingProxyType(
    {
        "debug_logging": "functions log at DEBUG instead of INFO",
        "log_event_payloads": "functions log every incoming event (never where events carry "
        "personal data)",
    }
)

#: cdk-nag rule packs a stage may run, by the prefix of their rule ids.
COMPLIANCE_PACKS = ("AwsSolutions", "HIPAA.Security", "PCI.DSS.321")

REMOVAL_POLICIES = {
    "destroy": cdk.RemovalPolicy.DESTROY,
    "retain": cdk.RemovalPolicy.RETAIN,
}
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,20}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
#: Step Functions log levels a stage may choose for its workflows' execution logs.
WORKFLOW_LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
#: What AppSync may log per field (``patterns.choices.FieldLogLevel``).
GRAPHQL_LOG_LEVELS = ("NONE", "ERROR", "INFO", "DEBUG", "ALL")
#: How Route 53 spreads API traffic over the two regions of a multi-region stage.
API_ROUTING = values(RoutingPolicy)
#: CloudFront uses ACM certificates from this region only.
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"


def check_stage(config: StageFields) -> None:
    """Raise ``StageConfigError`` for the first invalid setting of ``config``."""
    for check in (
        _check_identity,
        _check_numbers,
        _check_choices,
        _check_flags,
        _check_compliance,
        _check_regions,
        _check_zones,
    ):
        check(config)


def fail(config: StageFields, field: str, message: str) -> StageConfigError:
    """The error for an invalid ``field`` of ``config``, naming the stage and the field."""
    return StageConfigError(f"stage {config.name!r}: {field}: {message}")


def _check_identity(config: StageFields) -> None:
    if not isinstance(config.name, str) or not _NAME.match(config.name):
        raise StageConfigError(
            f"stage name must be lower-case letters, digits or '-' (2-21), got {config.name!r}"
        )
    if config.account is not None and not _ACCOUNT.match(str(config.account)):
        raise fail(config, "account", f"must be a 12-digit AWS account id, got {config.account!r}")
    if config.region is not None and not _REGION.match(str(config.region)):
        raise fail(config, "region", f"must be an AWS region like eu-west-1, got {config.region!r}")
    if config.alarm_email is not None and not _EMAIL.match(str(config.alarm_email)):
        raise fail(config, "alarm_email", f"is not an e-mail address: {config.alarm_email!r}")


def _check_numbers(config: StageFields) -> None:
    days = config.log_retention_days
    if isinstance(days, bool) or not isinstance(days, int) or days not in RETENTION_BY_DAYS:
        allowed = ", ".join(str(d) for d in RETENTION_BY_DAYS)
        raise fail(config, "log_retention_days", f"must be one of {allowed}; got {days!r}")
    for field, low, high in (
        ("lambda_memory_mb", 128, 10240),
        ("lambda_timeout_seconds", 1, 900),
    ):
        value = getattr(config, field)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail(config, field, f"must be an integer from {low} to {high}, got {value!r}")
    check_stream_settings(config, fail)
    check_review_settings(config, fail)


def _check_choices(config: StageFields) -> None:
    if config.removal_policy not in REMOVAL_POLICIES:
        raise fail(
            config,
            "removal_policy",
            f"must be 'destroy' or 'retain', got {config.removal_policy!r}",
        )
    if config.deployment_preference not in DEPLOYMENT_CONFIGS:
        raise fail(
            config,
            "deployment_preference",
            f"must be one of {', '.join(DEPLOYMENT_CONFIGS)}; got {config.deployment_preference!r}",
        )
    # A stage has no setting for the OpenTelemetry layer's version of its region (yet).
    modes = [mode.value for mode in TracingMode if mode is not TracingMode.OPENTELEMETRY]
    if config.tracing not in modes:
        raise fail(
            config,
            "tracing",
            f"must be one of {', '.join(modes)} (a stage cannot pin the OpenTelemetry "
            f"layer's version yet); got {config.tracing!r}",
        )
    if config.workflow_log_level not in WORKFLOW_LOG_LEVELS:
        raise fail(
            config,
            "workflow_log_level",
            f"must be one of {', '.join(WORKFLOW_LOG_LEVELS)}; got {config.workflow_log_level!r}",
        )
    if config.graphql_field_log_level not in GRAPHQL_LOG_LEVELS:
        raise fail(
            config,
            "graphql_field_log_level",
            f"must be one of {', '.join(GRAPHQL_LOG_LEVELS)}; "
            f"got {config.graphql_field_log_level!r}",
        )
    for field in (
        "point_in_time_recovery",
        "triggers_enabled",
        "termination_protection",
        "table_backups",
        "traffic_checks",
        "workflow_log_execution_data",
        "graphql_verbose_logs",
    ):
        if not isinstance(getattr(config, field), bool):
            raise fail(config, field, f"must be true or false, got {getattr(config, field)!r}")


def _check_flags(config: StageFields) -> None:
    for flag, value in config.feature_flags.items():
        if flag not in FEATURE_FLAGS:
            raise fail(
                config,
                "feature_flags",
                f"unknown flag {flag!r}; known flags: {', '.join(sorted(FEATURE_FLAGS))}",
            )
        if not isinstance(value, bool):
            raise fail(config, "feature_flags", f"flag {flag!r} must be true or false")


def _check_compliance(config: StageFields) -> None:
    packs = config.compliance_packs
    if not isinstance(packs, tuple) or not all(p in COMPLIANCE_PACKS for p in packs):
        raise fail(
            config,
            "compliance_packs",
            f"must be a list of {', '.join(COMPLIANCE_PACKS)}; got {packs!r}",
        )
    if "AwsSolutions" not in packs:
        raise fail(config, "compliance_packs", f"must include AwsSolutions, got {packs!r}")
    if not isinstance(config.customer_managed_keys, bool):
        raise fail(
            config,
            "customer_managed_keys",
            f"must be true or false, got {config.customer_managed_keys!r}",
        )
    for field, low, high in (
        ("reserved_concurrency", 1, 10_000),
        ("api_cache_ttl_seconds", 1, 3600),
    ):
        value = getattr(config, field)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
        ):
            raise fail(config, field, f"must be null or an integer {low}..{high}, got {value!r}")
    if not isinstance(config.private_network, bool):
        raise fail(
            config, "private_network", f"must be true or false, got {config.private_network!r}"
        )
    if config.regulated and (
        config.reserved_concurrency is None
        or not config.customer_managed_keys
        or not config.private_network
    ):
        raise fail(
            config,
            "compliance_packs",
            "HIPAA.Security and PCI.DSS.321 need reserved_concurrency, "
            "customer_managed_keys and private_network",
        )


def _check_zones(config: StageFields) -> None:
    zones = config.availability_zone_ids
    if not isinstance(zones, Mapping):
        raise fail(config, "availability_zone_ids", f"must be an object, got {zones!r}")
    regions = [region for region in (config.region, config.secondary_region) if region]
    for region, zone_ids in zones.items():
        if region not in regions:
            raise fail(
                config,
                "availability_zone_ids",
                f"names region {region!r}, which the stage does not use "
                f"(its regions: {', '.join(regions) or 'none, it is environment-agnostic'})",
            )
        problem = zone_ids_problem(region, zone_ids)
        if problem is not None:
            raise fail(config, "availability_zone_ids", f"{region}: {problem}")


def _check_regions(config: StageFields) -> None:
    if config.api_routing not in API_ROUTING:
        raise fail(
            config,
            "api_routing",
            f"must be one of {', '.join(API_ROUTING)}; got {config.api_routing!r}",
        )
    secondary = config.secondary_region
    if secondary is None:
        for field in ("api_domain_name", "witness_region"):
            if getattr(config, field) is not None:
                raise fail(config, field, "is only used with a secondary_region; set one")
    else:
        _check_secondary(config, secondary)
    if secondary is not None or config.storefront_domain_name is not None:
        _check_zone(config, "a secondary_region" if secondary else "a storefront_domain_name")
    elif config.hosted_zone_id is not None or config.hosted_zone_name is not None:
        field = "hosted_zone_id" if config.hosted_zone_id is not None else "hosted_zone_name"
        raise fail(config, field, "is only used with a secondary_region or storefront_domain_name")
    if secondary is not None:
        _check_name_in_zone(config, "api_domain_name")
    _check_storefront_domain(config)


def _check_secondary(config: StageFields, secondary: str) -> None:
    if not isinstance(secondary, str) or not _REGION.match(secondary):
        raise fail(
            config, "secondary_region", f"must be an AWS region like eu-west-1, got {secondary!r}"
        )
    if config.account is None or config.region is None:
        raise fail(
            config, "secondary_region", "needs an explicit account and region for the primary"
        )
    if secondary == config.region:
        raise fail(
            config, "secondary_region", f"must differ from the primary region {config.region!r}"
        )
    if config.api_domain_name is None:
        raise fail(config, "api_domain_name", "is required with a secondary_region")
    witness = config.witness_region
    if witness is None:
        raise fail(
            config,
            "witness_region",
            "is required with a secondary_region: orders are placed once across regions "
            "through a strongly consistent idempotency table, whose third region it is",
        )
    problem = witness_problem(config.region, secondary, str(witness))
    if problem is not None:
        raise fail(config, "witness_region", problem)


def _check_zone(config: StageFields, needed_by: str) -> None:
    for field in ("hosted_zone_id", "hosted_zone_name"):
        if getattr(config, field) is None:
            raise fail(config, field, f"is required with {needed_by}")
    zone = str(config.hosted_zone_name)
    if not _DNS_NAME.match(zone):
        raise fail(config, "hosted_zone_name", f"must be a lower-case DNS name, got {zone!r}")
    if not _ZONE_ID.match(str(config.hosted_zone_id)):
        raise fail(
            config,
            "hosted_zone_id",
            f"must be a Route 53 zone id like Z0123ABC, got {config.hosted_zone_id!r}",
        )


def _check_name_in_zone(config: StageFields, field: str) -> None:
    value, zone = str(getattr(config, field)), str(config.hosted_zone_name)
    if not _DNS_NAME.match(value):
        raise fail(config, field, f"must be a lower-case DNS name, got {value!r}")
    if config.hosted_zone_name is not None and not value.endswith(f".{zone}"):
        raise fail(config, field, f"must be a name inside the zone {zone!r}")


def _check_storefront_domain(config: StageFields) -> None:
    if config.storefront_domain_name is None:
        return
    _check_name_in_zone(config, "storefront_domain_name")
    if config.region != CLOUDFRONT_CERTIFICATE_REGION:
        raise fail(
            config,
            "storefront_domain_name",
            f"needs region {CLOUDFRONT_CERTIFICATE_REGION!r}, where CloudFront takes "
            f"certificates from (the storefront's certificate is made in the stage's "
            f"region); got region {config.region!r}",
        )
