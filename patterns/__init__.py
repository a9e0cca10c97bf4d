"""Serverless architecture patterns for the AWS CDK v2.

Import the constructs from here: ``from patterns import ServerlessFunction``.
"""

from patterns._metadata import PATTERN_METADATA
from patterns._targets import ensure_dead_letter_queue
from patterns.alarm_responder import AlarmResponder
from patterns.alarms import create_alarm, messages_waiting_alarm
from patterns.api.auth import LambdaAuthorizer
from patterns.api.routes import Route, Throttle
from patterns.api.usage import ApiUsagePlan
from patterns.api_account import ApiGatewayAccount
from patterns.api_domain import ApiCustomDomain
from patterns.browser_identity import BrowserIdentity
from patterns.callback_task import wait_for_callback
from patterns.compliance import EncryptLogGroups, ManagedPolicies
from patterns.data_catalog import DataCatalog
from patterns.data_lake import DataLake
from patterns.event_workflow import EventWorkflow
from patterns.function_defaults import (
    POWERTOOLS_LAYER_VERSION,
    RETENTION_BY_DAYS,
    FunctionDefaults,
    retention_from_days,
)
from patterns.graphql_api import GraphqlApi, GraphqlCache, PipelineStep
from patterns.lake_zones import LifecycleTiers
from patterns.live_updates import LiveUpdates
from patterns.ops_notifications import OpsNotifications
from patterns.policy_enforcer import ApiCallMatch, PolicyEnforcer
from patterns.queue_processor import QueueProcessor
from patterns.regional_api_record import RegionalApiRecord
from patterns.scheduled_job import ScheduledJob
from patterns.secure_bucket import SecureBucket, access_logs_bucket
from patterns.serverless_api import ServerlessApi
from patterns.serverless_function import ALIAS_NAME, ServerlessFunction
from patterns.service_keys import EncryptServiceData
from patterns.shared_code import SharedCode
from patterns.shared_code_layer import SharedCodeLayer
from patterns.static_website import StaticWebsite
from patterns.stream_archive import StreamArchive
from patterns.stream_ingest_api import StreamIngestApi
from patterns.stream_processor import StreamProcessor
from patterns.topic_fan_out import Subscriber, TopicFanOut
from patterns.tracing import TracingMode

__all__ = [
    "ALIAS_NAME",
    "PATTERN_METADATA",
    "POWERTOOLS_LAYER_VERSION",
    "RETENTION_BY_DAYS",
    "AlarmResponder",
    "ApiCallMatch",
    "ApiCustomDomain",
    "ApiGatewayAccount",
    "ApiUsagePlan",
    "BrowserIdentity",
    "DataCatalog",
    "DataLake",
    "EncryptLogGroups",
    "EncryptServiceData",
    "EventWorkflow",
    "FunctionDefaults",
    "GraphqlApi",
    "GraphqlCache",
    "LambdaAuthorizer",
    "LifecycleTiers",
    "LiveUpdates",
    "ManagedPolicies",
    "OpsNotifications",
    "PipelineStep",
    "PolicyEnforcer",
    "QueueProcessor",
    "RegionalApiRecord",
    "Route",
    "ScheduledJob",
    "SecureBucket",
    "ServerlessApi",
    "ServerlessFunction",
    "SharedCode",
    "SharedCodeLayer",
    "StaticWebsite",
    "StreamArchive",
    "StreamIngestApi",
    "StreamProcessor",
    "Subscriber",
    "Throttle",
    "TopicFanOut",
    "TracingMode",
    "access_logs_bucket",
    "create_alarm",
    "ensure_dead_letter_queue",
    "messages_waiting_alarm",
    "retention_from_days",
    "wait_for_callback",
]
