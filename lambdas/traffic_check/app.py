"""Lambda entry point of a CodeDeploy traffic hook (before and after traffic shifts).

CodeDeploy invokes it with the deployment's id and the hook execution's id; it sends the
probe request (``PROBE``) to the version being deployed (``TARGET_VERSION_ARN``) and
reports ``Succeeded`` or ``Failed`` back, which lets the deployment go on or rolls it
back. Its role may invoke that version and report on that deployment group only.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from shop_common.observability import logger
from traffic_check.aws import CodeDeploy, TargetVersion
from traffic_check.probe import Probe, verdict


@cache
def _probe() -> Probe:
    return Probe.from_json(os.environ["PROBE"])


@cache
def _target() -> TargetVersion:
    return TargetVersion(os.environ["TARGET_VERSION_ARN"])


@cache
def _codedeploy() -> CodeDeploy:
    return CodeDeploy()


def check(deployment_id: str, execution_id: str) -> str:
    """Probe the target version and report the outcome; returns it."""
    probe = _probe()
    try:
        function_error, payload = _target().invoke(probe.event(deployment_id))
        problem = verdict(probe, function_error, payload)
    except (BotoCoreError, ClientError) as error:
        # Reported, not raised: CodeDeploy would otherwise wait an hour for an answer.
        problem = f"the version could not be invoked: {error}"
    status = "Succeeded" if problem is None else "Failed"
    if problem is None:
        logger.info("traffic check passed", deployment_id=deployment_id)
    else:
        logger.error("traffic check failed", deployment_id=deployment_id, problem=problem)
    _codedeploy().report(deployment_id, execution_id, status)
    return status


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    return {"status": check(event["DeploymentId"], event["LifecycleEventHookExecutionId"])}
