"""The ``FunctionDefaults`` a stage's config implies (the stage's SAM "Globals")."""

from __future__ import annotations

from patterns import FunctionDefaults, TracingMode, retention_from_days
from patterns.deployment import deployment_config
from stacks.config import StageConfig
from stacks.lambda_code import SHOP_COMMON

SERVICE_NAME = "shop"
METRICS_NAMESPACE = "Shop"


def function_defaults(config: StageConfig) -> FunctionDefaults:
    """Defaults of every function in the stage described by ``config``."""
    return FunctionDefaults(
        memory_size=config.lambda_memory_mb,
        timeout_seconds=config.lambda_timeout_seconds,
        tracing=TracingMode(config.tracing),
        log_retention=retention_from_days(config.log_retention_days),
        log_level="DEBUG" if config.flag("debug_logging") else "INFO",
        log_event=config.flag("log_event_payloads"),
        removal_policy=config.cdk_removal_policy,
        service_name=SERVICE_NAME,
        metrics_namespace=METRICS_NAMESPACE,
        stage=config.name,
        deployment_config=deployment_config(config.deployment_preference),
        reserved_concurrency=config.reserved_concurrency,
        shared_code=(SHOP_COMMON,),
    )
