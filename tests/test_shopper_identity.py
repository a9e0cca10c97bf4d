"""The shop's identity pool (``ShopperIdentity`` of every stage's ``Web`` stack): who gets
which role, what each may call, and what the storefront may connect to for it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.policies import (
    ALLOW,
    IMPLICIT_DENY,
    Request,
    evaluate,
    resources_of,
    role_statements,
)
from tools.assembly import StackArtifact

STAGES = ("Dev", "Staging", "Prod")
SERVICE = "cognito-identity.amazonaws.com"
ASSUME = "sts:AssumeRoleWithWebIdentity"
READS = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem")
ANOTHER_STREAM = "arn:aws:kinesis:eu-west-1:123456789012:stream/another"


def _output(template: dict[str, Any], statements: list[dict[str, Any]], name: str) -> Any:
    """The Streaming stack's output (``Fn::GetStackOutput``) of ``name``'s ARN, as the
    Web stack's policies name it."""
    for statement in statements:
        resources = statement["Resource"]
        for resource in resources if isinstance(resources, list) else [resources]:
            output = resource.get("Fn::GetStackOutput", {}) if isinstance(resource, dict) else {}
            if name in output.get("OutputName", ""):
                return resource
    raise AssertionError(f"no statement names {name}")


class Identity:
    """One stage's identity pool, its roles and the stage's stream and counts table."""

    def __init__(self, artifact: StackArtifact, streaming: StackArtifact) -> None:
        self.template = artifact.template()
        ((self.pool_id, self.pool),) = resources_of(
            self.template, "AWS::Cognito::IdentityPool"
        ).items()
        (attachment,) = resources_of(
            self.template, "AWS::Cognito::IdentityPoolRoleAttachment"
        ).values()
        self.attachment = attachment["Properties"]
        self.authenticated = self.attachment["Roles"]["authenticated"]["Fn::GetAtt"][0]
        guest = self.attachment["Roles"].get("unauthenticated")
        self.guest = guest["Fn::GetAtt"][0] if guest else None
        (mapping,) = self.attachment["RoleMappings"].values()
        self.rules = mapping["RulesConfiguration"]["Rules"]
        self.resolution = mapping["AmbiguousRoleResolution"]
        statements = role_statements(self.template, self.authenticated)
        self.stream = _output(self.template, statements, "EventsStream")
        streaming_ids = streaming.template()["Resources"]
        assert any(k.startswith("EventsStream") for k in streaming_ids)

    def role_of(self, groups: list[str]) -> str | None:
        """Cognito's rules: the first rule whose group the user is in, else the resolution."""
        for rule in self.rules:
            if rule["Claim"] == "cognito:groups" and rule["Value"] in groups:
                return str(rule["RoleARN"]["Fn::GetAtt"][0])
        return self.authenticated if self.resolution == "AuthenticatedRole" else None

    def may(self, role: str, action: str, resource: Any) -> str:
        return evaluate(role_statements(self.template, role), Request(action, resource))

    def counts(self, role: str) -> Any:
        return _output(self.template, role_statements(self.template, role), "CountsTable")


@pytest.fixture(params=STAGES)
def identity(request: Any, stack_artifacts: dict[str, StackArtifact]) -> Identity:
    stage = request.param
    return Identity(stack_artifacts[f"{stage}/Web"], stack_artifacts[f"{stage}/Streaming"])


def test_a_shopper_puts_events_into_the_stages_stream_only(identity: Identity) -> None:
    shopper = identity.authenticated
    assert identity.role_of([]) == shopper
    assert identity.may(shopper, "kinesis:PutRecords", identity.stream) == ALLOW
    assert identity.may(shopper, "kinesis:PutRecord", identity.stream) == ALLOW
    assert identity.may(shopper, "kinesis:PutRecords", ANOTHER_STREAM) == IMPLICIT_DENY
    assert identity.may(shopper, "kinesis:GetRecords", identity.stream) == IMPLICIT_DENY
    admin = identity.role_of(["admin"])
    assert admin is not None
    counts = identity.counts(admin)
    for read in READS:
        assert identity.may(shopper, read, counts) == IMPLICIT_DENY, read


def test_an_admin_also_reads_the_counts(identity: Identity) -> None:
    admin = identity.role_of(["admin"])
    assert admin is not None
    assert admin != identity.authenticated
    counts = identity.counts(admin)
    assert identity.may(admin, "kinesis:PutRecords", identity.stream) == ALLOW
    for read in READS:
        assert identity.may(admin, read, counts) == ALLOW, read
    for write in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert identity.may(admin, write, counts) == IMPLICIT_DENY, write


def test_guests_put_events_only_where_the_stage_enables_them(
    identity: Identity, stack_artifacts: dict[str, StackArtifact]
) -> None:
    dev = identity.template == stack_artifacts["Dev/Web"].template()
    assert identity.pool["Properties"]["AllowUnauthenticatedIdentities"] is dev
    if not dev:
        assert identity.guest is None
        return
    assert identity.guest is not None
    guest = identity.guest
    assert identity.may(guest, "kinesis:PutRecords", identity.stream) == ALLOW
    assert identity.may(guest, "kinesis:PutRecord", identity.stream) == ALLOW
    assert identity.may(guest, "kinesis:PutRecords", ANOTHER_STREAM) == IMPLICIT_DENY
    admin = identity.role_of(["admin"])
    assert admin is not None
    for read in READS:
        assert identity.may(guest, read, identity.counts(admin)) == IMPLICIT_DENY
    statements = role_statements(identity.template, guest)
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"kinesis:PutRecord", "kinesis:PutRecords"}


def test_roles_trust_only_this_pool_and_their_kind_of_identity(identity: Identity) -> None:
    roles = {identity.authenticated: "authenticated", identity.role_of(["admin"]): "authenticated"}
    if identity.guest is not None:
        roles[identity.guest] = "unauthenticated"
    pool = {"Ref": identity.pool_id}
    for role, amr in roles.items():
        assert role is not None
        trust = identity.template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]

        def assume(aud: Any, kinds: list[str], trust: Any = trust) -> str:
            context = {f"{SERVICE}:aud": aud, f"{SERVICE}:amr": kinds}
            principal = ("Federated", SERVICE)
            return evaluate(trust["Statement"], Request(ASSUME, "*", principal, context))

        wrong = "unauthenticated" if amr == "authenticated" else "authenticated"
        assert assume(pool, [amr]) == ALLOW, role
        assert assume("eu-west-1:11111111-2222-3333-4444-555555555555", [amr]) == IMPLICIT_DENY
        assert assume(pool, [wrong]) == IMPLICIT_DENY, role
        assert assume(pool, []) == IMPLICIT_DENY, role


def test_the_storefront_may_connect_to_the_identity_pool_and_kinesis(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    for stage in STAGES:
        template = stack_artifacts[f"{stage}/Web"].template()
        (policy,) = resources_of(template, "AWS::CloudFront::ResponseHeadersPolicy").values()
        headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        text = str(csp)
        connect = text[text.index("connect-src") :]
        for service in ("cognito-identity", "kinesis"):
            assert f"https://{service}." in connect, (stage, service)
