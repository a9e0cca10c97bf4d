"""The parts of ``BrowserIdentity`` apart from its grants: group names as Cognito takes
them, the roles an identity pool's identities assume, and the groups a user pool of the
app defines."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from patterns._validation import is_token

#: Cognito's most rules in one role mapping.
MAX_RULES = 25
#: Cognito's user-pool group names: 1..128 letters, marks, symbols, digits or punctuation
#: (``[\p{L}\p{M}\p{S}\p{N}\p{P}]+``), so no white space and no control characters.
_GROUP_NAME = re.compile(r"^[^\s\x00-\x1f\x7f]{1,128}$")
#: The identity pool's service, the issuer of the web identities its roles trust.
IDENTITY_SERVICE = "cognito-identity.amazonaws.com"

Amr = Literal["authenticated", "unauthenticated"]


def check_group_names(groups: Sequence[str]) -> tuple[str, ...]:
    """``groups`` as a tuple, each a valid and unique Cognito group name."""
    if isinstance(groups, str):
        raise TypeError(f"groups must be a sequence of group names, got the str {groups!r}")
    for group in groups:
        if not isinstance(group, str):
            raise TypeError(f"groups must hold str names, got {group!r} ({type(group).__name__})")
        if not is_token(group) and not _GROUP_NAME.match(group):
            raise ValueError(
                "groups must hold Cognito group names (1..128 characters, no white space "
                f"or control characters), got {group!r}"
            )
    duplicates = sorted({g for g in groups if list(groups).count(g) > 1})
    if duplicates:
        raise ValueError(f"groups must be unique, got {duplicates} more than once")
    return tuple(groups)


def role_ids(groups: Sequence[str]) -> dict[str, str]:
    """The construct id of each group's role: ``admin`` -> ``AdminRole``, ``web-users`` ->
    ``WebUsersRole``; a name of no ASCII letters or digits, or one that would repeat
    another's id, is named by its place instead (``Group3Role``)."""
    found: dict[str, str] = {}
    for index, group in enumerate(groups):
        words = re.findall(r"[A-Za-z0-9]+", group)
        name = "".join(w[:1].upper() + w[1:] for w in words)
        role = f"{name}Role" if name else f"Group{index}Role"
        found[group] = role if role not in found.values() else f"Group{index}Role"
    return found


def identity_role(scope: Construct, construct_id: str, identity_pool_id: str, amr: Amr) -> iam.Role:
    """A role that only identities of ``identity_pool_id`` of kind ``amr`` may assume."""
    who = "signed-in users" if amr == "authenticated" else "guests"
    return iam.Role(
        scope,
        construct_id,
        description=f"Browser credentials of {who} of an identity pool ({construct_id})",
        assumed_by=iam.FederatedPrincipal(
            IDENTITY_SERVICE,
            conditions={
                "StringEquals": {f"{IDENTITY_SERVICE}:aud": identity_pool_id},
                "ForAnyValue:StringLike": {f"{IDENTITY_SERVICE}:amr": amr},
            },
            assume_role_action="sts:AssumeRoleWithWebIdentity",
        ),
    )


def pool_groups(user_pool: cognito.IUserPool) -> set[str] | None:
    """The names of the ``CfnUserPoolGroup``s of ``user_pool``'s stack that give it
    groups; ``None`` when they cannot be known (an imported pool, a name that is a token)."""
    if not isinstance(user_pool, cognito.UserPool):
        return None
    stack = cdk.Stack.of(user_pool)
    pool_id = stack.resolve(user_pool.user_pool_id)
    defined: set[str] = set()
    for child in stack.node.find_all():
        if isinstance(child, cognito.CfnUserPoolGroup):
            name = child.group_name
            if name is None or is_token(name):
                return None
            if stack.resolve(child.user_pool_id) == pool_id:
                defined.add(name)
    return defined


def overlapping(group: str, others: Iterable[str]) -> list[str]:
    """The names among ``others`` that contain ``group``: a rule ``cognito:groups``
    ``Contains`` ``group`` may match their members too, so Cognito's first match would
    hand them ``group``'s role."""
    return sorted(o for o in others if o != group and group in o)


def group_problems(user_pool: cognito.IUserPool, groups: Sequence[str]) -> list[str]:
    """What is wrong with ``groups`` given the pool's own groups (when they are known)."""
    defined = pool_groups(user_pool)
    if defined is None:
        return []
    problems = []
    missing = [g for g in groups if not is_token(g) and g not in defined]
    if missing:
        problems.append(
            f"groups {missing} are not groups of the user pool {user_pool.node.path} "
            "(no CfnUserPoolGroup of it has these names)"
        )
    for group in groups:
        wider = overlapping(group, defined)
        if wider:
            problems.append(
                f"group {group!r} is part of the names of the pool's groups {wider}: the "
                f"rule matching {group!r} in cognito:groups could give their members its role"
            )
    return problems
