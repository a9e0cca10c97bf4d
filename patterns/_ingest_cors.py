"""CORS for ``StreamIngestApi``: which browser origins may call its methods, and the
headers its responses (Kinesis' answers and API Gateway's own errors) carry for them.

Kinesis integrations are not proxies: API Gateway writes every response header itself.
With one allowed origin (or ``*``) each response names it as a static header; with
several, each response template echoes the request's ``Origin`` when it is one of them
(and adds ``Vary: Origin``, so caches keep one answer per origin)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw

from patterns.api.stage import cors_on_gateway_errors

ALLOW_ORIGIN = "method.response.header.Access-Control-Allow-Origin"
VARY = "method.response.header.Vary"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
#: What a browser sends besides the body: its type and a user-pool token (or SigV4).
DEFAULT_HEADERS = ("Content-Type", "Authorization", "X-Amz-Date", "X-Amz-Security-Token")


@dataclass(frozen=True)
class IngestCors:
    """The origins (``*`` alone, or scheme://host[:port] each) and the headers allowed."""

    origins: tuple[str, ...]
    allow_headers: tuple[str, ...]

    def preflight(self) -> apigw.CorsOptions:
        """The ``OPTIONS`` answers (no authorization: browsers send no token with them)."""
        return apigw.CorsOptions(
            allow_origins=list(self.origins),
            allow_methods=["OPTIONS", "POST"],
            allow_headers=list(self.allow_headers),
            max_age=cdk.Duration.minutes(10),
        )

    @property
    def _static(self) -> bool:
        return len(self.origins) == 1

    def method_headers(self) -> dict[str, bool]:
        """The headers each method response declares."""
        return {ALLOW_ORIGIN: True} if self._static else {ALLOW_ORIGIN: True, VARY: True}

    def response_parameters(self) -> dict[str, str]:
        """Integration-response header values (the one origin), else none."""
        return {ALLOW_ORIGIN: f"'{self.origins[0]}'"} if self._static else {}

    def template_prefix(self) -> str:
        """VTL before each response template: echo an allowed ``Origin`` (several origins)."""
        if self._static:
            return ""
        allowed = " || ".join(f'$origin == "{origin}"' for origin in self.origins)
        return (
            "#set($origin = $input.params().header.get('Origin'))"
            f"#if({allowed})"
            "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)"
            "#set($context.responseOverride.header.Vary = 'Origin')#end"
        )

    def on_gateway_errors(self, api: apigw.RestApi) -> None:
        """API Gateway's own 4XX/5XX (401 without a token, 429 throttled, 400 invalid body)
        carry the header too, so the page can read why (one origin only: these responses
        have no templates to choose one)."""
        if self._static:
            cors_on_gateway_errors(api, self.origins[0])


def check_cors(
    cors_origins: Sequence[str] | None, cors_allow_headers: Sequence[str] | None
) -> IngestCors | None:
    """The CORS settings, or ``None`` without origins; ``ValueError``/``TypeError`` naming
    the argument for a bad origin or header list."""
    if cors_origins is None:
        if cors_allow_headers is not None:
            raise ValueError("cors_allow_headers needs cors_origins (the origins they apply to)")
        return None
    for name, value in (("cors_origins", cors_origins), ("cors_allow_headers", cors_allow_headers)):
        if isinstance(value, str):
            raise TypeError(f"{name} must be a sequence of strings, not one string: {value!r}")
    origins = tuple(cors_origins)
    if not origins:
        raise ValueError("cors_origins must name at least one origin, or be None for no CORS")
    if "*" in origins and len(origins) > 1:
        raise ValueError(f"cors_origins: '*' allows every origin and stands alone, got {origins}")
    for origin in origins:
        if not cdk.Token.is_unresolved(origin) and origin != "*" and not _ORIGIN.match(origin):
            raise ValueError(
                f"cors_origins: {origin!r} is not an origin: use scheme://host[:port] with no "
                "path or trailing slash (e.g. 'https://shop.example.com'), or '*'"
            )
    headers = tuple(cors_allow_headers) if cors_allow_headers is not None else DEFAULT_HEADERS
    return IngestCors(origins=origins, allow_headers=headers)
