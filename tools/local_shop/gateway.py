"""API Gateway's part, locally: match a route, check its key, token, parameters and body,
build the REST proxy event, call the handler, answer with its response or the gateway's."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from tools.local_shop.functions import Functions
from tools.local_shop.template import ShopTemplate
from tools.local_shop.tokens import InvalidTokenError, TokenVerifier
from tools.sandbox.events import api_event


@dataclass(frozen=True)
class Answer:
    """An HTTP response: status, headers and body bytes."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


def json_answer(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Answer:
    return Answer(
        status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()
    )


class Gateway:
    """The shop API's stage: ``handle(method, path, query, headers, body)`` -> :class:`Answer`.

    :param origin: the storefront's origin (the CORS origin of preflights and of the
        gateway's own 4XX/5XX answers, as the deployed API sets them).
    """

    def __init__(
        self, shop: ShopTemplate, functions: Functions, tokens: TokenVerifier, origin: str
    ) -> None:
        self.shop = shop
        self.functions = functions
        self.tokens = tokens
        self.origin = origin
        #: The value of the partner API key (``X-Api-Key``) routes with a key require.
        self.api_key = secrets.token_urlsafe(24)

    def _gateway(self, status: int, message: str) -> Answer:
        """One of API Gateway's own answers (no handler ran)."""
        return json_answer(
            status, {"message": message}, {"Access-Control-Allow-Origin": self.origin}
        )

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Answer:
        lowered = {name.lower(): value for name, value in headers.items()}
        matches = [(r, r.match(method, path)) for r in self.shop.routes if r.pattern.match(path)]
        if method == "OPTIONS" and matches:
            return Answer(
                204,
                {
                    "Access-Control-Allow-Origin": self.origin,
                    "Access-Control-Allow-Headers": ",".join(self.shop.cors_allow_headers),
                    "Access-Control-Allow-Methods": ",".join(self.shop.cors_allow_methods),
                    "Vary": "Origin",
                },
            )
        found = next(((r, p) for r, p in matches if p is not None), None)
        if found is None:
            return self._gateway(403, "Missing Authentication Token")
        route, parameters = found
        if route.api_key_required and lowered.get("x-api-key") != self.api_key:
            return self._gateway(403, "Forbidden")
        claims = None
        if route.auth == "COGNITO_USER_POOLS":
            try:
                claims = self.tokens.claims(lowered.get("authorization"))
            except InvalidTokenError:
                return self._gateway(401, "Unauthorized")
        elif route.auth != "NONE":
            return self._gateway(500, f"authorization {route.auth} is not emulated locally")
        missing = [name for name in route.required_headers if name.lower() not in lowered]
        if missing:
            return self._gateway(
                400, f"Missing required request parameters: [{', '.join(missing)}]"
            )
        text = body.decode("utf-8") if body else None
        if route.body_schema is not None:
            try:
                jsonschema.Draft4Validator(route.body_schema).validate(json.loads(text or "null"))
            except (ValueError, jsonschema.ValidationError):
                return self._gateway(400, "Invalid request body")
        event = api_event(
            method,
            route.path,
            path_parameters=parameters or None,
            query=dict(query) or None,
            body=text,
            headers=dict(headers),
            claims=claims,
        )
        event["requestContext"]["stage"] = self.shop.stage_name
        try:
            result = self.functions.invoke(route.handler, event)
        except Exception:
            return self._gateway(502, "Internal server error")
        return _proxy_answer(result)


def _proxy_answer(result: Mapping[str, Any]) -> Answer:
    headers = {name: values[-1] for name, values in (result.get("multiValueHeaders") or {}).items()}
    headers.update(result.get("headers") or {})
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return Answer(int(result["statusCode"]), headers, body)
