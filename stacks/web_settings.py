"""Settings every API of a stage shares: WAF and the response cache."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from patterns import GraphqlCache, retention_from_days
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


def graphql_settings(config: StageConfig) -> dict[str, Any]:
    """``GraphqlApi`` keyword arguments of the stage: its field logs (level, and whether
    they carry request data) and, when the stage caches its APIs, the cache of the
    resolvers that ask for it (the product list; not the counts, which change live)."""
    ttl = config.api_cache_ttl_seconds
    return {
        "field_log_level": config.graphql_field_log_level,
        "exclude_verbose_content": not config.graphql_verbose_logs,
        "log_retention": retention_from_days(config.log_retention_days),
        "cache": GraphqlCache(ttl=cdk.Duration.seconds(ttl)) if ttl is not None else None,
    }
