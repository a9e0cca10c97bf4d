"""The local backend's AWS resources in moto: tables, the user pool, the usage stream."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from tools.local_shop.template import ShopTemplate

#: The shopper the local backend creates (with TOTP MFA, as the pool requires).
SHOPPER_EMAIL = "shopper@example.com"
SHOPPER_PASSWORD = "Local-Shop-Pa55!"
#: The administrator the local backend creates when it runs order review (in the pool's
#: groups, which the review route and the product writes require).
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "Local-Admin-Pa55!"
#: moto accepts any code for a software token (it does not check TOTP codes by default).
MFA_CODE = "123456"
_POOL_SETTINGS = (
    "Policies",
    "AutoVerifiedAttributes",
    "UsernameAttributes",
    "AdminCreateUserConfig",
    "AccountRecoverySetting",
)
_CLIENT_SETTINGS = ("ExplicitAuthFlows", "PreventUserExistenceErrors")


@dataclass(frozen=True)
class UserPool:
    """The moto user pool and app client, made like the template's."""

    pool_id: str
    client_id: str


def client(service: str, endpoint: str, region: str) -> Any:
    """A boto3 client of ``service`` in moto."""
    return boto3.session.Session().client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def create_tables(
    shop: ShopTemplate,
    endpoint: str,
    region: str,
    prefix: str,
    existing: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The template's tables but ``existing`` ones (logical ids), each named
    ``<prefix>-<logical id>``; logical id -> name of those created."""
    dynamodb = client("dynamodb", endpoint, region)
    names = {
        logical_id: f"{prefix}-{logical_id}"
        for logical_id in shop.tables
        if logical_id not in (existing or {})
    }
    for logical_id, definition in shop.tables.items():
        if logical_id not in names:
            continue
        dynamodb.create_table(TableName=names[logical_id], **definition)
        dynamodb.get_waiter("table_exists").wait(TableName=names[logical_id])
    return names


def create_user_pool(shop: ShopTemplate, endpoint: str, region: str) -> UserPool:
    """The pool and app client with the template's settings (MFA, sign-in flows)."""
    idp = client("cognito-idp", endpoint, region)
    pool_props: Mapping[str, Any] = shop.user_pool
    settings = {k: pool_props[k] for k in _POOL_SETTINGS if k in pool_props}
    pool_id = idp.create_user_pool(PoolName=f"LocalShop-{shop.stage_name}", **settings)["UserPool"][
        "Id"
    ]
    if pool_props.get("MfaConfiguration", "OFF") != "OFF":
        idp.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={
                "Enabled": "SOFTWARE_TOKEN_MFA" in pool_props.get("EnabledMfas", [])
            },
            MfaConfiguration=pool_props["MfaConfiguration"],
        )
    client_props = shop.user_pool_client
    client_settings = {k: client_props[k] for k in _CLIENT_SETTINGS if k in client_props}
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="LocalShop", **client_settings
    )["UserPoolClient"]["ClientId"]
    return UserPool(pool_id=pool_id, client_id=client_id)


def create_shopper(pool: UserPool, endpoint: str, region: str, email: str, password: str) -> None:
    """A confirmed user with a permanent password and a verified authenticator app."""
    idp = client("cognito-idp", endpoint, region)
    idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool.pool_id, Username=email, Password=password, Permanent=True
    )
    tokens = idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    idp.associate_software_token(AccessToken=tokens["AccessToken"])
    idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=MFA_CODE)
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id,
        Username=email,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )


def create_admin(
    pool: UserPool, endpoint: str, region: str, email: str, password: str, groups: list[str]
) -> None:
    """A user like the shopper, also a member of ``groups`` (created in the pool)."""
    create_shopper(pool, endpoint, region, email, password)
    idp = client("cognito-idp", endpoint, region)
    for group in groups:
        idp.create_group(UserPoolId=pool.pool_id, GroupName=group)
        idp.admin_add_user_to_group(UserPoolId=pool.pool_id, Username=email, GroupName=group)


def sign_in(pool: UserPool, endpoint: str, region: str, email: str, password: str) -> str:
    """An ID token of ``email``: ``USER_PASSWORD_AUTH``, then the TOTP challenge the pool
    requires (:data:`MFA_CODE`), as the storefront signs in."""
    idp = client("cognito-idp", endpoint, region)
    challenge = idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    if challenge.get("ChallengeName") != "SOFTWARE_TOKEN_MFA":
        raise RuntimeError(f"expected the pool's MFA challenge, got {challenge!r}")
    signed_in = idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": MFA_CODE},
    )
    return str(signed_in["AuthenticationResult"]["IdToken"])


def create_stream(name: str, endpoint: str, region: str) -> str:
    """A one-shard Kinesis stream; its name."""
    kinesis = client("kinesis", endpoint, region)
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name)
    return name
