"""Rendering a synthesized state machine definition for moto's Step Functions interpreter
(``tools.state_machines``), from a stack of the session's assembly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools import state_machines
from tools.assembly import StackArtifact
from tools.state_machines import ACCOUNT

__all__ = ["ACCOUNT", "render_definition"]


def render_definition(
    stack: StackArtifact, logical_id_prefix: str, values: Mapping[str, str]
) -> dict[str, Any]:
    """:func:`tools.state_machines.render_definition` of ``stack``'s template."""
    return state_machines.render_definition(stack.template(), logical_id_prefix, values)
