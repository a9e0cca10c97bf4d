"""The three stages of the reference app and how context overrides reach them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stacks.config import StageConfig, StageConfigError

DEV = StageConfig(
    name="dev",
    removal_policy="destroy",
    log_retention_days=7,
    point_in_time_recovery=False,
    lambda_memory_mb=256,
    lambda_timeout_seconds=10,
    deployment_preference="AllAtOnce",
    feature_flags={"debug_logging": True, "log_event_payloads": True},
    stream_shards=1,
    # Signed-out visitors' views count too in Dev (their role may only put events).
    guest_events=True,
)

STAGING = StageConfig(
    name="staging",
    removal_policy="retain",
    log_retention_days=30,
    point_in_time_recovery=True,
    lambda_memory_mb=256,
    lambda_timeout_seconds=10,
    deployment_preference="Linear10PercentEvery1Minute",
    traffic_checks=True,
    feature_flags={"debug_logging": False, "log_event_payloads": True},
    stream_shards=1,
    # As Prod: Lambda's own tracing, nothing past its end of support.
    tracing="lambda",
)

PROD = StageConfig(
    name="prod",
    removal_policy="retain",
    log_retention_days=365,
    point_in_time_recovery=True,
    lambda_memory_mb=512,
    lambda_timeout_seconds=10,
    deployment_preference="Canary10Percent5Minutes",
    traffic_checks=True,
    feature_flags={"debug_logging": False, "log_event_payloads": False},
    termination_protection=True,
    table_backups=True,
    compliance_packs=("AwsSolutions", "HIPAA.Security", "PCI.DSS.321"),
    customer_managed_keys=True,
    reserved_concurrency=50,
    # 10,000 usage events/s from the first minute, with headroom (README, "Capacity").
    stream_shards=28,
    stream_batch_size=4_000,
    # No batching window: a caught-up mapping polls each shard about once a second, so a
    # batch holds about a second of its records anyway.
    stream_batching_window_seconds=0,
    stream_consumer_timeout_seconds=8,
    stream_consumer_memory_mb=1_769,  # one vCPU for the client's parallel counter updates
    ingest_rate_limit=12_000,
    ingest_burst_limit=5_000,
    ingest_batch_rate_limit=1_000,
    counts_warm_writes_per_second=12_000,
    api_cache_ttl_seconds=60,
    private_network=True,
    # Workflow payloads are customer data: log failures, without inputs and outputs.
    workflow_log_level="ERROR",
    workflow_log_execution_data=False,
    # The same for GraphQL: field errors only, without the requests' data.
    graphql_field_log_level="ERROR",
    graphql_verbose_logs=False,
    # Lambda's own tracing: no X-Ray SDK (end of support 25 Feb 2027) in the functions,
    # and about 120 ms less cold start each.
    tracing="lambda",
)

#: Every stage, in deployment order.
STAGES: Mapping[str, StageConfig] = {config.name: config for config in (DEV, STAGING, PROD)}


def resolve_stages(
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    only: str | None = None,
) -> list[StageConfig]:
    """The stage configs with per-stage ``overrides`` applied, optionally just ``only``.

    ``overrides`` maps a stage name to settings (``{"prod": {"account": "123456789012"}}``),
    as ``cdk.json``'s ``stages`` context holds them. An unknown stage name or setting
    raises ``StageConfigError``.
    """
    overrides = overrides or {}
    if not isinstance(overrides, Mapping):
        raise StageConfigError(f"context 'stages' must be an object, got {overrides!r}")
    for name in [*overrides, *([only] if only else [])]:
        if name not in STAGES:
            raise StageConfigError(f"unknown stage {name!r}; stages: {', '.join(STAGES)}")
    selected = [only] if only else list(STAGES)
    result = []
    for name in selected:
        settings = overrides.get(name) or {}
        if not isinstance(settings, Mapping):
            raise StageConfigError(f"stage {name!r}: settings must be an object, got {settings!r}")
        result.append(STAGES[name].with_overrides(settings))
    return result
