"""The stage's method settings: logging, metrics, caching and throttling, per route too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway

from patterns.api.routes import Route, Throttle

#: Fields of the stage's JSON access log lines.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integration.status",
    "errorMessage": "$context.error.message",
    "apiKeyId": "$context.identity.apiKeyId",
    "user": "$context.identity.user",
    "xrayTraceId": "$context.xrayTraceId",
}


class MethodSettings:
    """Stage-wide method settings plus each throttled route's override.

    CDK's ``StageOptions.method_options`` are fixed when the stage is built; routes added
    later re-render the settings through :meth:`render`.
    """

    def __init__(
        self,
        stage: apigateway.Stage,
        *,
        throttle: Throttle | None,
        logging_level: apigateway.MethodLoggingLevel,
        cache_ttl: cdk.Duration | None,
    ) -> None:
        cfn_stage = stage.node.default_child
        assert isinstance(cfn_stage, apigateway.CfnStage)
        self._cfn_stage = cfn_stage
        self._throttle = throttle
        self._common: dict[str, Any] = {
            "logging_level": logging_level.value,
            "metrics_enabled": True,
            "data_trace_enabled": False,
        }
        if cache_ttl is not None:
            self._common.update(
                caching_enabled=True,
                cache_ttl_in_seconds=int(cache_ttl.to_seconds()),
                cache_data_encrypted=True,
            )

    def render(self, routes: Sequence[Route]) -> None:
        """Set the stage's ``MethodSettings`` for ``routes``."""
        settings: list[apigateway.CfnStage.MethodSettingProperty | cdk.IResolvable] = [
            self._setting("*", "/*", self._throttle)
        ]
        for route in routes:
            if route.throttle is not None:
                method = "*" if route.method == "ANY" else route.method
                path = "/" + route.path.replace("/", "~1")
                settings.append(self._setting(method, path, route.throttle))
        self._cfn_stage.method_settings = settings

    def _setting(
        self, method: str, path: str, throttle: Throttle | None
    ) -> apigateway.CfnStage.MethodSettingProperty:
        limits: dict[str, Any] = {}
        if throttle is not None:
            limits = {
                "throttling_rate_limit": throttle.rate_limit,
                "throttling_burst_limit": throttle.burst_limit,
            }
        return apigateway.CfnStage.MethodSettingProperty(
            http_method=method, resource_path=path, **self._common, **limits
        )
