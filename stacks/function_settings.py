"""The ``FunctionDefaults`` a stage's config implies (the stage's SAM "Globals")."""

from __future__ import annotations

from constructs import Construct

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


#: Reserved concurrency of the functions a person or a deployment paces: enough for a
#: burst of admins' decisions or a deployment's checks, with a function-level limit as
#: the HIPAA pack asks of every function.
PACED_CONCURRENCY = 5


def admin_paced(scope: Construct) -> FunctionDefaults:
    """The defaults in ``scope`` with at most :data:`PACED_CONCURRENCY` reserved, for
    functions a person's or a deployment's pace drives (an admin's review decisions, the
    review inbox, CodeDeploy's traffic checks): a stage's reservation for its busy
    functions (Prod: 50) would buy them nothing, and every reserved unit comes out of the
    region's account quota (1,000 by default, of which Lambda keeps 100 unreserved)."""
    defaults = FunctionDefaults.of(scope)
    stage = defaults.reserved_concurrency
    return defaults.replace(
        reserved_concurrency=None if stage is None else min(stage, PACED_CONCURRENCY)
    )
