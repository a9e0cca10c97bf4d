"""Acknowledging cdk-nag findings one at a time, named as cdk-nag names them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct


def nag_resource_name(scope: IConstruct, value: str) -> str | None:
    """How cdk-nag writes a (possibly tokenized) resource ARN in a finding id.

    ``{"Fn::GetAtt": ["Bucket1234", "Arn"]}`` becomes ``<Bucket1234.Arn>``, ``{"Ref": "X"}``
    becomes ``<X>`` and joins are concatenated. ``None`` for forms cdk-nag renders otherwise.
    """
    return _render(cdk.Stack.of(scope).resolve(value))


def acknowledge_wildcards(
    construct: IConstruct,
    *,
    actions: Iterable[str] = (),
    resources: Iterable[str | None] = (),
    reason: str,
) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for exactly these wildcard actions and resources."""
    findings = [f"Action::{action}" for action in actions]
    findings += [f"Resource::{resource}" for resource in resources if resource is not None]
    for finding in findings:
        cdk.Validations.of(construct).acknowledge(
            cdk.Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=reason)
        )


def _render(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::Join":
            parts = [_render(part) for part in argument[1]]
            if any(part is None for part in parts):
                return None
            return str(argument[0]).join(p for p in parts if p is not None)
    return None
