"""``StageConfig``: everything that differs between dev, staging and prod."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import aws_cdk as cdk

from patterns import RETENTION_BY_DAYS
from patterns.deployment import DEPLOYMENT_CONFIGS

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

_REMOVAL_POLICIES = {
    "destroy": cdk.RemovalPolicy.DESTROY,
    "retain": cdk.RemovalPolicy.RETAIN,
}
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,20}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
#: How Route 53 spreads API traffic over the two regions of a multi-region stage.
API_ROUTING = ("latency", "failover")
#: Settings that only mean something with a secondary region.
_MULTI_REGION_FIELDS = ("api_domain_name", "hosted_zone_id", "hosted_zone_name")


class StageConfigError(ValueError):
    """A stage's configuration is invalid; the message names the stage and the field."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class StageConfig:
    """One deployment stage of the reference app.

    :param name: lower-case stage name (``dev``); the CDK stage id is its title (``Dev``).
    :param account: 12-digit AWS account; ``None`` keeps synthesis environment-agnostic.
    :param region: AWS region such as ``eu-west-1``; ``None`` keeps it agnostic.
    :param removal_policy: ``destroy`` (stateful resources are deleted with the stack and
        buckets emptied) or ``retain``.
    :param log_retention_days: retention of every log group (a CloudWatch value).
    :param point_in_time_recovery: continuous backups on every DynamoDB table.
    :param alarm_email: address subscribed to the operations topic; ``None`` for none.
    :param lambda_memory_mb: default memory of every function, 128..10240.
    :param lambda_timeout_seconds: default timeout of every function, 1..900.
    :param deployment_preference: CodeDeploy traffic shifting of every function's alias
        (one of SAM's nine names, e.g. ``AllAtOnce``, ``Canary10Percent5Minutes``).
    :param feature_flags: flags from :data:`FEATURE_FLAGS` switched on or off.
    :param triggers_enabled: whether schedules and event rules start their targets;
        switch off to stop event-driven work while troubleshooting.
    :param termination_protection: protect the stage's stacks (and tables) from deletion.
    :param table_backups: back every DynamoDB table up with AWS Backup (daily and monthly).
    :param stream_shards: shards of the usage-event stream (provisioned mode, cheaper at a
        steady low rate); ``None`` makes it on-demand (scales itself, for spiky traffic).
    :param compliance_packs: cdk-nag rule packs every stack must pass, from
        :data:`COMPLIANCE_PACKS`; ``AwsSolutions`` always. HIPAA and PCI packs switch on what
        they demand: managed instead of inline IAM policies and KMS-encrypted log groups;
        they need ``reserved_concurrency``, ``customer_managed_keys`` and ``private_network``.
    :param customer_managed_keys: encrypt buckets and log groups with customer-managed KMS
        keys (rotated yearly) instead of AWS-managed encryption.
    :param reserved_concurrency: reserved concurrent executions of every function (caps
        each function and guarantees it capacity); ``None`` leaves them unreserved.
    :param api_cache_ttl_seconds: turn on the encrypted API Gateway cache of the shop's APIs
        with this TTL (GET routes only); ``None`` for no cache.
    :param private_network: run every function in a VPC of isolated subnets (one per region)
        that reaches AWS APIs through VPC endpoints only.
    :param secondary_region: a second region the API is also deployed to (its table becomes
        a DynamoDB global table with a replica there); needs explicit ``account`` and
        ``region`` and the API domain below. ``None`` keeps the stage single-region.
    :param api_domain_name: the API's custom domain (``api.shop.example.com``), served by
        both regions; required with ``secondary_region``.
    :param hosted_zone_id: the Route 53 public hosted zone holding ``api_domain_name``.
    :param hosted_zone_name: that zone's name (``shop.example.com``).
    :param api_routing: ``latency`` (each caller reaches the nearest healthy region) or
        ``failover`` (the primary region serves; the secondary only when it is unhealthy).
    """

    name: str
    account: str | None = None
    region: str | None = None
    removal_policy: str = "retain"
    log_retention_days: int = 30
    point_in_time_recovery: bool = True
    alarm_email: str | None = None
    lambda_memory_mb: int = 256
    lambda_timeout_seconds: int = 10
    deployment_preference: str = "AllAtOnce"
    feature_flags: Mapping[str, bool] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    triggers_enabled: bool = True
    termination_protection: bool = False
    table_backups: bool = False
    stream_shards: int | None = None
    compliance_packs: tuple[str, ...] = ("AwsSolutions",)
    customer_managed_keys: bool = False
    reserved_concurrency: int | None = None
    api_cache_ttl_seconds: int | None = None
    private_network: bool = False
    secondary_region: str | None = None
    api_domain_name: str | None = None
    hosted_zone_id: str | None = None
    hosted_zone_name: str | None = None
    api_routing: str = "latency"

    def __post_init__(self) -> None:
        object.__setattr__(self, "feature_flags", MappingProxyType(dict(self.feature_flags)))
        if isinstance(self.compliance_packs, list):
            object.__setattr__(self, "compliance_packs", tuple(self.compliance_packs))
        for check in (
            self._check_identity,
            self._check_numbers,
            self._check_choices,
            self._check_flags,
            self._check_compliance,
            self._check_regions,
        ):
            check()

    def _fail(self, field: str, message: str) -> StageConfigError:
        return StageConfigError(f"stage {self.name!r}: {field}: {message}")

    def _check_identity(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise StageConfigError(
                f"stage name must be lower-case letters, digits or '-' (2-21), got {self.name!r}"
            )
        if self.account is not None and not _ACCOUNT.match(str(self.account)):
            raise self._fail("account", f"must be a 12-digit AWS account id, got {self.account!r}")
        if self.region is not None and not _REGION.match(str(self.region)):
            raise self._fail("region", f"must be an AWS region like eu-west-1, got {self.region!r}")
        if self.alarm_email is not None and not _EMAIL.match(str(self.alarm_email)):
            raise self._fail("alarm_email", f"is not an e-mail address: {self.alarm_email!r}")

    def _check_numbers(self) -> None:
        days = self.log_retention_days
        if isinstance(days, bool) or not isinstance(days, int) or days not in RETENTION_BY_DAYS:
            allowed = ", ".join(str(d) for d in RETENTION_BY_DAYS)
            raise self._fail("log_retention_days", f"must be one of {allowed}; got {days!r}")
        for field, low, high in (
            ("lambda_memory_mb", 128, 10240),
            ("lambda_timeout_seconds", 1, 900),
        ):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise self._fail(field, f"must be an integer from {low} to {high}, got {value!r}")
        shards = self.stream_shards
        if shards is not None and (
            isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= 10_000
        ):
            raise self._fail(
                "stream_shards", f"must be null (on-demand) or 1 to 10000, got {shards!r}"
            )

    def _check_choices(self) -> None:
        if self.removal_policy not in _REMOVAL_POLICIES:
            raise self._fail(
                "removal_policy", f"must be 'destroy' or 'retain', got {self.removal_policy!r}"
            )
        if self.deployment_preference not in DEPLOYMENT_CONFIGS:
            raise self._fail(
                "deployment_preference",
                f"must be one of {', '.join(DEPLOYMENT_CONFIGS)}; "
                f"got {self.deployment_preference!r}",
            )
        for field in (
            "point_in_time_recovery",
            "triggers_enabled",
            "termination_protection",
            "table_backups",
        ):
            if not isinstance(getattr(self, field), bool):
                raise self._fail(field, f"must be true or false, got {getattr(self, field)!r}")

    def _check_flags(self) -> None:
        for flag, value in self.feature_flags.items():
            if flag not in FEATURE_FLAGS:
                raise self._fail(
                    "feature_flags",
                    f"unknown flag {flag!r}; known flags: {', '.join(sorted(FEATURE_FLAGS))}",
                )
            if not isinstance(value, bool):
                raise self._fail("feature_flags", f"flag {flag!r} must be true or false")

    def _check_compliance(self) -> None:
        packs = self.compliance_packs
        if not isinstance(packs, tuple) or not all(p in COMPLIANCE_PACKS for p in packs):
            raise self._fail(
                "compliance_packs",
                f"must be a list of {', '.join(COMPLIANCE_PACKS)}; got {packs!r}",
            )
        if "AwsSolutions" not in packs:
            raise self._fail("compliance_packs", f"must include AwsSolutions, got {packs!r}")
        if not isinstance(self.customer_managed_keys, bool):
            raise self._fail(
                "customer_managed_keys",
                f"must be true or false, got {self.customer_managed_keys!r}",
            )
        for field, low, high in (
            ("reserved_concurrency", 1, 10_000),
            ("api_cache_ttl_seconds", 1, 3600),
        ):
            value = getattr(self, field)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
            ):
                raise self._fail(field, f"must be null or an integer {low}..{high}, got {value!r}")
        if not isinstance(self.private_network, bool):
            raise self._fail(
                "private_network", f"must be true or false, got {self.private_network!r}"
            )
        if self.regulated and (
            self.reserved_concurrency is None
            or not self.customer_managed_keys
            or not self.private_network
        ):
            raise self._fail(
                "compliance_packs",
                "HIPAA.Security and PCI.DSS.321 need reserved_concurrency, "
                "customer_managed_keys and private_network",
            )

    @property
    def regulated(self) -> bool:
        """True when a pack beyond AwsSolutions (HIPAA, PCI) applies to the stage."""
        return any(pack != "AwsSolutions" for pack in self.compliance_packs)

    def _check_regions(self) -> None:
        if self.api_routing not in API_ROUTING:
            raise self._fail(
                "api_routing", f"must be one of {', '.join(API_ROUTING)}; got {self.api_routing!r}"
            )
        secondary = self.secondary_region
        if secondary is None:
            for field in _MULTI_REGION_FIELDS:
                if getattr(self, field) is not None:
                    raise self._fail(field, "is only used with a secondary_region; set one")
            return
        if not isinstance(secondary, str) or not _REGION.match(secondary):
            raise self._fail(
                "secondary_region", f"must be an AWS region like eu-west-1, got {secondary!r}"
            )
        if self.account is None or self.region is None:
            raise self._fail(
                "secondary_region", "needs an explicit account and region for the primary"
            )
        if secondary == self.region:
            raise self._fail(
                "secondary_region", f"must differ from the primary region {self.region!r}"
            )
        for field in _MULTI_REGION_FIELDS:
            if getattr(self, field) is None:
                raise self._fail(field, "is required with a secondary_region")
        zone, domain = str(self.hosted_zone_name), str(self.api_domain_name)
        for field, value in (("hosted_zone_name", zone), ("api_domain_name", domain)):
            if not _DNS_NAME.match(value):
                raise self._fail(field, f"must be a lower-case DNS name, got {value!r}")
        if not domain.endswith(f".{zone}"):
            raise self._fail("api_domain_name", f"must be a name inside the zone {zone!r}")
        if not _ZONE_ID.match(str(self.hosted_zone_id)):
            raise self._fail(
                "hosted_zone_id",
                f"must be a Route 53 zone id like Z0123ABC, got {self.hosted_zone_id!r}",
            )

    @property
    def stage_id(self) -> str:
        """The CDK stage id: ``Dev``, ``Staging``, ``Prod``."""
        return self.name.title().replace("-", "")

    @property
    def cdk_removal_policy(self) -> cdk.RemovalPolicy:
        """The removal policy as the CDK enum."""
        return _REMOVAL_POLICIES[self.removal_policy]

    @property
    def destroy_on_delete(self) -> bool:
        """True where deleting the stack deletes the data too (buckets are emptied)."""
        return self.removal_policy == "destroy"

    @property
    def environment(self) -> cdk.Environment | None:
        """The stage's account and region, or ``None`` for an environment-agnostic stage."""
        if self.account is None and self.region is None:
            return None
        return cdk.Environment(account=self.account, region=self.region)

    @property
    def secondary_environment(self) -> cdk.Environment | None:
        """The account and secondary region, or ``None`` for a single-region stage."""
        if self.secondary_region is None:
            return None
        return cdk.Environment(account=self.account, region=self.secondary_region)

    def flag(self, name: str) -> bool:
        """Whether feature flag ``name`` is on (unset flags are off)."""
        if name not in FEATURE_FLAGS:
            raise KeyError(f"unknown feature flag {name!r}")
        return self.feature_flags.get(name, False)

    def with_overrides(self, overrides: Mapping[str, Any]) -> StageConfig:
        """A copy with ``overrides`` (from ``cdk.json`` or ``-c``) applied and validated."""
        fields = {f.name for f in dataclasses.fields(self)} - {"name"}
        unknown = sorted(set(overrides) - fields)
        if unknown:
            raise self._fail(
                unknown[0], f"is not a stage setting; settings: {', '.join(sorted(fields))}"
            )
        changes = dict(overrides)
        if "feature_flags" in changes:
            flags = changes["feature_flags"]
            if not isinstance(flags, Mapping):
                raise self._fail("feature_flags", f"must be an object, got {flags!r}")
            changes["feature_flags"] = {**self.feature_flags, **flags}
        return dataclasses.replace(self, **changes)
