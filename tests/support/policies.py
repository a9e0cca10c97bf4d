"""Evaluate resource policies of synthesized templates the way AWS does, for one request.

A small, strict subset of IAM's evaluation logic: an explicit ``Deny`` wins over an
``Allow``, and no matching statement is an implicit deny. Actions match
case-insensitively with ``*`` and ``?`` wildcards (``Action`` and ``NotAction``);
resources and principals are CloudFormation values (``{"Ref": ...}``) compared as
written, or ``*``. Condition operators this module does not know raise, so a policy
it cannot judge fails a test instead of passing it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ALLOW, DENY, IMPLICIT_DENY = "Allow", "Deny", "ImplicitDeny"


@dataclass(frozen=True)
class Request:
    """One API request as a policy sees it.

    :param action: ``service:Operation``, e.g. ``sns:Publish``.
    :param resource: the resource as the template names it (``{"Ref": "TopicX"}``).
    :param principal: ``("AWS", value)`` or ``("Service", "sns.amazonaws.com")``.
    :param context: condition keys, e.g. ``{"aws:SecureTransport": "false"}``.
    """

    action: str
    resource: Any
    principal: tuple[str, Any] = ("AWS", "arn:aws:iam::999999999999:root")
    context: Mapping[str, Any] = field(default_factory=dict)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    def matches(patterns: Any) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in _as_list(patterns))

    if "Action" in statement:
        return matches(statement["Action"])
    return not matches(statement["NotAction"])


def _resource_matches(statement: Mapping[str, Any], resource: Any) -> bool:
    resources = _as_list(statement.get("Resource", "*"))
    return any(r == "*" or r == resource for r in resources)


def _principal_matches(statement: Mapping[str, Any], principal: tuple[str, Any]) -> bool:
    given = statement.get("Principal")
    if given is None:  # an identity policy: it applies to whoever it is attached to
        return True
    # IAM: "Principal": "*" and {"AWS": "*"} are the same, every principal.
    if given == "*" or "*" in _as_list(given.get("AWS", [])):
        return True
    kind, value = principal
    return value in _as_list(given.get(kind, []))


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, Any]) -> bool:
    base = operator.removesuffix("IfExists")
    if key not in context:
        return operator.endswith("IfExists") or (base == "Null" and _truthy(expected))
    actual = context[key]
    values = [str(v) for v in _as_list(expected)]
    if base == "Bool":
        return str(actual).lower() in [v.lower() for v in values]
    if base in ("StringEquals", "ArnEquals"):
        return str(actual) in values or actual in _as_list(expected)
    if base in ("StringNotEquals", "ArnNotEquals"):
        return str(actual) not in values and actual not in _as_list(expected)
    if base in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(str(actual), v) for v in values) or actual in _as_list(
            expected
        )
    if base == "Null":
        return not _truthy(expected)
    raise NotImplementedError(f"condition operator {operator!r} is not evaluated here")


def _truthy(value: Any) -> bool:
    return str(value).lower() == "true"


def _conditions_hold(statement: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    for operator, tests in statement.get("Condition", {}).items():
        for key, expected in tests.items():
            if not _condition_holds(operator, key, expected, context):
                return False
    return True


def applies(statement: Mapping[str, Any], request: Request) -> bool:
    """Whether ``statement`` matches ``request`` (action, resource, principal, conditions)."""
    return (
        _action_matches(statement, request.action)
        and _resource_matches(statement, request.resource)
        and _principal_matches(statement, request.principal)
        and _conditions_hold(statement, request.context)
    )


def evaluate(statements: Sequence[Mapping[str, Any]], request: Request) -> str:
    """``Allow``, ``Deny`` (an explicit deny) or ``ImplicitDeny`` for ``request``."""
    effects = {s["Effect"] for s in statements if applies(s, request)}
    if DENY in effects:
        return DENY
    return ALLOW if ALLOW in effects else IMPLICIT_DENY


def resources_of(template: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """Every resource of type ``kind`` in a template dict, by logical id."""
    return {k: v for k, v in template.get("Resources", {}).items() if v["Type"] == kind}
