"""Small lookups in synthesized templates used by construct tests."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template


def only(template: Template, kind: str) -> dict[str, Any]:
    """The one resource of type ``kind`` (fails when there are none or several)."""
    resources: dict[str, Any] = dict(template.find_resources(kind))
    assert len(resources) == 1, f"expected one {kind}, got {len(resources)}"
    return next(iter(resources.values()))


def properties(template: Template, kind: str) -> dict[str, Any]:
    """The ``Properties`` of the one resource of type ``kind``."""
    found: dict[str, Any] = only(template, kind)["Properties"]
    return found
