"""The cdk-nag rule packs each stage is checked against, and what the stricter ones need."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import aws_cdk as cdk
import jsii
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NagPack, PCIDSS321Checks
from constructs import IConstruct

from patterns.compliance import EncryptLogGroups, ManagedPolicies
from patterns.service_keys import EncryptServiceData
from stacks.config import StageConfig
from stacks.keys import replica_key_arns
from stacks.stage_fields import is_regulated

#: Metadata type on each stack naming the packs it is checked against.
PACKS_METADATA = "serverless-patterns:compliance-packs"

#: The pack class of each name a ``StageConfig`` may list.
PACKS: Mapping[str, Callable[[IConstruct], NagPack]] = MappingProxyType(
    {
        "AwsSolutions": AwsSolutionsChecks,
        "HIPAA.Security": HIPAASecurityChecks,
        "PCI.DSS.321": PCIDSS321Checks,
    }
)


def add_compliance_checks(stage: cdk.Stage, config: StageConfig) -> None:
    """Run the stage's packs on every stack of ``stage`` during synthesis.

    An unacknowledged finding fails synthesis and is listed in the cloud assembly's
    ``validation-report.json``. A regulated stage (HIPAA, PCI) also gets managed instead of
    inline IAM policies. With ``customer_managed_keys``, every log group, table (and
    global-table replica), queue and function's environment is encrypted with a
    customer-managed key.
    """
    _check_with(stage, config.compliance_packs)
    if config.customer_managed_keys:
        cdk.Aspects.of(stage).add(EncryptLogGroups(removal_policy=config.cdk_removal_policy))
        cdk.Aspects.of(stage).add(
            EncryptServiceData(
                replica_key_arns=replica_key_arns(config), removal_policy=config.cdk_removal_policy
            )
        )


def add_stack_checks(stack: cdk.Stack, packs: Sequence[str]) -> None:
    """Run ``packs`` on ``stack`` alone: a stack outside the shop's stages (the pipeline).

    With a regulated pack among them, the stack's inline policies become managed ones too.
    """
    _check_with(stack, packs)
    stack.node.add_metadata(PACKS_METADATA, list(packs))


def _check_with(scope: IConstruct, packs: Sequence[str]) -> None:
    """Check ``scope`` alone against ``packs``; with a regulated pack among them, its inline
    policies become managed ones (what HIPAA and PCI ask for)."""
    cdk.Validations.of(scope).add_plugins(
        *(_StagePack(PACKS[name](scope), scope) for name in packs)
    )
    if is_regulated(packs):
        cdk.Aspects.of(scope).add(ManagedPolicies())


@jsii.implements(cdk.IPolicyValidationPlugin)
class _StagePack:
    """A cdk-nag pack that checks only ``stage``.

    cdk-nag 3 walks the whole app from the validation context whichever scope the plugin
    was added to, so prod's HIPAA pack would otherwise judge dev and staging too (and
    every stage's pack would check every stage again).
    """

    def __init__(self, pack: NagPack, stage: IConstruct) -> None:
        self._pack = pack
        self._stage = stage

    @property
    def name(self) -> str:
        return self._pack.name

    @property
    def version(self) -> str | None:
        return self._pack.version

    @property
    def rule_ids(self) -> list[str] | None:
        return self._pack.rule_ids

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        del context  # names the whole app's templates; the stage is what is checked
        return self._pack.validate_scope(self._stage)
