"""Escape hatches cannot silently undo a secure default.

Each refused row is an override a user could plausibly write that would weaken what the
pattern promises (public access, TLS, encryption, logs, tracing, the dead-letter path) or
replace what an argument sets; it must raise a ``ValueError`` naming the ``*_props``
argument, the key and the value. Each accepted row keeps the property secure (or touches
an unguarded key), and the template must show the override took effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

import patterns
from patterns._override_guards import (
    BUCKET_GUARDS,
    DELIVERY_STREAM_GUARDS,
    DISTRIBUTION_GUARDS,
    DOMAIN_NAME_GUARDS,
    EVENT_SOURCE_GUARDS,
    FUNCTION_GUARDS,
    INGEST_API_GUARDS,
    REST_API_GUARDS,
    STATE_MACHINE_GUARDS,
)
from tests.patterns import bad_inputs_cases as cases

Value = Callable[[cdk.Stack], Any]


def _stack() -> cdk.Stack:
    env = cdk.Environment(account=cases.ACCOUNT, region=cases.REGION)
    return cdk.Stack(cdk.App(), "Overrides", env=env)


def _build(construct: str, argument: str, key: str, value: Value) -> cdk.Stack:
    stack = _stack()
    baseline = cases.BASELINES[construct].build(stack)
    getattr(patterns, construct)(stack, "Subject", **baseline, **{argument: {key: value(stack)}})
    return stack


def _is(value: Any) -> Value:
    return lambda _stack: value


def _behaviour(policy: cloudfront.ViewerProtocolPolicy) -> Value:
    def make(stack: cdk.Stack) -> dict[str, cloudfront.BehaviorOptions]:
        origin = origins.HttpOrigin("api.example.com")
        return {"/api/*": cloudfront.BehaviorOptions(origin=origin, viewer_protocol_policy=policy)}

    return make


def _queue(stack: cdk.Stack) -> Any:
    from aws_cdk.aws_lambda_event_sources import SqsDlq

    return SqsDlq(sqs.Queue(stack, "Elsewhere"))


REFUSED = [
    ("SecureBucket", "bucket_props", "enforce_ssl", _is(False)),
    ("SecureBucket", "bucket_props", "public_read_access", _is(True)),
    ("SecureBucket", "bucket_props", "block_public_access", _is(s3.BlockPublicAccess.BLOCK_ACLS)),
    ("SecureBucket", "bucket_props", "minimum_tls_version", _is(1.0)),
    ("SecureBucket", "bucket_props", "encryption", _is(s3.BucketEncryption.UNENCRYPTED)),
    (
        "SecureBucket",
        "bucket_props",
        "object_ownership",
        _is(s3.ObjectOwnership.OBJECT_WRITER),
    ),
    ("SecureBucket", "bucket_props", "access_control", _is(s3.BucketAccessControl.PUBLIC_READ)),
    ("SecureBucket", "bucket_props", "versioned", _is(False)),
    ("ServerlessApi", "rest_api_props", "deploy_options", _is(apigateway.StageOptions())),
    ("ServerlessApi", "rest_api_props", "deploy", _is(False)),
    ("ServerlessApi", "rest_api_props", "cloud_watch_role", _is(True)),
    ("StreamIngestApi", "rest_api_props", "deploy_options", _is(apigateway.StageOptions())),
    ("StreamIngestApi", "rest_api_props", "cloud_watch_role", _is(True)),
    (
        "StaticWebsite",
        "distribution_props",
        "additional_behaviors",
        _behaviour(cloudfront.ViewerProtocolPolicy.ALLOW_ALL),
    ),
    (
        "StaticWebsite",
        "distribution_props",
        "minimum_protocol_version",
        _is(cloudfront.SecurityPolicyProtocol.TLS_V1_2016),
    ),
    ("StaticWebsite", "distribution_props", "enable_logging", _is(False)),
    ("StaticWebsite", "distribution_props", "web_acl_id", _is("arn:aws:wafv2:x")),
    (
        "StaticWebsite",
        "distribution_props",
        "price_class",
        _is(cloudfront.PriceClass.PRICE_CLASS_ALL),
    ),
    (
        "StreamArchive",
        "delivery_stream_props",
        "encryption",
        _is(firehose.StreamEncryption.unencrypted()),
    ),
    ("EventWorkflow", "state_machine_props", "tracing_enabled", _is(False)),
    ("EventWorkflow", "state_machine_props", "timeout", _is(cdk.Duration.minutes(5))),
    (
        "ApiCustomDomain",
        "domain_name_props",
        "security_policy",
        _is(apigateway.SecurityPolicy.TLS_1_0),
    ),
    ("StreamProcessor", "event_source_props", "on_failure", _queue),
    ("ServerlessFunction", "function_props", "tracing", _is(lambda_.Tracing.DISABLED)),
    (
        "ServerlessFunction",
        "function_props",
        "role",
        lambda s: iam.Role.from_role_arn(s, "R", "arn:aws:iam::123456789012:role/r"),
    ),
    ("ServerlessFunction", "function_props", "environment", _is({"AWS_REGION": "x"})),
]


@pytest.mark.parametrize(
    ("construct", "argument", "key", "value"),
    REFUSED,
    ids=[f"{c}-{k}" for c, _, k, _ in REFUSED],
)
def test_an_override_that_weakens_the_pattern_is_refused(
    construct: str, argument: str, key: str, value: Value
) -> None:
    with pytest.raises(ValueError, match=" is refused: ") as raised:
        _build(construct, argument, key, value)
    assert str(raised.value).startswith(f"{argument}={{{key!r}: "), raised.value


def _bucket(stack: cdk.Stack) -> dict[str, Any]:
    (found,) = Template.from_stack(stack).find_resources("AWS::S3::Bucket").values()
    return dict(found["Properties"])


def _distribution(stack: cdk.Stack) -> dict[str, Any]:
    (found,) = Template.from_stack(stack).find_resources("AWS::CloudFront::Distribution").values()
    return dict(found["Properties"]["DistributionConfig"])


def _tls_condition(stack: cdk.Stack) -> Any:
    (policy,) = Template.from_stack(stack).find_resources("AWS::S3::BucketPolicy").values()
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        condition = statement.get("Condition", {}).get("NumericLessThan")
        if condition:
            return condition["s3:TlsVersion"]
    return None


ACCEPTED: list[tuple[str, str, str, Value, Callable[[cdk.Stack], bool]]] = [
    (
        "SecureBucket",
        "bucket_props",
        "minimum_tls_version",
        _is(1.3),
        lambda s: _tls_condition(s) == 1.3,
    ),
    (
        "SecureBucket",
        "bucket_props",
        "block_public_access",
        _is(s3.BlockPublicAccess.BLOCK_ALL),
        lambda s: all(_bucket(s)["PublicAccessBlockConfiguration"].values()),
    ),
    (
        "StaticWebsite",
        "distribution_props",
        "additional_behaviors",
        _behaviour(cloudfront.ViewerProtocolPolicy.HTTPS_ONLY),
        lambda s: _distribution(s)["CacheBehaviors"][0]["ViewerProtocolPolicy"] == "https-only",
    ),
    (
        "StreamArchive",
        "delivery_stream_props",
        "delivery_stream_name",
        _is("usage-archive"),
        lambda s: bool(
            Template.from_stack(s).find_resources(
                "AWS::KinesisFirehose::DeliveryStream",
                {"Properties": {"DeliveryStreamName": "usage-archive"}},
            )
        ),
    ),
]


@pytest.mark.parametrize(
    ("construct", "argument", "key", "value", "shows"),
    ACCEPTED,
    ids=[f"{c}-{k}" for c, _, k, _, _ in ACCEPTED],
)
def test_an_override_that_keeps_the_pattern_secure_is_taken(
    construct: str,
    argument: str,
    key: str,
    value: Value,
    shows: Callable[[cdk.Stack], bool],
) -> None:
    assert shows(_build(construct, argument, key, value))


@pytest.mark.parametrize(
    ("construct", "guards"),
    [
        ("SecureBucket", BUCKET_GUARDS),
        ("ServerlessApi", REST_API_GUARDS),
        ("StreamIngestApi", INGEST_API_GUARDS),
        ("StaticWebsite", DISTRIBUTION_GUARDS),
        ("StreamArchive", DELIVERY_STREAM_GUARDS),
        ("EventWorkflow", STATE_MACHINE_GUARDS),
        ("ApiCustomDomain", DOMAIN_NAME_GUARDS),
        ("StreamProcessor", EVENT_SOURCE_GUARDS),
        ("ServerlessFunction", FUNCTION_GUARDS),
    ],
)
def test_every_use_argument_guard_names_a_real_argument(
    construct: str, guards: dict[str, Any]
) -> None:
    """A guard that sends the user to an argument must send them to one that exists."""
    import inspect
    import re

    parameters = inspect.signature(getattr(patterns, construct).__init__).parameters
    defaults = inspect.signature(patterns.FunctionDefaults).parameters
    for key, guard in guards.items():
        for named in re.findall(r"FunctionDefaults\((\w+)=", guard.reason):
            assert named in defaults, (construct, key, named)
        for named in re.findall(r"(?<![(\w])(\w+)=", guard.reason):
            if "sets it from" in guard.reason or "pass " in guard.reason:
                assert named in parameters, (construct, key, named)


def test_overrides_must_be_a_mapping_of_names() -> None:
    with pytest.raises(TypeError, match="bucket_props must be a mapping"):
        patterns.SecureBucket(_stack(), "B", bucket_props=[("enforce_ssl", False)])  # type: ignore[arg-type]
