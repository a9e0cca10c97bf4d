"""A stand-in for the identity pool's credentials exchange and for the Kinesis calls the
storefront signs with them (under ``/aws/``), on moto's Cognito Identity and Kinesis.

``/aws/identity/`` answers ``GetId`` and ``GetCredentialsForIdentity`` as Cognito does for
the template's ``AWS::Cognito::IdentityPool``: a login must be a verified ID token of the
user pool (the provider ``cognito-idp.<region>.amazonaws.com/<pool id>``), a visitor
without one gets an identity only when the pool allows guests, one user keeps one
identity, and the role is chosen by the template's role mapping (rules on
``cognito:groups`` in order, then the ambiguous-role resolution). The identity ids come
from moto (``GetId``); the credentials are this stand-in's own, one key per exchange
(moto hands everyone the same fixed key), so that

``/aws/kinesis/`` can check a ``PutRecord(s)`` as AWS would: SigV4 recomputed with
botocore from the issued secret (signature, session token, expiry, region and service),
the action allowed by the role's policies in the template, and the stream the stage's.
Then the records go into moto's stream.

What it does NOT do: conditions and resources of the role's policies beyond the stream
are not evaluated (``tests/test_shopper_identity.py`` judges the template's policies),
and nothing but ``PutRecord`` and ``PutRecords`` is forwarded to Kinesis.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tools.local_shop.gateway import Answer, json_answer
from tools.local_shop.resources import client
from tools.local_shop.tokens import InvalidTokenError, TokenVerifier

#: The path the server mounts the stand-in under (``ShopServer`` routes by prefix).
PREFIX = "/aws/"
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<day>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)
_CORS_HEADERS = "content-type,x-amz-target,x-amz-date,x-amz-security-token,authorization"


@dataclass(frozen=True)
class IdentitySpec:
    """The template's identity pool: guests, roles, the mapping and each role's actions."""

    allow_guests: bool
    authenticated_role: str
    guest_role: str | None
    rules: tuple[tuple[str, str], ...]  # (group, role's logical id), in order
    unmatched: str  # AuthenticatedRole or Deny
    actions: Mapping[str, frozenset[str]]  # role's logical id -> actions it is allowed


def read_identity(template: Mapping[str, Any]) -> IdentitySpec | None:
    """The stack's identity pool (one at most); ``None`` if it has none."""
    resources = template["Resources"]
    pools = [r for r in resources.values() if r["Type"] == "AWS::Cognito::IdentityPool"]
    attachments = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Cognito::IdentityPoolRoleAttachment"
    ]
    if not pools or not attachments:
        return None
    roles, mappings = attachments[0]["Roles"], attachments[0].get("RoleMappings", {})
    rules: list[tuple[str, str]] = []
    unmatched = "AuthenticatedRole"
    for mapping in mappings.values():
        unmatched = mapping.get("AmbiguousRoleResolution", unmatched)
        for rule in mapping["RulesConfiguration"]["Rules"]:
            rules.append((rule["Value"], rule["RoleARN"]["Fn::GetAtt"][0]))
    actions: dict[str, set[str]] = {}
    for resource in resources.values():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        props = resource["Properties"]
        for role in props.get("Roles", []):
            for statement in props["PolicyDocument"]["Statement"]:
                if statement["Effect"] == "Allow":
                    given = statement.get("Action", [])
                    actions.setdefault(role.get("Ref", ""), set()).update(
                        [given] if isinstance(given, str) else given
                    )
    guest = roles.get("unauthenticated")
    return IdentitySpec(
        allow_guests=bool(pools[0]["Properties"].get("AllowUnauthenticatedIdentities")),
        authenticated_role=roles["authenticated"]["Fn::GetAtt"][0],
        guest_role=guest["Fn::GetAtt"][0] if guest else None,
        rules=tuple(rules),
        unmatched=unmatched,
        actions={role: frozenset(found) for role, found in actions.items()},
    )


@dataclass(frozen=True)
class Issued:
    """Credentials this stand-in handed out, and the role they are of."""

    secret: str
    token: str
    role: str
    expires: float


class _AwsError(Exception):
    """An error answer as AWS's JSON protocols give it (``__type`` and ``message``)."""

    def __init__(self, kind: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


class LocalIdentity:
    """``handle(method, path, query, headers, body)`` for ``/aws/identity/`` and
    ``/aws/kinesis/``; ``issued`` holds every credential handed out, by access key id."""

    def __init__(
        self,
        spec: IdentitySpec,
        *,
        endpoint: str,
        region: str,
        pool: Any,
        tokens: TokenVerifier,
        stream: str,
        origin: str,
    ) -> None:
        self.spec = spec
        self.region = region
        self.tokens = tokens
        self.origin = origin
        self.provider = f"cognito-idp.{region}.amazonaws.com/{pool.pool_id}"
        self._identity = client("cognito-identity", endpoint, region)
        self.kinesis = client("kinesis", endpoint, region)
        self.pool_id: str = self._identity.create_identity_pool(
            IdentityPoolName="LocalShop",
            AllowUnauthenticatedIdentities=spec.allow_guests,
            CognitoIdentityProviders=[{"ProviderName": self.provider, "ClientId": pool.client_id}],
        )["IdentityPoolId"]
        self.stream = stream
        self.stream_arn: str = self.kinesis.describe_stream_summary(StreamName=stream)[
            "StreamDescriptionSummary"
        ]["StreamARN"]
        self._users: dict[str, str] = {}  # sub -> identity id
        self._kinds: dict[str, str | None] = {}  # identity id -> sub (None: a guest)
        self.issued: dict[str, Issued] = {}

    def page_config(self, base_url: str) -> dict[str, str]:
        """The keys of ``config.json`` that point the page at this stand-in."""
        found = {
            "identityPoolId": self.pool_id,
            "identityEndpoint": f"{base_url}{PREFIX[1:]}identity/",
            "eventsStream": self.stream_arn,
            "kinesisEndpoint": f"{base_url}{PREFIX[1:]}kinesis/",
        }
        if self.spec.allow_guests:
            found["guestEvents"] = "true"
        return found

    def handle(
        self, method: str, path: str, _query: Any, headers: Mapping[str, str], body: bytes
    ) -> Answer:
        cors = {"Access-Control-Allow-Origin": self.origin, "Vary": "Origin"}
        if method == "OPTIONS":
            allow = {"Access-Control-Allow-Headers": _CORS_HEADERS}
            return Answer(204, {**cors, **allow, "Access-Control-Allow-Methods": "POST"})
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            if method != "POST":
                raise _AwsError("MethodNotAllowed", method, 405)
            request = json.loads(body or b"{}")
            target = lower.get("x-amz-target", "")
            if path == "/identity/":
                return json_answer(200, self._exchange(target, request), cors)
            if path == "/kinesis/":
                issued = self._check_signature(f"{PREFIX[:-1]}{path}", lower, body)
                return json_answer(200, self._put(target, issued.role, request), cors)
            raise _AwsError("NotFound", path, 404)
        except _AwsError as refused:
            return json_answer(
                refused.status, {"__type": refused.kind, "message": refused.message}, cors
            )

    # -- Cognito Identity ------------------------------------------------------------

    def _login(self, request: Mapping[str, Any]) -> dict[str, str] | None:
        """The claims of the request's login, ``None`` for a guest."""
        logins = request.get("Logins") or {}
        if not logins:
            if not self.spec.allow_guests:
                raise _AwsError(
                    "NotAuthorizedException",
                    "Unauthenticated access is not supported for this identity pool.",
                )
            return None
        if set(logins) != {self.provider}:
            raise _AwsError("NotAuthorizedException", f"Invalid login provider {list(logins)}")
        try:
            return self.tokens.claims(logins[self.provider])
        except InvalidTokenError as error:
            raise _AwsError("NotAuthorizedException", f"Invalid login token. {error}") from None

    def _exchange(self, target: str, request: Mapping[str, Any]) -> dict[str, Any]:
        claims = self._login(request)
        sub = claims["sub"] if claims else None
        if target == "AWSCognitoIdentityService.GetId":
            if request.get("IdentityPoolId") != self.pool_id:
                raise _AwsError("ResourceNotFoundException", "IdentityPool not found")
            if sub is not None and sub in self._users:
                return {"IdentityId": self._users[sub]}
            identity_id = self._identity.get_id(IdentityPoolId=self.pool_id)["IdentityId"]
            self._kinds[identity_id] = sub
            if sub is not None:
                self._users[sub] = identity_id
            return {"IdentityId": identity_id}
        if target != "AWSCognitoIdentityService.GetCredentialsForIdentity":
            raise _AwsError("UnknownOperationException", target)
        identity_id = request.get("IdentityId", "")
        if identity_id not in self._kinds or self._kinds[identity_id] != sub:
            raise _AwsError("NotAuthorizedException", "Invalid identity or login.")
        role = self._role(claims)
        answer = self._identity.get_credentials_for_identity(IdentityId=identity_id)
        expires = answer["Credentials"]["Expiration"].timestamp()
        key = "ASIA" + secrets.token_hex(8).upper()
        issued = Issued(secrets.token_urlsafe(30), secrets.token_urlsafe(60), role, expires)
        self.issued[key] = issued
        credentials = {
            "AccessKeyId": key,
            "SecretKey": issued.secret,
            "SessionToken": issued.token,
            "Expiration": expires,
        }
        return {"IdentityId": identity_id, "Credentials": credentials}

    def _role(self, claims: Mapping[str, str] | None) -> str:
        if claims is None:
            assert self.spec.guest_role is not None  # allow_guests: the template has one
            return self.spec.guest_role
        groups = [g for g in claims.get("cognito:groups", "").split(",") if g]
        for group, role in self.spec.rules:
            if group in groups:
                return role
        if self.spec.unmatched == "Deny":
            raise _AwsError("InvalidIdentityPoolConfigurationException", "no role matches")
        return self.spec.authenticated_role

    # -- Kinesis ---------------------------------------------------------------------

    def _check_signature(self, path: str, headers: Mapping[str, str], body: bytes) -> Issued:
        """The credentials the request is signed with, if the signature is theirs."""
        found = _AUTHORIZATION.match(headers.get("authorization", ""))
        if found is None:
            raise _AwsError("MissingAuthenticationTokenException", "no SigV4 signature")
        issued = self.issued.get(found["key"])
        if issued is None:
            raise _AwsError("UnrecognizedClientException", "The security token is invalid.")
        if headers.get("x-amz-security-token") != issued.token or issued.expires < time.time():
            raise _AwsError("ExpiredTokenException", "The security token is expired or wrong.")
        if (found["region"], found["service"]) != (self.region, "kinesis"):
            raise _AwsError("InvalidSignatureException", "wrong credential scope")
        signed = found["signed"].split(";")
        if "host" not in signed or "x-amz-date" not in signed:
            raise _AwsError("InvalidSignatureException", "host and x-amz-date must be signed")
        request = AWSRequest(
            method="POST",
            url=f"http://{headers['host']}{path}",
            data=body,
            headers={name: headers[name] for name in signed if name != "host"},
        )
        request.context["timestamp"] = headers["x-amz-date"]
        auth = SigV4Auth(
            Credentials(found["key"], issued.secret, issued.token), "kinesis", self.region
        )
        expected = auth.signature(
            auth.string_to_sign(request, auth.canonical_request(request)), request
        )
        if not hmac.compare_digest(expected, found["signature"]):
            raise _AwsError("InvalidSignatureException", "The signature does not match.")
        return issued

    def _put(self, target: str, role: str, request: Mapping[str, Any]) -> dict[str, Any]:
        operation = target.removeprefix("Kinesis_20131202.")
        if operation not in ("PutRecord", "PutRecords"):
            raise _AwsError("UnknownOperationException", f"{target} is not stood in for")
        if f"kinesis:{operation}" not in self.spec.actions.get(role, frozenset()):
            raise _AwsError("AccessDeniedException", f"{role} may not call {operation}")
        if request.get("StreamARN") != self.stream_arn:
            raise _AwsError("AccessDeniedException", f"{role} may write {self.stream_arn} only")
        records = request["Records"] if operation == "PutRecords" else [request]
        answer = self.kinesis.put_records(
            StreamName=self.stream,
            Records=[
                {"Data": base64.b64decode(r["Data"]), "PartitionKey": r["PartitionKey"]}
                for r in records
            ],
        )
        if operation == "PutRecord":
            return dict(answer["Records"][0])
        return {"FailedRecordCount": answer["FailedRecordCount"], "Records": answer["Records"]}
