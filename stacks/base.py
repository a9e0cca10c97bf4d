"""``ShopStack``: what every stack of the reference app shares."""

from __future__ import annotations

from typing import Any, Protocol

import aws_cdk as cdk
from constructs import Construct

from patterns import FunctionDefaults
from stacks.compliance import PACKS_METADATA
from stacks.config import StageConfig
from stacks.zones import DEFAULT_ZONE_COUNT, deployment_time_zones


class FunctionNetwork(Protocol):
    """A network the stack's functions run in (``stacks.network.PrivateNetwork``), known
    here only by what a stack asks of it, so this module imports no network code."""

    def function_defaults(self, defaults: FunctionDefaults) -> FunctionDefaults:
        """``defaults`` with the network's subnets and security groups."""
        ...


class ShopStack(cdk.Stack):
    """A stack of one stage: described, and protected from deletion where the stage says.

    With a ``network``, the stack's functions run in its subnets and security group.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        purpose: str,
        network: FunctionNetwork | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"{purpose} ({config.name})",
            termination_protection=config.termination_protection,
            **kwargs,
        )
        self.config = config
        # Read back by tools/synth_summary.py to report findings and acknowledgements per pack.
        self.node.add_metadata(PACKS_METADATA, list(config.compliance_packs))
        if network is not None:
            network.function_defaults(FunctionDefaults.of(self)).apply_to(self)

    @property
    def availability_zones(self) -> list[str]:
        """Zones chosen at deployment (``Fn::GetAZs``), as many as the stage names for this
        region, never the CLI's ``availability-zones`` lookup that an environment-bound
        stack would otherwise make (it fails with no credentials; see ``stacks.zones``)."""
        config: StageConfig | None = getattr(self, "config", None)
        named = config.zone_ids(self.region) if config is not None else None
        return deployment_time_zones(len(named) if named else DEFAULT_ZONE_COUNT)
