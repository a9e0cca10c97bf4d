"""Checking a Cognito ID token as API Gateway's Cognito authorizer does, against moto."""

from __future__ import annotations

import json
import urllib.request
from functools import cached_property
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet


class InvalidTokenError(ValueError):
    """The token is missing, malformed, badly signed, expired or not this pool's."""


class TokenVerifier:
    """Verifies ID tokens of one user pool and app client: the RS256 signature (with the
    pool's published keys), issuer, audience, ``token_use`` and expiry."""

    def __init__(self, endpoint: str, region: str, pool_id: str, client_id: str) -> None:
        self._keys_url = f"{endpoint}/{pool_id}/.well-known/jwks.json"
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        self.client_id = client_id

    @cached_property
    def _keys(self) -> KeySet:
        with urllib.request.urlopen(self._keys_url, timeout=10) as response:
            return KeySet.import_key_set(json.loads(response.read()))

    def claims(self, token: str | None) -> dict[str, str]:
        """The token's claims as a REST API's authorizer passes them (strings)."""
        if not token:
            raise InvalidTokenError("no token")
        try:
            decoded = jwt.decode(token, self._keys, algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                token_use={"essential": True, "value": "id"},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise InvalidTokenError(str(error)) from None
        return {name: _text(value) for name, value in decoded.claims.items()}


def _text(value: Any) -> str:
    if isinstance(value, list):  # e.g. cognito:groups
        return ",".join(str(item) for item in value)
    return str(value)
