"""Serverless architecture patterns for the AWS CDK v2.

Import the constructs from here: ``from patterns import ServerlessFunction``.
"""

from patterns.alarms import create_alarm
from patterns.api.auth import LambdaAuthorizer
from patterns.api.routes import Route, Throttle
from patterns.api.usage import ApiUsagePlan
from patterns.function_defaults import (
    POWERTOOLS_LAYER_VERSION,
    RETENTION_BY_DAYS,
    FunctionDefaults,
    retention_from_days,
)
from patterns.ops_notifications import OpsNotifications
from patterns.secure_bucket import SecureBucket
from patterns.serverless_api import ServerlessApi
from patterns.serverless_function import ALIAS_NAME, ServerlessFunction
from patterns.static_website import StaticWebsite

__all__ = [
    "ALIAS_NAME",
    "POWERTOOLS_LAYER_VERSION",
    "RETENTION_BY_DAYS",
    "ApiUsagePlan",
    "FunctionDefaults",
    "LambdaAuthorizer",
    "OpsNotifications",
    "Route",
    "SecureBucket",
    "ServerlessApi",
    "ServerlessFunction",
    "StaticWebsite",
    "Throttle",
    "create_alarm",
    "retention_from_days",
]
