"""Grants of the patterns' resources: CDK's own grant, plus the acknowledgement of the
wildcards it wrote into the grantee's policies (``s3:GetObject*`` on ``<bucket>/*``, the
key's ``kms:GenerateDataKey*``), so a grant through a pattern leaves no cdk-nag finding
for its user to clean up."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_cdk import aws_iam as iam

from patterns._imported import grants_scope
from patterns._nag import acknowledge_wildcards


def _statements(scope: Any) -> list[str]:
    """The statements of every IAM policy under ``scope``, each as canonical JSON."""
    found: list[str] = []
    for child in scope.node.find_all():
        if isinstance(child, iam.Policy):
            document = child.document.to_json() or {}
            found.extend(json.dumps(s, sort_keys=True) for s in document.get("Statement", []))
    return found


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def acknowledged(
    make_grant: Callable[[], iam.Grant], grantee: iam.IGrantable, what: str
) -> iam.Grant:
    """Make the grant, then acknowledge the wildcard actions and resources it added to the
    grantee's policies (or its imported role's), when the grantee is a construct."""
    scope = grants_scope(grantee)
    if getattr(scope, "node", None) is None:  # a principal of no construct (a service)
        return make_grant()
    before = set(_statements(scope))
    grant = make_grant()
    added = [json.loads(s) for s in _statements(scope) if s not in before]
    actions = {a for s in added for a in _as_list(s.get("Action")) if "*" in a}
    resources = {r for s in added for r in _as_list(s.get("Resource")) if "*" in r}
    acknowledge_wildcards(
        scope,
        reason=f"{what}: CDK's grant names the actions by prefix and the objects, shards "
        "or executions under this one resource (or, for List calls, every resource, which "
        "IAM requires), nothing beyond it.",
        actions=sorted(actions),
        resources=sorted(resources),
    )
    return grant
