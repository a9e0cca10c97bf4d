"""Lambda entry point: the REQUEST authorizer of ``$connect``, checking ``?token=``
(see ``tokens`` for what is checked) against the signing secret."""

from __future__ import annotations

import os
import time
from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from live_updates.tokens import InvalidTokenError, verify
from shop_common.observability import logger, tracer

#: How long a fetched secret is reused (a rotated secret takes effect within this).
SECRET_CACHE_SECONDS = 300
_cached: dict[str, tuple[float, bytes]] = {}


def signing_secret(arn: str) -> bytes:
    """The secret's value, fetched at most every :data:`SECRET_CACHE_SECONDS`."""
    fetched = _cached.get(arn)
    if fetched is None or time.monotonic() - fetched[0] > SECRET_CACHE_SECONDS:
        value = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        fetched = (time.monotonic(), value.encode())
        _cached[arn] = fetched
    return fetched[1]


def decide(event: dict[str, Any], secret: bytes) -> dict[str, Any]:
    """An IAM policy allowing or denying this connect (``methodArn``)."""
    token = (event.get("queryStringParameters") or {}).get("token") or ""
    try:
        subject = verify(secret, token)
    except InvalidTokenError as error:
        logger.info("connect refused", extra={"reason": str(error)})
        return _policy("anonymous", "Deny", event["methodArn"])
    return _policy(subject, "Allow", event["methodArn"])


def _policy(principal: str, effect: str, resource: str) -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return decide(event, signing_secret(os.environ["TOKEN_SECRET_ARN"]))
