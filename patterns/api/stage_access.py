"""Grants and metrics of a REST API's deployed stage, shared by the patterns that own one
(``ServerlessApi``, ``StreamIngestApi``): each has ``api`` (the ``RestApi``) and ``stage``."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam

from patterns._grants import acknowledged


class StageAccess:
    """``grant_execute`` and ``metric_*`` of ``self.stage``."""

    api: apigateway.RestApi
    stage: apigateway.Stage

    def grant_execute(
        self, grantee: iam.IGrantable, method: str = "*", path: str = "/*"
    ) -> iam.Grant:
        """Let ``grantee`` call ``method path`` on the stage (for ``iam`` routes); ``*``
        in either stays within this stage. Default: every method and path."""
        arn = self.api.arn_for_execute_api(method, path, self.stage.stage_name)
        return acknowledged(
            lambda: iam.Grant.add_to_principal(
                grantee=grantee, actions=["execute-api:Invoke"], resource_arns=[arn]
            ),
            grantee,
            f"calls to {self.api.node.path}",
        )

    def metric_client_errors(self, **kwargs: Any) -> cloudwatch.Metric:
        """4XX responses of the stage. Default: sum over 5 minutes."""
        return self.stage.metric_client_error(**kwargs)

    def metric_server_errors(self, **kwargs: Any) -> cloudwatch.Metric:
        """5XX responses of the stage. Default: sum over 5 minutes."""
        return self.stage.metric_server_error(**kwargs)

    def metric_latency(self, **kwargs: Any) -> cloudwatch.Metric:
        """End-to-end latency of the stage, in milliseconds. Default: average over 5
        minutes."""
        return self.stage.metric_latency(**kwargs)

    def metric_count(self, **kwargs: Any) -> cloudwatch.Metric:
        """Requests to the stage. Default: sum over 5 minutes."""
        return self.stage.metric_count(**kwargs)
