"""``StageConfig``: everything that differs between dev, staging and prod."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import aws_cdk as cdk

from stacks.config_checks import (
    API_ROUTING,
    COMPLIANCE_PACKS,
    FEATURE_FLAGS,
    REMOVAL_POLICIES,
    WORKFLOW_LOG_LEVELS,
    check_stage,
    fail,
)
from stacks.stage_fields import StageConfigError, StageFields

__all__ = [
    "API_ROUTING",
    "COMPLIANCE_PACKS",
    "FEATURE_FLAGS",
    "WORKFLOW_LOG_LEVELS",
    "StageConfig",
    "StageConfigError",
    "StageFields",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class StageConfig(StageFields):
    """One deployment stage of the reference app: the settings of :class:`StageFields`,
    validated when made (``StageConfigError`` names the stage and the field)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "feature_flags", MappingProxyType(dict(self.feature_flags)))
        zones = self.availability_zone_ids
        if isinstance(zones, Mapping):
            zones = {
                region: tuple(ids) if isinstance(ids, list) else ids
                for region, ids in zones.items()
            }
            object.__setattr__(self, "availability_zone_ids", MappingProxyType(zones))
        if isinstance(self.compliance_packs, list):
            object.__setattr__(self, "compliance_packs", tuple(self.compliance_packs))
        check_stage(self)

    @property
    def stage_id(self) -> str:
        """The CDK stage id: ``Dev``, ``Staging``, ``Prod``."""
        return self.name.title().replace("-", "")

    @property
    def cdk_removal_policy(self) -> cdk.RemovalPolicy:
        """The removal policy as the CDK enum."""
        return REMOVAL_POLICIES[self.removal_policy]

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

    def zone_ids(self, region: str | None) -> tuple[str, ...] | None:
        """The zone ids named for ``region``, or ``None`` (zones chosen at deployment)."""
        return self.availability_zone_ids.get(region) if region else None

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
            raise fail(
                self, unknown[0], f"is not a stage setting; settings: {', '.join(sorted(fields))}"
            )
        changes = dict(overrides)
        if "feature_flags" in changes:
            flags = changes["feature_flags"]
            if not isinstance(flags, Mapping):
                raise fail(self, "feature_flags", f"must be an object, got {flags!r}")
            changes["feature_flags"] = {**self.feature_flags, **flags}
        return dataclasses.replace(self, **changes)
