"""Settings every API of a stage shares: WAF and the response cache."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from stacks.config import StageConfig


def api_protection(config: StageConfig) -> dict[str, Any]:
    """``ServerlessApi`` keyword arguments: a regional WAF web ACL always, and the
    encrypted response cache (GET routes) when the stage sets a TTL."""
    ttl = config.api_cache_ttl_seconds
    return {"waf": True, "cache_ttl": cdk.Duration.seconds(ttl) if ttl is not None else None}
