"""``BrowserIdentity``: temporary AWS credentials for a user pool's browsers, one IAM role
per user-pool group, granted like CDK's own resources."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Literal

import aws_cdk as cdk
import jsii
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from constructs import Construct, IValidation

from patterns._grants import acknowledged
from patterns._identity_roles import (
    MAX_RULES,
    check_group_names,
    group_problems,
    identity_role,
    overlapping,
    role_ids,
)
from patterns._metadata import mark_pattern
from patterns._types import checked

#: What a signed-in user of none of the mapped groups gets: the authenticated role, or no
#: credentials at all (Cognito's ``AmbiguousRoleResolution``).
UnmatchedUsers = Literal["authenticated-role", "deny"]
_RESOLUTION: Mapping[str, str] = {"authenticated-role": "AuthenticatedRole", "deny": "Deny"}

#: The Kinesis calls a producer makes: one record, or up to 500 in one request.
PUT_RECORD_ACTIONS = ("kinesis:PutRecord", "kinesis:PutRecords")

_Grant = Callable[[iam.IGrantable], iam.Grant]


class BrowserIdentity(Construct):
    """A Cognito identity pool trusting one user pool app client: a signed-in user's
    browser trades its ID token for temporary AWS credentials of the role its user-pool
    group maps to, and calls AWS (Kinesis, DynamoDB, ...) with them, no server in between.

    Children: ``Resource`` (the ``AWS::Cognito::IdentityPool``), ``Roles`` (the role
    attachment and mapping), ``AuthenticatedRole``, ``GuestRole`` (with
    ``allow_guests``) and one ``<Group>Role`` per group that has been granted something.

    Roles are mapped by rules on the ID token's ``cognito:groups`` claim, in the order of
    ``groups`` (the first group a user belongs to wins: list the most privileged first).
    A group nothing has been granted to has no role and no rule: its members are users of
    no mapped group (``unmatched_users``). Every role trusts only this identity pool
    (``cognito-identity.amazonaws.com:aud``) and only its kind of identity (``amr``
    ``authenticated``, or ``unauthenticated`` for the guest role), for
    ``sts:AssumeRoleWithWebIdentity``. The classic (basic) flow is off: a browser gets
    credentials only through the role mapping (``GetCredentialsForIdentity``), and Cognito
    checks with the user pool that the token has not been revoked.

    A grant with neither ``group`` nor ``guests`` is for every signed-in user: it goes to
    the authenticated role and to every group's role (made before or after it).

    :param user_pool: the user pool whose users sign in (``UserPool.from_user_pool_id``
        too). Required.
    :param user_pool_client: the app client the browser signs in with. Required.
    :param groups: the user-pool groups whose members get roles of their own, most
        privileged first, at most 25 (Cognito's limit on rules). Names as Cognito allows
        them: 1..128 characters, no white space; none inside another's name (Cognito's
        rules match ``cognito:groups`` by ``Contains``, so ``admin`` could match members of
        ``admins``). When the pool is defined in this app, each must be a
        ``CfnUserPoolGroup`` of it, and no other group of it may contain its name
        (checked at synthesis). Default: none,
        every signed-in user gets the authenticated role.
    :param allow_guests: let visitors who have not signed in get credentials of
        ``guest_role`` (unauthenticated identities). Default: False, no guest role.
    :param unmatched_users: what a signed-in user of none of the granted groups gets:
        ``"authenticated-role"`` or ``"deny"`` (no credentials). Default:
        ``"authenticated-role"``.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
        groups: Sequence[str] | None = None,
        allow_guests: bool = False,
        unmatched_users: UnmatchedUsers = "authenticated-role",
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        self._groups = check_group_names(groups or ())
        for group in self._groups:
            if overlapping(group, self._groups):
                raise ValueError(
                    f"groups must not hold one name inside another (Cognito's rules match "
                    f"cognito:groups by Contains), got {group!r} in "
                    f"{overlapping(group, self._groups)}"
                )
        if len(self._groups) > MAX_RULES:
            raise ValueError(
                f"groups must name at most {MAX_RULES} groups (Cognito's rules per role "
                f"mapping), got {len(self._groups)}"
            )
        self._role_ids = role_ids(self._groups)
        self.user_pool = user_pool
        self.user_pool_client = user_pool_client
        #: The identity pool.
        self.identity_pool = cognito.CfnIdentityPool(
            self,
            "Resource",
            allow_unauthenticated_identities=allow_guests,
            allow_classic_flow=False,
            cognito_identity_providers=[
                cognito.CfnIdentityPool.CognitoIdentityProviderProperty(
                    client_id=user_pool_client.user_pool_client_id,
                    provider_name=user_pool.user_pool_provider_name,
                    server_side_token_check=True,
                )
            ],
        )
        #: The identity pool's id (``<region>:<uuid>``), which the browser sends to
        #: ``GetId``.
        self.identity_pool_id: str = self.identity_pool.ref
        #: The role of signed-in users of no granted group (and what every group's role
        #: also gets from a grant to every signed-in user).
        self.authenticated_role = identity_role(
            self, "AuthenticatedRole", self.identity_pool_id, "authenticated"
        )
        #: The role of visitors who have not signed in; ``None`` unless ``allow_guests``.
        self.guest_role: iam.Role | None = (
            identity_role(self, "GuestRole", self.identity_pool_id, "unauthenticated")
            if allow_guests
            else None
        )
        if allow_guests:
            cdk.Validations.of(self.identity_pool).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-COG7",
                    reason="Guests were asked for (allow_guests): their role holds only what "
                    "is granted to guests explicitly.",
                )
            )
        self._group_roles: dict[str, iam.Role] = {}
        #: Grants for every signed-in user, replayed on each group role made later.
        self._everyone: list[_Grant] = []
        roles = {"authenticated": self.authenticated_role.role_arn}
        if self.guest_role is not None:
            roles["unauthenticated"] = self.guest_role.role_arn
        self._provider = cdk.Fn.join(
            ":", [user_pool.user_pool_provider_name, user_pool_client.user_pool_client_id]
        )
        self._resolution = _RESOLUTION[unmatched_users]
        #: The identity pool's roles and their mapping by group (``Roles``).
        self.role_attachment = cognito.CfnIdentityPoolRoleAttachment(
            self,
            "Roles",
            identity_pool_id=self.identity_pool_id,
            roles=roles,
            # Rules for the groups granted something, known only once every grant is made.
            role_mappings=cdk.Lazy.any(_RoleMappings(self)),
        )
        self.node.add_validation(_GroupsExist(self, user_pool))

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups given, in their order of precedence."""
        return self._groups

    @property
    def group_roles(self) -> Mapping[str, iam.Role]:
        """The role of each group granted something so far, by group name."""
        return MappingProxyType(self._group_roles)

    def role_for(self, *, group: str | None = None, guests: bool = False) -> iam.Role:
        """The role of ``group`` (made now if it has none yet), of guests (``guests``), or
        of signed-in users of no group (neither). Grant it what no ``grant_*`` method covers;
        unlike those, a grant to this role alone does not reach the groups' roles."""
        if group is not None and guests:
            raise ValueError(f"give group or guests, not both: got group={group!r} and guests")
        if guests:
            if self.guest_role is None:
                raise ValueError(
                    "guests=True needs BrowserIdentity(allow_guests=True): this identity "
                    "pool gives visitors who have not signed in no credentials"
                )
            return self.guest_role
        if group is None:
            return self.authenticated_role
        if not isinstance(group, str):
            raise TypeError(f"group must be a str, got {group!r} ({type(group).__name__})")
        if group not in self._groups:
            raise ValueError(
                f"group must be one of the groups given to BrowserIdentity "
                f"{list(self._groups)}, got {group!r}"
            )
        if group not in self._group_roles:
            role = identity_role(
                self, self._role_ids[group], self.identity_pool_id, "authenticated"
            )
            self._group_roles[group] = role
            for grant in self._everyone:
                grant(role)
        return self._group_roles[group]

    def grant(self, make_grant: _Grant, *, group: str | None = None, guests: bool = False) -> None:
        """Apply ``make_grant`` (e.g. ``lambda role: bucket.grant_read(role, "public/*")``)
        to the role of ``group``, of guests, or (neither) of every signed-in user: the
        authenticated role and every group's role, including those made later."""
        targets = [self.role_for(group=group, guests=guests)]
        if group is None and not guests:
            self._everyone.append(make_grant)
            targets.extend(self._group_roles.values())
        for role in targets:
            make_grant(role)

    def grant_put_records(
        self, stream: kinesis.IStream, *, group: str | None = None, guests: bool = False
    ) -> None:
        """Let browsers put records into ``stream``: ``kinesis:PutRecord`` and
        ``kinesis:PutRecords`` on the stream only and, when it is encrypted with a
        customer-managed key, ``kms:GenerateDataKey`` on that key. For ``group``, for
        guests (``guests``), or (neither) for every signed-in user."""

        def put(role: iam.IGrantable) -> iam.Grant:
            granted = stream.grant(role, *PUT_RECORD_ACTIONS)
            if stream.encryption_key is not None:
                stream.encryption_key.grant(role, "kms:GenerateDataKey")
            return granted

        self.grant(put, group=group, guests=guests)

    def grant_read_data(
        self, table: dynamodb.ITable, *, group: str | None = None, guests: bool = False
    ) -> None:
        """Let browsers read ``table`` (``ITable.grant_read_data``: get, query, scan, on the
        table and its indexes). For ``group``, for guests, or for every signed-in user."""
        self.grant(
            lambda role: acknowledged(
                lambda: table.grant_read_data(role), role, "Browser reads of the table"
            ),
            group=group,
            guests=guests,
        )

    def _role_mappings(self) -> dict[str, object] | None:
        """The user pool's mapping: its rules, or none when no group has a role (every
        signed-in user then gets the authenticated role, as Cognito does by default)."""
        rules = [
            {
                "claim": "cognito:groups",
                "matchType": "Contains",
                "value": group,
                "roleArn": self._group_roles[group].role_arn,
            }
            for group in self._groups
            if group in self._group_roles
        ]
        if not rules:
            return None
        return {
            "userPool": {
                "type": "Rules",
                "identityProvider": self._provider,
                "ambiguousRoleResolution": self._resolution,
                "rulesConfiguration": {"rules": rules},
            }
        }


@jsii.implements(cdk.IStableAnyProducer)
class _RoleMappings:
    def __init__(self, identity: BrowserIdentity) -> None:
        self.identity = identity

    def produce(self) -> object:
        return self.identity._role_mappings()


@jsii.implements(IValidation)
class _GroupsExist:
    """At synthesis, for a user pool defined in the app: each group is one of its
    ``CfnUserPoolGroup``s, and none is part of another's name (an imported pool's groups
    cannot be known)."""

    def __init__(self, identity: BrowserIdentity, user_pool: cognito.IUserPool) -> None:
        self.identity = identity
        self.user_pool = user_pool

    def validate(self) -> list[str]:
        return group_problems(self.user_pool, self.identity.groups)
