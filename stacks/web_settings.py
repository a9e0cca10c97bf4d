"""Settings every API of a stage shares: WAF and the response cache."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from stacks.config import StageConfig

#: Request headers Powertools' REST resolver reads in every handler of the app: it decides
#: on gzip from ``Accept-Encoding``. Routes declare them, so that a cached response is
#: never given to a client that asked for another encoding.
RESOLVER_HEADERS = ("Accept-Encoding",)
#: The same for a resolver that answers CORS itself, from the request's ``Origin`` (a
#: cached response keyed without it would carry another origin's CORS headers).
CORS_RESOLVER_HEADERS = ("Origin", *RESOLVER_HEADERS)


def api_protection(config: StageConfig) -> dict[str, Any]:
    """``ServerlessApi`` keyword arguments: a regional WAF web ACL always, and the
    encrypted response cache (GET routes) when the stage sets a TTL."""
    ttl = config.api_cache_ttl_seconds
    return {"waf": True, "cache_ttl": cdk.Duration.seconds(ttl) if ttl is not None else None}
