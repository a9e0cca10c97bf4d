"""What each pattern's escape hatch (``*_props``) may not undo, one table per CDK construct.

A key is guarded when its override could weaken a secure default (public access, TLS,
encryption, logs, tracing, the dead-letter path) or when the pattern already sets it from
one of its own arguments, so that the argument, and its validation, is the one way to set
it. See ``patterns._overrides`` for how a table is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

from patterns._overrides import Guard, each, only, refuse, use_argument, weakens

Guards = Mapping[str, Guard]


def _blocks_all(value: Any) -> bool:
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls")
    return all(getattr(value, f, None) is True for f in (*flags, "restrict_public_buckets"))


def _tls_12_or_newer(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1.2


#: ``SecureBucket(bucket_props=...)`` onto ``s3.Bucket``.
BUCKET_GUARDS: Guards = {
    "block_public_access": Guard(_blocks_all, weakens("BlockPublicAccess.BLOCK_ALL")),
    "public_read_access": only("False", False, None),
    "enforce_ssl": only("True", True),
    "minimum_tls_version": Guard(_tls_12_or_newer, weakens("1.2 or higher")),
    "object_ownership": use_argument("acl_log_delivery"),
    "access_control": only("BucketAccessControl.PRIVATE", s3.BucketAccessControl.PRIVATE),
    "encryption": use_argument("encryption_key"),
    "encryption_key": use_argument("encryption_key"),
    "versioned": use_argument("versioned"),
    "lifecycle_rules": use_argument("lifecycle_rules", "noncurrent_version_expiration"),
    "server_access_logs_bucket": use_argument("server_access_logs_bucket"),
    "server_access_logs_prefix": use_argument("server_access_logs_prefix"),
    "removal_policy": use_argument("removal_policy"),
    "auto_delete_objects": use_argument("auto_delete_objects"),
    "event_bridge_enabled": use_argument("event_bridge_enabled"),
}

_STAGE = refuse(
    "the pattern builds the stage (access logs, X-Ray, throttling, execution logs, cache) "
    "from its own arguments; pass those instead"
)

#: ``StreamIngestApi(rest_api_props=...)`` onto ``apigateway.RestApi``.
INGEST_API_GUARDS: Guards = {
    "deploy_options": _STAGE,
    "deploy": only("True (the pattern's stage is the one deployed)", True),
    "cloud_watch_role": refuse(
        "API Gateway's logging role is one per account and region: create it once with "
        "ApiGatewayAccount"
    ),
}

#: ``ServerlessApi(rest_api_props=...)`` onto ``apigateway.RestApi``.
REST_API_GUARDS: Guards = {
    **INGEST_API_GUARDS,
    "cloud_watch_role": use_argument("cloud_watch_role"),
    "cloud_watch_role_removal_policy": use_argument("cloud_watch_role"),
    "endpoint_types": use_argument("endpoint_type"),
    "endpoint_configuration": use_argument("endpoint_type"),
    "default_cors_preflight_options": use_argument("cors_origins", "cors_allow_headers"),
}


def _https_behaviour(value: Any) -> bool:
    return getattr(value, "viewer_protocol_policy", None) in (
        cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    )


_MODERN_TLS = frozenset(
    {
        cloudfront.SecurityPolicyProtocol.TLS_V1_2_2018,
        cloudfront.SecurityPolicyProtocol.TLS_V1_2_2019,
        cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        cloudfront.SecurityPolicyProtocol.TLS_V1_2_2025,
        cloudfront.SecurityPolicyProtocol.TLS_V1_3_2025,
    }
)

#: ``StaticWebsite(distribution_props=...)`` onto ``cloudfront.Distribution``.
DISTRIBUTION_GUARDS: Guards = {
    "default_behavior": refuse(
        "the pattern's default behaviour is the private bucket through origin access "
        "control, HTTPS only, with its security headers; add other paths through "
        "additional_behaviors"
    ),
    "additional_behaviors": each(
        Guard(
            _https_behaviour,
            weakens("viewer_protocol_policy=ViewerProtocolPolicy.HTTPS_ONLY or REDIRECT_TO_HTTPS"),
        )
    ),
    "minimum_protocol_version": Guard(
        lambda v: v in _MODERN_TLS, weakens("SecurityPolicyProtocol.TLS_V1_2_2018 or newer")
    ),
    "enable_logging": only("True", True),
    "log_bucket": use_argument("log_bucket"),
    "web_acl_id": use_argument("waf", "web_acl_arn"),
    "certificate": use_argument("certificate"),
    "domain_names": use_argument("domain_names"),
    "error_responses": use_argument("spa_fallback_path", "spa_fallback_status_codes"),
    "default_root_object": use_argument("index_document"),
    "geo_restriction": use_argument("geo_restriction"),
    "price_class": use_argument("price_class"),
}


def _encrypted_stream(value: Any) -> bool:
    return getattr(value, "type", None) != firehose.StreamEncryptionType.UNENCRYPTED


#: ``StreamArchive(delivery_stream_props=...)`` onto ``firehose.DeliveryStream``.
DELIVERY_STREAM_GUARDS: Guards = {
    "destination": refuse(
        "the pattern's destination is its encrypted bucket with time partitions, error "
        "prefix, logging and transformation; pass bucket=, data_prefix=, error_prefix=, "
        "transformation= and the buffering arguments instead"
    ),
    "encryption": Guard(
        _encrypted_stream,
        weakens("an encrypted StreamEncryption; encryption_key= for a customer-managed key"),
    ),
    "source": use_argument("source_stream"),
}

#: ``EventWorkflow(state_machine_props=...)`` onto ``sfn.StateMachine``.
STATE_MACHINE_GUARDS: Guards = {
    "logs": use_argument("log_level", "include_execution_data", "log_group"),
    "tracing_enabled": only("True", True, None),
    "definition_body": use_argument("definition"),
    "timeout": use_argument("timeout"),
}

#: ``ApiCustomDomain(domain_name_props=...)`` onto ``apigateway.DomainName``.
DOMAIN_NAME_GUARDS: Guards = {
    "security_policy": use_argument("security_policy"),
    "certificate": use_argument("certificate"),
    "domain_name": use_argument("domain_name"),
}

#: ``StreamProcessor(event_source_props=...)`` onto ``lambda_.EventSourceMapping``.
EVENT_SOURCE_GUARDS: Guards = {
    "on_failure": use_argument("dead_letter_queue"),
    "target": use_argument("function"),
    "event_source_arn": use_argument("stream"),
}

_DEFAULTS = "FunctionDefaults({}=...) sets it for every function of the scope; pass it there"

#: ``ServerlessFunction(function_props=...)`` onto ``lambda_.Function``.
FUNCTION_GUARDS: Guards = {
    "role": refuse(
        "the function's own least-privilege role receives the pattern's grants (logs, keys); "
        "grant more to its .role instead"
    ),
    "log_group": refuse("the pattern's log group has the stage's retention; keep it"),
    "logging_format": only("LoggingFormat.JSON", lambda_.LoggingFormat.JSON),
    "tracing": refuse(_DEFAULTS.format("tracing")),
    "vpc": refuse(_DEFAULTS.format("vpc")),
    "vpc_subnets": refuse(_DEFAULTS.format("vpc_subnets")),
    "security_groups": refuse(_DEFAULTS.format("security_groups")),
    "runtime": refuse(_DEFAULTS.format("runtime")),
    "environment": use_argument("environment"),
    "layers": use_argument("layers"),
    "memory_size": use_argument("memory_size"),
    "timeout": use_argument("timeout"),
    "handler": use_argument("handler"),
    "code": use_argument("code", "code_path"),
    "reserved_concurrent_executions": use_argument("reserved_concurrency"),
    "description": use_argument("description"),
}
