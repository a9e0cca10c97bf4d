"""Lambda entry point of ``GET /live-token`` on the shop's API: a short-lived token that
opens a live-updates connection, for the signed-in caller.

API Gateway's Cognito authorizer has verified the caller before this runs; the token's
subject is the caller's ``sub``. A token lives ``TOKEN_LIFETIME_SECONDS`` (default 900):
a dashboard asks for a new one whenever it reconnects, so a stolen token is useful for
minutes, and the signing secret never leaves AWS.

    200 {"token": "<payload>.<signature>", "expires_at": <epoch s>, "expires_in": <s>}
"""

from __future__ import annotations

import os
import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from live_updates.authorizer import signing_secret
from live_updates.tokens import issue
from shop_common.http import Request, caller_claims
from shop_common.observability import logger, tracer
from shop_common.router import Cors, Response, Router

#: The route this function serves.
ROUTE = "/live-token"
DEFAULT_LIFETIME_SECONDS = 900

app = Router(cors=Cors(allow_origin=os.environ.get("ALLOWED_ORIGIN", "*")))


def token_for(claims: dict[str, Any], secret: bytes, lifetime: int, now: float) -> dict[str, Any]:
    """The body answering a caller with these (verified) ``claims``."""
    token = issue(secret, str(claims["sub"]), lifetime, now=now)
    return {"token": token, "expires_at": int(now) + lifetime, "expires_in": lifetime}


@app.get(ROUTE)
def live_token(request: Request) -> Response:
    claims = caller_claims(request)
    lifetime = int(os.environ.get("TOKEN_LIFETIME_SECONDS", str(DEFAULT_LIFETIME_SECONDS)))
    body = token_for(claims, signing_secret(os.environ["TOKEN_SECRET_ARN"]), lifetime, time.time())
    # A token is a credential: no cache (the browser's or a proxy's) may keep it.
    return Response(200, body, headers={"Cache-Control": "no-store"})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
