"""``BrowserIdentity``: who gets which role, and what each role may call, judged from the
template the way Cognito (role mapping) and IAM (trust and identity policies) judge it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms

from patterns import BrowserIdentity
from tests.support.cdk_app import cli_context
from tests.support.policies import (
    ALLOW,
    IMPLICIT_DENY,
    Request,
    evaluate,
    resources_of,
    role_may_use_key,
    role_statements,
)
from tests.support.regulated_nag import lint_only_stack, regulated_findings

ACCOUNT, REGION = "123456789012", "eu-west-1"
SERVICE = "cognito-identity.amazonaws.com"
FEDERATED = ("Federated", SERVICE)
ASSUME = "sts:AssumeRoleWithWebIdentity"
#: What Cognito puts in ``amr`` for a user-pool user, and for a guest.
SIGNED_IN = ["authenticated", f"cognito-idp.{REGION}.amazonaws.com/pool"]
GUEST = ["unauthenticated"]


class Shop:
    """A stack with a user pool (groups ``admins``, ``customers``), the events stream,
    another stream, the counts table, and a ``BrowserIdentity`` on them."""

    def __init__(self, *, allow_guests: bool = False, unmatched: str = "authenticated-role"):
        self.app = cdk.App(context=cli_context())
        stack = cdk.Stack(self.app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
        self.stack = stack
        self.pool = cognito.UserPool(stack, "Pool")
        self.client = self.pool.add_client("Web")
        for name in ("admins", "customers"):
            cognito.CfnUserPoolGroup(
                stack, f"{name}Group", user_pool_id=self.pool.user_pool_id, group_name=name
            )
        self.events = kinesis.Stream(stack, "Events", encryption=kinesis.StreamEncryption.MANAGED)
        self.other = kinesis.Stream(stack, "Other", encryption=kinesis.StreamEncryption.MANAGED)
        self.counts = dynamodb.Table(
            stack,
            "Counts",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        )
        self.identity = BrowserIdentity(
            stack,
            "Identity",
            user_pool=self.pool,
            user_pool_client=self.client,
            groups=["admins", "customers"],
            allow_guests=allow_guests,
            unmatched_users=unmatched,  # type: ignore[arg-type]
        )

    def template(self) -> dict[str, Any]:
        return dict(self.app.synth().get_stack_by_name("Test").template)

    def id_of(self, construct: Any) -> str:
        return str(self.stack.resolve(construct.node.default_child.logical_id))

    def arn(self, construct: Any) -> dict[str, Any]:
        return {"Fn::GetAtt": [self.id_of(construct), "Arn"]}


def may(template: dict[str, Any], role_id: str, action: str, resource: Any) -> str:
    return evaluate(role_statements(template, role_id), Request(action, resource))


def role_of(template: dict[str, Any], groups: list[str]) -> Any:
    """The role ARN Cognito hands a user-pool user of ``groups`` (None: no credentials):
    the first rule whose ``cognito:groups`` contains its value, else the ambiguous-role
    resolution."""
    (attachment,) = resources_of(template, "AWS::Cognito::IdentityPoolRoleAttachment").values()
    props = attachment["Properties"]
    mappings = props.get("RoleMappings")
    if mappings is None:
        return props["Roles"]["authenticated"]
    (mapping,) = mappings.values()
    assert mapping["Type"] == "Rules"
    for rule in mapping["RulesConfiguration"]["Rules"]:
        assert (rule["Claim"], rule["MatchType"]) == ("cognito:groups", "Contains")
        if rule["Value"] in groups:
            return rule["RoleARN"]
    if mapping["AmbiguousRoleResolution"] == "AuthenticatedRole":
        return props["Roles"]["authenticated"]
    return None


def granted_shop(**kwargs: Any) -> Shop:
    """The reference app's grants: every signed-in user puts events, admins also read
    the counts, guests (when enabled) put events."""
    shop = Shop(**kwargs)
    shop.identity.grant_put_records(shop.events)
    shop.identity.grant_read_data(shop.counts, group="admins")
    if kwargs.get("allow_guests"):
        shop.identity.grant_put_records(shop.events, guests=True)
    return shop


def test_a_customer_puts_events_into_the_stream_only() -> None:
    shop = granted_shop()
    template = shop.template()
    customer = role_of(template, ["customers"])["Fn::GetAtt"][0]
    events, other, counts = shop.arn(shop.events), shop.arn(shop.other), shop.arn(shop.counts)
    assert may(template, customer, "kinesis:PutRecords", events) == ALLOW
    assert may(template, customer, "kinesis:PutRecord", events) == ALLOW
    assert may(template, customer, "kinesis:PutRecords", other) == IMPLICIT_DENY
    assert may(template, customer, "kinesis:GetRecords", events) == IMPLICIT_DENY
    for read in ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"):
        assert may(template, customer, read, counts) == IMPLICIT_DENY


def test_an_admin_also_reads_the_counts() -> None:
    shop = granted_shop()
    template = shop.template()
    admin = role_of(template, ["customers", "admins"])["Fn::GetAtt"][0]
    assert admin == shop.id_of(shop.identity.group_roles["admins"])
    counts = shop.arn(shop.counts)
    assert may(template, admin, "kinesis:PutRecords", shop.arn(shop.events)) == ALLOW
    for read in ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"):
        assert may(template, admin, read, counts) == ALLOW
    for write in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert may(template, admin, write, counts) == IMPLICIT_DENY
    assert may(template, admin, "kinesis:PutRecords", shop.arn(shop.other)) == IMPLICIT_DENY


def test_users_of_no_group_get_the_authenticated_role_or_nothing() -> None:
    template = granted_shop().template()
    authenticated = role_of(template, [])["Fn::GetAtt"][0]
    assert "AuthenticatedRole" in authenticated
    assert role_of(granted_shop(unmatched="deny").template(), ["others"]) is None


def test_guests_get_nothing_unless_enabled() -> None:
    template = granted_shop().template()
    (pool,) = resources_of(template, "AWS::Cognito::IdentityPool").values()
    assert pool["Properties"]["AllowUnauthenticatedIdentities"] is False
    (attachment,) = resources_of(template, "AWS::Cognito::IdentityPoolRoleAttachment").values()
    assert "unauthenticated" not in attachment["Properties"]["Roles"]
    trusted = [
        r
        for r in resources_of(template, "AWS::IAM::Role").values()
        if evaluate(
            r["Properties"]["AssumeRolePolicyDocument"]["Statement"],
            Request(ASSUME, "*", FEDERATED, _context(template, GUEST)),
        )
        == ALLOW
    ]
    assert trusted == []


def test_enabled_guests_only_put_records_into_that_stream() -> None:
    shop = granted_shop(allow_guests=True)
    template = shop.template()
    (attachment,) = resources_of(template, "AWS::Cognito::IdentityPoolRoleAttachment").values()
    guest = attachment["Properties"]["Roles"]["unauthenticated"]["Fn::GetAtt"][0]
    assert guest == shop.id_of(shop.identity.guest_role)
    events = shop.arn(shop.events)
    assert may(template, guest, "kinesis:PutRecords", events) == ALLOW
    assert may(template, guest, "kinesis:PutRecord", events) == ALLOW
    assert may(template, guest, "kinesis:PutRecords", shop.arn(shop.other)) == IMPLICIT_DENY
    assert may(template, guest, "kinesis:DescribeStream", events) == IMPLICIT_DENY
    assert may(template, guest, "dynamodb:GetItem", shop.arn(shop.counts)) == IMPLICIT_DENY


def _context(template: dict[str, Any], amr: list[str], pool: Any = None) -> dict[str, Any]:
    if pool is None:
        (pool_id,) = resources_of(template, "AWS::Cognito::IdentityPool")
        pool = {"Ref": pool_id}
    return {f"{SERVICE}:aud": pool, f"{SERVICE}:amr": amr}


def test_trust_policies_refuse_another_pool_and_the_wrong_kind_of_identity() -> None:
    shop = granted_shop(allow_guests=True)
    template = shop.template()
    identity = shop.identity
    kinds = {
        shop.id_of(identity.authenticated_role): SIGNED_IN,
        shop.id_of(identity.group_roles["admins"]): SIGNED_IN,
        shop.id_of(identity.guest_role): GUEST,
    }
    elsewhere = f"{REGION}:00000000-0000-0000-0000-000000000000"
    for role_id, amr in kinds.items():
        trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]
        statements = trust["Statement"]

        def assume(context: dict[str, Any], statements: Any = statements) -> str:
            return evaluate(statements, Request(ASSUME, "*", FEDERATED, context))

        assert assume(_context(template, amr)) == ALLOW, role_id
        assert assume(_context(template, amr, elsewhere)) == IMPLICIT_DENY, role_id
        wrong = GUEST if amr == SIGNED_IN else SIGNED_IN
        assert assume(_context(template, wrong)) == IMPLICIT_DENY, role_id
        assert assume({f"{SERVICE}:aud": _context(template, amr)[f"{SERVICE}:aud"]}) == (
            IMPLICIT_DENY
        ), role_id
        # Only web identities of Cognito: another principal, or plain AssumeRole, is refused.
        context = _context(template, amr)
        other = ("Federated", "accounts.google.com")
        assert evaluate(statements, Request(ASSUME, "*", other, context)) == IMPLICIT_DENY
        assert evaluate(statements, Request("sts:AssumeRole", "*", FEDERATED, context)) == (
            IMPLICIT_DENY
        )


def test_the_pool_takes_only_the_user_pool_client_through_the_enhanced_flow() -> None:
    shop = granted_shop()
    template = shop.template()
    (pool,) = resources_of(template, "AWS::Cognito::IdentityPool").values()
    props = pool["Properties"]
    assert props["AllowClassicFlow"] is False
    (provider,) = props["CognitoIdentityProviders"]
    assert provider["ClientId"] == {"Ref": shop.id_of(shop.client)}
    assert provider["ServerSideTokenCheck"] is True


def test_a_grant_to_every_user_reaches_group_roles_made_after_it() -> None:
    shop = Shop()
    shop.identity.grant_put_records(shop.events)
    shop.identity.grant_read_data(shop.counts, group="customers")  # made after the grant
    template = shop.template()
    customer = shop.id_of(shop.identity.group_roles["customers"])
    assert may(template, customer, "kinesis:PutRecords", shop.arn(shop.events)) == ALLOW
    assert may(template, customer, "dynamodb:GetItem", shop.arn(shop.counts)) == ALLOW
    # admins were granted nothing: no role, no rule, they are users of no group.
    assert "admins" not in shop.identity.group_roles
    assert role_of(template, ["admins"]) == shop.arn(shop.identity.authenticated_role)


def test_no_group_granted_means_no_role_mapping() -> None:
    shop = Shop()
    shop.identity.grant_put_records(shop.events)
    template = shop.template()
    (attachment,) = resources_of(template, "AWS::Cognito::IdentityPoolRoleAttachment").values()
    assert "RoleMappings" not in attachment["Properties"]
    assert role_of(template, ["admins"]) == shop.arn(shop.identity.authenticated_role)


def test_a_stream_of_a_customer_managed_key_grants_generate_data_key_on_it() -> None:
    shop = Shop()
    key = kms.Key(shop.stack, "StreamKey", enable_key_rotation=True)
    secret = kinesis.Stream(
        shop.stack, "Encrypted", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    other_key = kms.Key(shop.stack, "OtherKey", enable_key_rotation=True)
    shop.identity.grant_put_records(secret, group="customers")
    template = shop.template()
    role = shop.id_of(shop.identity.group_roles["customers"])
    key_id, other_id = shop.id_of(key), shop.id_of(other_key)
    assert role_may_use_key(template, role_id=role, key_id=key_id, action="kms:GenerateDataKey")
    for action in ("kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom"):
        assert not role_may_use_key(template, role_id=role, key_id=key_id, action=action)
    assert not role_may_use_key(
        template, role_id=role, key_id=other_id, action="kms:GenerateDataKey"
    )
    assert may(template, role, "kinesis:PutRecords", shop.arn(secret)) == ALLOW


def test_imported_pool_client_stream_and_table(stack: cdk.Stack) -> None:
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", f"{REGION}_Abc123")
    client = cognito.UserPoolClient.from_user_pool_client_id(stack, "Client", "client123")
    stream = kinesis.Stream.from_stream_arn(
        stack, "Stream", f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/events"
    )
    table = dynamodb.Table.from_table_name(stack, "Table", "counts")
    identity = BrowserIdentity(
        stack, "Identity", user_pool=pool, user_pool_client=client, groups=["ops"]
    )
    identity.grant_put_records(stream)
    identity.grant_read_data(table, group="ops")
    app = cdk.App.of(stack)
    assert app is not None
    template = dict(app.synth().get_stack_by_name("Test").template)
    (props,) = [
        p["Properties"] for p in resources_of(template, "AWS::Cognito::IdentityPool").values()
    ]
    assert props["CognitoIdentityProviders"][0]["ClientId"] == "client123"
    ops = role_of(template, ["ops"])["Fn::GetAtt"][0]
    statements = role_statements(template, ops)
    table_arn = stack.resolve(table.table_arn)
    assert evaluate(statements, Request("dynamodb:GetItem", table_arn)) == ALLOW
    assert evaluate(statements, Request("dynamodb:PutItem", table_arn)) == IMPLICIT_DENY
    stream_arn = stack.resolve(stream.stream_arn)
    assert evaluate(statements, Request("kinesis:PutRecords", stream_arn)) == ALLOW


@pytest.mark.parametrize(
    ("kwargs", "error", "shown"),
    [
        ({"group": "sellers"}, ValueError, "'sellers'"),
        ({"guests": True}, ValueError, "allow_guests"),
        ({"group": "admins", "guests": True}, ValueError, "'admins'"),
        ({"group": 3}, TypeError, "3"),
    ],
)
def test_a_grant_names_a_mistake(kwargs: dict[str, Any], error: type, shown: str) -> None:
    shop = Shop()
    with pytest.raises(error, match=shown):
        shop.identity.grant_put_records(shop.events, **kwargs)


def test_a_group_the_pool_does_not_have_fails_synthesis() -> None:
    shop = Shop()
    BrowserIdentity(
        shop.stack,
        "Typo",
        user_pool=shop.pool,
        user_pool_client=shop.client,
        groups=["admins", "sellers"],
    )
    with pytest.raises(RuntimeError, match=r"\['sellers'\] are not groups of the user pool"):
        shop.app.synth()


def test_a_group_whose_name_another_pool_group_contains_fails_synthesis() -> None:
    shop = Shop()
    cognito.CfnUserPoolGroup(
        shop.stack, "Wider", user_pool_id=shop.pool.user_pool_id, group_name="customers-eu"
    )
    with pytest.raises(RuntimeError, match=r"group 'customers' is part of .*'customers-eu'"):
        shop.app.synth()


def test_every_pack_is_clean(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path), context=cli_context())
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", f"{REGION}_Abc123")
    client = cognito.UserPoolClient.from_user_pool_client_id(stack, "Client", "client123")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    stream = kinesis.Stream(
        stack, "Events", encryption=kinesis.StreamEncryption.KMS, encryption_key=key
    )
    table = dynamodb.Table.from_table_name(stack, "Counts", "counts")
    for name, guests in (("Members", False), ("Open", True)):
        identity = BrowserIdentity(
            stack,
            name,
            user_pool=pool,
            user_pool_client=client,
            groups=["admins"],
            allow_guests=guests,
        )
        identity.grant_put_records(stream)
        identity.grant_read_data(table, group="admins")
        if guests:
            identity.grant_put_records(stream, guests=True)
    findings = regulated_findings(app, stack, tmp_path)
    assert [f for f in findings if "/Members/" in f or "/Open/" in f] == []
    assert lint_only_stack(tmp_path) == []
