"""The hook's two AWS calls: invoke one function version, report to CodeDeploy."""

from __future__ import annotations

import json
from typing import Any

import boto3


class TargetVersion:
    """The function version being deployed, by its qualified ARN."""

    def __init__(self, version_arn: str) -> None:
        self.version_arn = version_arn
        self._lambda = boto3.client("lambda")

    def invoke(self, event: dict[str, Any]) -> tuple[str | None, bytes]:
        """``(FunctionError or None, payload)`` of a synchronous invocation."""
        response = self._lambda.invoke(
            FunctionName=self.version_arn,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode(),
        )
        return response.get("FunctionError"), response["Payload"].read()


class CodeDeploy:
    """Where the hook reports its outcome."""

    def __init__(self) -> None:
        self._client = boto3.client("codedeploy")

    def report(self, deployment_id: str, execution_id: str, status: str) -> None:
        self._client.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status=status
        )
