"""Serverless architecture patterns for the AWS CDK v2.

Import the constructs from here: ``from patterns import ServerlessFunction``.
"""

from patterns.alarms import create_alarm
from patterns.data_catalog import DataCatalog
from patterns.data_lake import DataLake
from patterns.function_defaults import (
    POWERTOOLS_LAYER_VERSION,
    RETENTION_BY_DAYS,
    FunctionDefaults,
    retention_from_days,
)
from patterns.lake_zones import LifecycleTiers
from patterns.ops_notifications import OpsNotifications
from patterns.secure_bucket import SecureBucket
from patterns.serverless_function import ALIAS_NAME, ServerlessFunction

__all__ = [
    "ALIAS_NAME",
    "POWERTOOLS_LAYER_VERSION",
    "RETENTION_BY_DAYS",
    "DataCatalog",
    "DataLake",
    "FunctionDefaults",
    "LifecycleTiers",
    "OpsNotifications",
    "SecureBucket",
    "ServerlessFunction",
    "create_alarm",
    "retention_from_days",
]
