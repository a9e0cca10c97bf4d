"""Settings every API of a stage shares: WAF and the response cache."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from stacks.config import StageConfig

#: Request headers the app's router (``shop_common.router``) reads in every handler: none
#: (it compresses nothing, so ``Accept-Encoding`` is not in any cache key, and clients
#: that send different encodings share the cached answer). Routes declare what they read,
#: and ``tests/test_api_cache.py`` fails when a handler reads an undeclared header.
RESOLVER_HEADERS: tuple[str, ...] = ()
#: The same for a router that answers CORS itself, from the request's ``Origin`` (a
#: cached response keyed without it would carry another origin's CORS headers).
CORS_RESOLVER_HEADERS = ("Origin", *RESOLVER_HEADERS)


def api_protection(config: StageConfig) -> dict[str, Any]:
    """``ServerlessApi`` keyword arguments: a regional WAF web ACL always, and the
    encrypted response cache (GET routes) when the stage sets a TTL."""
    ttl = config.api_cache_ttl_seconds
    return {"waf": True, "cache_ttl": cdk.Duration.seconds(ttl) if ttl is not None else None}
