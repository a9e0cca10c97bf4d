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
import re
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
    qualifier, _, single = operator.rpartition(":")
    if qualifier in ("ForAnyValue", "ForAllValues"):
        # A multivalued key (``cognito-identity.amazonaws.com:amr``): any or every value
        # must satisfy the operator; an absent key satisfies ForAllValues only, as in IAM.
        values = _as_list(context.get(key, []))
        each = [_condition_holds(single, key, expected, {key: v}) for v in values]
        return any(each) if qualifier == "ForAnyValue" else all(each)
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


#: The account's root principal as CDK writes it in an environment-agnostic stack (with an
#: account, it is the literal ``arn:aws:iam::<account>:root``): a key policy naming it lets
#: IAM policies of the account's roles grant the key.
ACCOUNT_ROOT = {
    "Fn::Join": [
        "",
        ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"],
    ]
}


def _account_roots(statements: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The account-root principals a policy may name (templates here hold one account)."""
    roots: list[Any] = [ACCOUNT_ROOT]
    for statement in statements:
        principal = statement.get("Principal")
        values = _as_list(principal.get("AWS", [])) if isinstance(principal, dict) else []
        roots.extend(
            v
            for v in values
            if isinstance(v, str) and re.fullmatch(r"arn:aws[\w-]*:iam::\d{12}:root", v)
        )
    return roots


def role_statements(template: Mapping[str, Any], role_id: str) -> list[dict[str, Any]]:
    """Every identity-policy statement that applies to role ``role_id`` of ``template``."""
    resources = template.get("Resources", {})
    role_ref = {"Ref": role_id}
    statements: list[dict[str, Any]] = []
    for policy in resources[role_id]["Properties"].get("Policies", []):
        statements.extend(policy["PolicyDocument"]["Statement"])
    managed_refs = resources[role_id]["Properties"].get("ManagedPolicyArns", [])
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        attached = (
            resource["Type"] == "AWS::IAM::Policy" and role_ref in props.get("Roles", [])
        ) or (
            resource["Type"] == "AWS::IAM::ManagedPolicy"
            and (role_ref in props.get("Roles", []) or {"Ref": logical_id} in managed_refs)
        )
        if attached:
            statements.extend(props["PolicyDocument"]["Statement"])
    return statements


def role_may_use_key(
    template: Mapping[str, Any],
    *,
    role_id: str,
    key_id: str,
    action: str,
    context: Mapping[str, Any] | None = None,
) -> bool:
    """Whether KMS lets role ``role_id`` call ``action`` on key ``key_id`` (same template):
    the key policy allows the role itself, or allows the account root (delegating to IAM)
    and the role's own policies allow it; an explicit deny in either stops it."""
    key_policy = template["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    role = ("AWS", {"Fn::GetAtt": [role_id, "Arn"]})
    context = context or {}
    direct = evaluate(key_policy, Request(action, "*", role, context))
    identity = evaluate(
        role_statements(template, role_id),
        Request(action, {"Fn::GetAtt": [key_id, "Arn"]}, role, context),
    )
    if DENY in (direct, identity):
        return False
    delegated = any(
        evaluate(key_policy, Request(action, "*", ("AWS", root), context)) == ALLOW
        for root in _account_roots(key_policy)
    )
    return direct == ALLOW or (delegated and identity == ALLOW)
