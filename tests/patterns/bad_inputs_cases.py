"""Data of test_bad_inputs: a valid baseline per public constructor, and the mistakes.

``BASELINES`` holds, for every callable of ``patterns.__all__``, how to call it and the
smallest valid arguments (imported resources where the pattern takes one). ``MISTAKES``
are realistic wrong values, each with the exception it must raise and what the message
must name; ``VALID_EDGES`` are boundary values that must be accepted.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn

import patterns

ACCOUNT, REGION = "123456789012", "eu-west-1"
Args = dict[str, Any]
Build = Callable[[cdk.Stack], Args]


def function(stack: cdk.Stack, construct_id: str = "Fn") -> lambda_.IFunction:
    """An imported function this stack can permit and grant to."""
    existing = stack.node.try_find_child(construct_id)
    if existing is not None:
        return existing  # type: ignore[return-value]
    return lambda_.Function.from_function_attributes(
        stack,
        construct_id,
        function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{construct_id.lower()}",
        role=iam.Role.from_role_arn(stack, f"{construct_id}Role", f"arn:aws:iam::{ACCOUNT}:role/r"),
        same_environment=True,
    )


def metric(period: cdk.Duration | None = None) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="Shop", metric_name="Errors", dimensions_map={"Service": "orders"}, period=period
    )


def alarm(stack: cdk.Stack) -> cloudwatch.Alarm:
    return patterns.create_alarm(stack, "Alarm", metric=metric(), threshold=1, description="d")


def bucket(stack: cdk.Stack, name: str = "lake-raw-bucket") -> s3.IBucket:
    found = stack.node.try_find_child(f"B{name}")
    return found or s3.Bucket.from_bucket_name(stack, f"B{name}", name)  # type: ignore[return-value]


def stream(stack: cdk.Stack) -> kinesis.IStream:
    found = stack.node.try_find_child("Stream")
    if found is not None:
        return found  # type: ignore[return-value]
    arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clicks"
    return kinesis.Stream.from_stream_arn(stack, "Stream", arn)


def topic(stack: cdk.Stack) -> sns.ITopic:
    found = stack.node.try_find_child("Topic")
    if found is not None:
        return found  # type: ignore[return-value]
    return sns.Topic.from_topic_arn(stack, "Topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops")


def queue(stack: cdk.Stack) -> sqs.IQueue:
    found = stack.node.try_find_child("Queue")
    if found is not None:
        return found  # type: ignore[return-value]
    return sqs.Queue.from_queue_arn(stack, "Queue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q")


def key(stack: cdk.Stack) -> kms.IKey:
    found = stack.node.try_find_child("Key")
    if found is not None:
        return found  # type: ignore[return-value]
    return kms.Key.from_key_arn(stack, "Key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/abcd")


def zone(stack: cdk.Stack) -> route53.IHostedZone:
    found = stack.node.try_find_child("Zone")
    if found is not None:
        return found  # type: ignore[return-value]
    return route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z0123456789", zone_name="example.com"
    )


def user_pool(stack: cdk.Stack) -> tuple[cognito.IUserPool, cognito.IUserPoolClient]:
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", f"{REGION}_Abc123")
    return pool, cognito.UserPoolClient.from_user_pool_client_id(stack, "Client", "client1")


def identity_args(stack: cdk.Stack) -> Args:
    pool, client = user_pool(stack)
    return {"user_pool": pool, "user_pool_client": client}


def stage(stack: cdk.Stack) -> apigateway.IStage:
    api = apigateway.RestApi.from_rest_api_id(stack, "Api", "abc123")
    return apigateway.Stage.from_stage_attributes(stack, "Stage", rest_api=api, stage_name="v1")


def certificate(stack: cdk.Stack, region: str = REGION) -> acm.ICertificate:
    arn = f"arn:aws:acm:{region}:{ACCOUNT}:certificate/1234"
    return acm.Certificate.from_certificate_arn(stack, f"Cert{region}", arn)


def domain(stack: cdk.Stack) -> apigateway.IDomainName:
    return apigateway.DomainName.from_domain_name_attributes(
        stack,
        "Domain",
        domain_name="api.example.com",
        domain_name_alias_hosted_zone_id="Z2FDTNDATAQYW2",
        domain_name_alias_target="d-abc.execute-api.eu-west-1.amazonaws.com",
    )


def _package() -> Path:
    """A small Python package folder for the shared-code layer's cases."""
    folder = Path(tempfile.mkdtemp(prefix="shared-code-")) / "helpers"
    folder.mkdir()
    (folder / "__init__.py").write_text("VALUE = 1\n")
    return folder


PACKAGE = _package()
#: The GraphqlApi tests' schema and resolver.
GRAPHQL_DIR = Path(__file__).resolve().parent / "graphql"


def timed_function(stack: cdk.Stack) -> lambda_.IFunction:
    """A function defined here, with a 60 s timeout the queue processor can read."""
    return lambda_.Function(
        stack,
        "Timed",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="app.handler",
        code=lambda_.Code.from_inline("def handler(e, c):\n    return e\n"),
        timeout=cdk.Duration.seconds(60),
    )


MATCH = patterns.ApiCallMatch(
    name="PublicBucket", event_source="s3.amazonaws.com", event_names=["PutBucketPolicy"]
)


@dataclasses.dataclass(frozen=True)
class Baseline:
    """How to call one public callable: with ``(stack, id, ...)`` or only keywords."""

    build: Build
    scoped: bool = True


def _none(_: cdk.Stack) -> Args:
    return {}


#: Every callable of ``patterns.__all__`` and its smallest valid arguments.
BASELINES: dict[str, Baseline] = {
    "AlarmResponder": Baseline(lambda s: {"alarms": [alarm(s)], "function": function(s)}),
    "ApiCallMatch": Baseline(
        lambda _s: {"name": "M", "event_source": "s3.amazonaws.com", "event_names": ["X"]},
        scoped=False,
    ),
    "ApiCustomDomain": Baseline(
        lambda s: {"stage": stage(s), "domain_name": "api.example.com", "hosted_zone": zone(s)}
    ),
    "ApiGatewayAccount": Baseline(_none),
    "ApiUsagePlan": Baseline(lambda _s: {"name": "Partner"}, scoped=False),
    "BrowserIdentity": Baseline(identity_args),
    "DataCatalog": Baseline(lambda s: {"zones": {"raw": bucket(s)}, "indexer": function(s)}),
    "DataLake": Baseline(_none),
    "EncryptLogGroups": Baseline(_none, scoped=False),
    "EncryptServiceData": Baseline(_none, scoped=False),
    "EventWorkflow": Baseline(
        lambda s: {"definition": sfn.Pass(s, "Step"), "schedule": "rate(1 day)"}
    ),
    "FunctionDefaults": Baseline(_none, scoped=False),
    "GraphqlApi": Baseline(lambda _s: {"schema": GRAPHQL_DIR / "schema.graphql"}),
    "GraphqlCache": Baseline(_none, scoped=False),
    "PipelineStep": Baseline(
        lambda _s: {"name": "getNote", "data_source": "notes", "code": GRAPHQL_DIR / "get_note.js"},
        scoped=False,
    ),
    "LambdaAuthorizer": Baseline(lambda s: {"function": function(s)}, scoped=False),
    "LifecycleTiers": Baseline(_none, scoped=False),
    "LiveUpdates": Baseline(
        lambda s: {
            "handler": function(s, "Routes"),
            "broadcaster": function(s, "Pusher"),
            "source_stream": stream(s),
        }
    ),
    "ManagedPolicies": Baseline(_none, scoped=False),
    "OpsNotifications": Baseline(_none),
    "PolicyEnforcer": Baseline(lambda s: {"function": function(s), "api_calls": [MATCH]}),
    "RegionalApiRecord": Baseline(
        lambda s: {"domain": domain(s), "hosted_zone": zone(s), "stage": stage(s)}
    ),
    "Route": Baseline(
        lambda s: {"method": "GET", "path": "/items", "function": function(s)}, scoped=False
    ),
    "QueueProcessor": Baseline(
        lambda s: {"function": function(s), "visibility_timeout": cdk.Duration.minutes(1)}
    ),
    "ScheduledJob": Baseline(lambda s: {"function": function(s)}),
    "SecureBucket": Baseline(_none),
    "ServerlessApi": Baseline(_none),
    "ServerlessFunction": Baseline(
        lambda _s: {"code": lambda_.Code.from_inline("def handler(e, c):\n    return e\n")}
    ),
    "SharedCode": Baseline(lambda _s: {"package_path": PACKAGE}, scoped=False),
    "SharedCodeLayer": Baseline(lambda _s: {"package_path": PACKAGE}),
    "StaticWebsite": Baseline(_none),
    "StreamArchive": Baseline(_none),
    "StreamIngestApi": Baseline(_none),
    "StreamProcessor": Baseline(lambda s: {"function": function(s)}),
    "Subscriber": Baseline(lambda _s: {"name": "Orders"}, scoped=False),
    "Throttle": Baseline(lambda _s: {"rate_limit": 100, "burst_limit": 50}, scoped=False),
    "TopicFanOut": Baseline(lambda _s: {"subscribers": [patterns.Subscriber(name="Orders")]}),
    "access_logs_bucket": Baseline(_none),
    "create_alarm": Baseline(lambda _s: {"metric": metric(), "threshold": 1, "description": "d"}),
    "ensure_dead_letter_queue": Baseline(lambda _s: {"queue": None}),
    "messages_waiting_alarm": Baseline(lambda s: {"queue": queue(s), "description": "d"}),
    "retention_from_days": Baseline(lambda _s: {"days": 30}, scoped=False),
    "wait_for_callback": Baseline(
        lambda s: {
            "message": {"order": "o-1"},
            "timeout": cdk.Duration.minutes(5),
            "queue": queue(s),
        }
    ),
}


@dataclasses.dataclass(frozen=True)
class Mistake:
    """One wrong argument: ``construct(**baseline, **change(stack))`` must raise ``error``
    whose message names ``argument`` and shows ``shown`` (the bad value as written)."""

    construct: str
    change: Build
    argument: str
    shown: str
    error: type[Exception] = ValueError
    label: str = ""


def _m(construct: str, argument: str, value: Any, shown: str, **extra: Any) -> Mistake:
    """A mistake that sets ``argument`` to a plain ``value`` (no stack needed)."""
    return Mistake(construct, lambda _s: {argument: value}, argument, shown, **extra)


def _ms(construct: str, argument: str, make: Callable[[cdk.Stack], Any], shown: str) -> Mistake:
    """A mistake whose value is built in the stack (an AWS object)."""
    return Mistake(construct, lambda s: {argument: make(s)}, argument, shown)


_NODE = lambda_.Runtime.NODEJS_22_X
_GLOBAL_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/1a2b"
_REGIONAL_ACL = f"arn:aws:wafv2:{REGION}:123456789012:regional/webacl/api/1a2b"

_S = cdk.Duration.seconds
_FILTER = patterns.Subscriber
_STRING = sns.SubscriptionFilter.string_filter(allowlist=["a"])

#: Hand-written mistakes: values of the right type that AWS (or CDK) refuses.
MISTAKES: list[Mistake] = [
    # QueueProcessor: SQS's and Lambda's limits.
    _m("QueueProcessor", "batch_size", 0, "0"),
    _m("QueueProcessor", "batch_size", 10_001, "10001"),
    _m("QueueProcessor", "batch_size", 11, "11", label="more than 10 without a window"),
    _m("QueueProcessor", "max_batching_window", _S(301), "301"),
    _m("QueueProcessor", "max_concurrency", 1, "1"),
    _m("QueueProcessor", "max_concurrency", 1001, "1001"),
    _m("QueueProcessor", "max_receive_count", 0, "0"),
    _m("QueueProcessor", "retention_period", _S(30), "30"),
    _m("QueueProcessor", "visibility_timeout", _S(43_201), "43201"),
    Mistake(
        "QueueProcessor",
        lambda s: {"function": timed_function(s), "visibility_timeout": _S(30)},
        "visibility_timeout",
        "60 s",
        label="shorter than the function's timeout",
    ),
    _m("QueueProcessor", "visibility_timeout", None, "timeout", label="imported function"),
    _m("QueueProcessor", "queue_name", "my queue", "my queue"),
    _m("QueueProcessor", "queue_name", "jobs.fifo", "jobs.fifo"),
    Mistake(
        "QueueProcessor",
        lambda _s: {"fifo": True, "queue_name": "jobs"},
        "queue_name",
        "'jobs'",
        label="FIFO name without .fifo",
    ),
    Mistake(
        "QueueProcessor",
        lambda _s: {"fifo": True, "batch_size": 11},
        "batch_size",
        "11",
        label="FIFO batch of 11",
    ),
    Mistake(
        "QueueProcessor",
        lambda _s: {"fifo": True, "max_batching_window": _S(5)},
        "max_batching_window",
        "FIFO",
        label="FIFO with a window",
    ),
    _m("QueueProcessor", "content_based_deduplication", True, "fifo=True"),
    _m("QueueProcessor", "high_throughput_fifo", True, "fifo=True"),
    Mistake(
        "QueueProcessor",
        lambda s: {
            "queue": queue(s),
            "dead_letter_queue": queue(s),
            "visibility_timeout": None,
            "retention_period": _S(600),
        },
        "retention_period",
        "600",
        label="a queue setting with a given queue",
    ),
    Mistake(
        "QueueProcessor",
        lambda s: {"queue": queue(s), "visibility_timeout": None},
        "dead_letter_queue",
        "redrive",
        label="a given queue without its dead-letter queue",
    ),
    _m("QueueProcessor", "oldest_message_age_alarm", _S(30), "30"),
    _m("QueueProcessor", "oldest_message_age_alarm", cdk.Duration.days(4), "345600"),
    _m("QueueProcessor", "event_source_props", {"batch_size": 5}, "batch_size"),
    # BrowserIdentity: Cognito's group names and its limit on rules.
    _m("BrowserIdentity", "groups", ["web users"], "'web users'"),
    _m("BrowserIdentity", "groups", [""], "''"),
    _m("BrowserIdentity", "groups", ["g" * 129], "'ggg"),
    _m("BrowserIdentity", "groups", ["admin", "admin"], "'admin'"),
    _m("BrowserIdentity", "groups", [f"g{i:02d}" for i in range(26)], "26"),
    _m("BrowserIdentity", "groups", "admin", "'admin'", error=TypeError),
    _m("BrowserIdentity", "groups", ["admins", "admin"], "['admins']"),
    _m("BrowserIdentity", "unmatched_users", "guest-role", "'guest-role'"),
    _m("BrowserIdentity", "allow_guests", "yes", "'yes'", error=TypeError),
    # TopicFanOut and its subscribers.
    _m("TopicFanOut", "subscribers", [], "none"),
    _m("TopicFanOut", "subscribers", [_FILTER(name="A"), _FILTER(name="A")], "'A'"),
    Mistake(
        "TopicFanOut",
        lambda s: {"topic": topic(s), "master_key": key(s)},
        "master_key",
        "given topic",
        label="a key for a given topic",
    ),
    _m("TopicFanOut", "retention_period", _S(30), "30"),
    _m("TopicFanOut", "oldest_message_age_alarm", _S(10), "10"),
    _m("Subscriber", "name", "orders", "orders"),
    _m("Subscriber", "filter_policy", {f"k{i}": _STRING for i in range(6)}, "6"),
    Mistake(
        "Subscriber",
        lambda _s: {
            "filter_policy": {"k": _STRING},
            "filter_policy_with_message_body": {"k": sns.FilterOrPolicy.filter(_STRING)},
        },
        "filter_policy_with_message_body",
        "not both",
        label="two filter scopes",
    ),
    # SharedCode and SharedCodeLayer.
    _m("SharedCode", "package_path", tempfile.gettempdir(), tempfile.gettempdir()),
    _m("SharedCode", "requirements", ("requests",), "requests"),
    _m("SharedCode", "requirements", ("requests>=2",), "requests>=2"),
    _m("SharedCode", "requirements", ("six==1.17.0", "six==1.17.0"), "six==1.17.0"),
    _m("SharedCode", "description", "d" * 257, "256"),
    _m("SharedCodeLayer", "source", patterns.SharedCode(package_path=PACKAGE), "package_path"),
    _m("SharedCodeLayer", "requirements", ["six"], "six"),
    _m(
        "SharedCodeLayer",
        "defaults",
        patterns.FunctionDefaults(runtime=_NODE, powertools_layer_version=None),
        "nodejs22.x",
    ),
    # FunctionDefaults / ServerlessFunction: Lambda's own limits.
    _m("FunctionDefaults", "memory_size", 64, "64"),
    _m("FunctionDefaults", "memory_size", 10241, "10241"),
    _m("FunctionDefaults", "timeout_seconds", 901, "901"),
    _m("FunctionDefaults", "timeout_seconds", 0, "0"),
    _m("FunctionDefaults", "log_level", "TRACE", "TRACE"),
    _m("FunctionDefaults", "reserved_concurrency", 0, "0"),
    _m("FunctionDefaults", "environment", {"1ST": "x"}, "1ST"),
    _m("FunctionDefaults", "environment", {"MY-VAR": "x"}, "MY-VAR"),
    _m("FunctionDefaults", "environment", {"AWS_REGION": "x"}, "AWS_REGION"),
    _m("FunctionDefaults", "environment", {"_HANDLER": "x"}, "_HANDLER"),
    _m("FunctionDefaults", "environment", {"BIG": "x" * 5000}, "5003"),
    _m("FunctionDefaults", "runtime", _NODE, "nodejs22.x"),
    _m("FunctionDefaults", "metrics_namespace", "N" * 256, "256"),
    _m("FunctionDefaults", "service_name", "", "service_name"),
    _m("FunctionDefaults", "powertools_layer_version", 0, "0"),
    _m("FunctionDefaults", "opentelemetry_layer_version", 3, "3"),
    _m("ServerlessFunction", "memory_size", 100, "100"),
    _m("ServerlessFunction", "timeout", cdk.Duration.millis(1500), "1500"),
    _m("ServerlessFunction", "timeout", cdk.Duration.minutes(16), "960"),
    _m("ServerlessFunction", "environment", {"AWS_LAMBDA_FUNCTION_NAME": "x"}, "AWS_LAMBDA_"),
    _m("ServerlessFunction", "environment", {"my var": "x"}, "my var"),
    _m("ServerlessFunction", "description", "d" * 257, "257"),
    _m("ServerlessFunction", "handler", "handler", "handler"),
    _m("ServerlessFunction", "retry_attempts", 3, "3"),
    _m("ServerlessFunction", "max_event_age", cdk.Duration.seconds(30), "30"),
    _m("ServerlessFunction", "max_event_age", cdk.Duration.hours(7), "25200"),
    _m("ServerlessFunction", "reserved_concurrency", -1, "-1"),
    Mistake(
        "ServerlessFunction",
        lambda s: {
            "layers": [
                lambda_.LayerVersion.from_layer_version_arn(
                    s, f"L{i}", f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:l{i}:1"
                )
                for i in range(5)
            ]
        },
        "layers",
        "Powertools",
        label="five layers plus Powertools",
    ),
    _m(
        "FunctionDefaults",
        "shared_code",
        (_code := patterns.SharedCode(package_path=PACKAGE),) * 2,
        "helpers",
    ),
    Mistake(
        "FunctionDefaults",
        lambda _s: {"shared_code": (_code,), "runtime": _NODE, "powertools_layer_version": None},
        "shared_code",
        "nodejs22.x",
        label="shared code on Node",
    ),
    _m("retention_from_days", "days", 31, "31"),
    _m("retention_from_days", "days", 0, "0"),
    # ServerlessApi and its parts.
    _m("ServerlessApi", "default_auth", "basic", "basic"),
    _m("ServerlessApi", "cache_size", "1", "'1'"),
    _m("ServerlessApi", "cache_ttl", cdk.Duration.hours(2), "7200"),
    _m("ServerlessApi", "password_sign_in", True, "create_user_pool=True"),
    _m("ServerlessApi", "stage_name", "v1/beta", "v1/beta"),
    _m("ServerlessApi", "stage_name", "", "''"),
    _m("ServerlessApi", "table_environment_variable", "TABLE-NAME", "TABLE-NAME"),
    _m("ServerlessApi", "server_error_rate_percent", 101, "101"),
    _m("ServerlessApi", "web_acl_arn", _GLOBAL_ACL, "global/webacl"),
    _m(
        "ServerlessApi", "web_acl_arn", "arn:aws:wafv2:us-west-2:1:regional/webacl/a/b", "us-west-2"
    ),
    _m("ServerlessApi", "web_acl_arn", "my-acl", "my-acl"),
    _m(
        "ServerlessApi",
        "sort_key",
        dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
        "sk",
    ),
    _m("ServerlessApi", "endpoint_type", apigateway.EndpointType.PRIVATE, "PRIVATE"),
    _m("Throttle", "rate_limit", -1, "-1"),
    _m("Throttle", "burst_limit", -5, "-5"),
    _m("ApiUsagePlan", "name", "bad name", "bad name"),
    _m("ApiUsagePlan", "quota", -1, "-1"),
    _m("ApiUsagePlan", "quota_period", "YEAR", "YEAR"),
    _m("Route", "method", "FETCH", "FETCH"),
    _m("Route", "path", "items", "items"),
    _m("Route", "auth", "basic", "basic"),
    _m("Route", "table_access", "all", "all"),
    _m("LambdaAuthorizer", "type", "cookie", "cookie"),
    _m("ApiCustomDomain", "domain_name", "API.Example.com", "API.Example.com"),
    _m("ApiCustomDomain", "domain_name", "api.other.org", "api.other.org"),
    _m("ApiCustomDomain", "base_path", "v1/x", "v1/x"),
    _ms("ApiCustomDomain", "certificate", lambda s: certificate(s, "us-east-1"), "us-east-1"),
    _m("RegionalApiRecord", "region", "eu-middle-1", "eu-middle-1"),
    _m("RegionalApiRecord", "region", "EU-WEST-1", "EU-WEST-1"),
    _m("RegionalApiRecord", "region", "mars-east-1", "mars-east-1"),
    _m("RegionalApiRecord", "routing", "weighted", "weighted"),
    _m("RegionalApiRecord", "failover_role", "primary", "primary"),
    _m("RegionalApiRecord", "health_path", "health", "health"),
    _m("RegionalApiRecord", "failure_threshold", 11, "11"),
    _m("RegionalApiRecord", "request_interval", 20, "20"),
    # StaticWebsite: CloudFront's limits.
    _m("StaticWebsite", "spa_fallback_status_codes", [418], "418"),
    _m("StaticWebsite", "spa_fallback_status_codes", [404, 404], "404"),
    _m("StaticWebsite", "spa_fallback_status_codes", [302], "302"),
    _m("StaticWebsite", "spa_fallback_path", "index.html", "index.html"),
    _m("StaticWebsite", "index_document", "/index.html", "/index.html"),
    _m("StaticWebsite", "content_security_policy", "default-src 'self'; " * 100, "2000"),
    _m("StaticWebsite", "content_security_policy", "", "content_security_policy"),
    _m("StaticWebsite", "web_acl_arn", _REGIONAL_ACL, "regional/webacl"),
    _m("StaticWebsite", "content_path", "/no/such/folder", "/no/such/folder"),
    Mistake(
        "StaticWebsite",
        lambda s: {
            "domain_names": ["www.example.com:443"],
            "certificate": certificate(s, "us-east-1"),
        },
        "domain_names",
        "www.example.com:443",
        label="alias with a port",
    ),
    Mistake(
        "StaticWebsite",
        lambda s: {
            "domain_names": ["https://www.example.com"],
            "certificate": certificate(s, "us-east-1"),
        },
        "domain_names",
        "https://www.example.com",
        label="alias with a scheme",
    ),
    Mistake(
        "StaticWebsite",
        lambda s: {"domain_names": ["www.example.com"], "certificate": certificate(s)},
        "certificate",
        REGION,
        label="certificate outside us-east-1",
    ),
    _m("StaticWebsite", "domain_names", ["www.example.com"], "www.example.com"),
    # Stream patterns.
    _m("StreamProcessor", "batch_size", 0, "0"),
    _m("StreamProcessor", "batch_size", 10_001, "10001"),
    _m("StreamProcessor", "parallelization_factor", 11, "11"),
    _m("StreamProcessor", "retry_attempts", -1, "retry_attempts=-1"),
    _m("StreamProcessor", "retry_attempts", 10_001, "10001"),
    _m("StreamProcessor", "max_batching_window", cdk.Duration.minutes(6), "360"),
    _m("StreamProcessor", "max_record_age", cdk.Duration.seconds(59), "59"),
    _m("StreamProcessor", "max_record_age", cdk.Duration.days(8), "691200"),
    _m("StreamProcessor", "tumbling_window", cdk.Duration.minutes(16), "960"),
    _m("StreamProcessor", "tumbling_window", cdk.Duration.millis(500), "500"),
    _m("StreamProcessor", "iterator_age_alarm_fraction", 0.01, "0.01"),
    _m("StreamProcessor", "retention_period", cdk.Duration.hours(12), "43200"),
    _m("StreamProcessor", "shard_count", 2, "2"),
    _m("StreamProcessor", "filters", [{"data": {"kind": ["order"]}}], "'data'"),
    _m("StreamProcessor", "filters", [{"pattern": "{not json"}], "{not json"),
    _m("StreamProcessor", "starting_position_timestamp", 1700000000.0, "TRIM_HORIZON"),
    _m(
        "StreamProcessor",
        "starting_position",
        lambda_.StartingPosition.AT_TIMESTAMP,
        "AT_TIMESTAMP",
    ),
    _ms("StreamProcessor", "stream", stream, "retention"),
    _m("StreamArchive", "buffering_interval", cdk.Duration.seconds(901), "901"),
    _m("StreamArchive", "buffering_size", cdk.Size.mebibytes(129), "129"),
    _m("StreamArchive", "data_prefix", "events", "events"),
    _m("StreamArchive", "error_prefix", "errors", "errors"),
    _m("StreamArchive", "backup_prefix", "/source/", "/source/"),
    _m("StreamArchive", "freshness_threshold", cdk.Duration.millis(100), "100"),
    _m("StreamIngestApi", "stage_name", "prod v2", "prod v2"),
    _m("StreamIngestApi", "max_records_per_request", 501, "501"),
    _m("StreamIngestApi", "throttling_burst_limit", -1, "-1"),
    _m("StreamIngestApi", "web_acl_arn", _GLOBAL_ACL, "global/webacl"),
    _m("ApiGatewayAccount", "removal_policy", "retain", "'retain'", error=TypeError),
    _m("ensure_dead_letter_queue", "removal_policy", "DESTROY", "'DESTROY'", error=TypeError),
    _m("EncryptLogGroups", "removal_policy", "retain", "'retain'", error=TypeError),
    # Operations.
    _m("ScheduledJob", "schedule", "cron(0 25 * * ? *)", "cron(0 25 * * ? *)"),
    _m("ScheduledJob", "schedule", "cron(60 1 * * ? *)", "cron(60 1 * * ? *)"),
    _m("ScheduledJob", "schedule", "cron(0 1 32 * ? *)", "cron(0 1 32 * ? *)"),
    _m("ScheduledJob", "schedule", "cron(0 1 * 13 ? *)", "cron(0 1 * 13 ? *)"),
    _m("ScheduledJob", "schedule", "cron(0 1 ? * 8 *)", "cron(0 1 ? * 8 *)"),
    _m("ScheduledJob", "schedule", "cron(0 1 * FOO ? *)", "cron(0 1 * FOO ? *)"),
    _m("ScheduledJob", "schedule", "cron(0 1 * * * *)", "cron(0 1 * * * *)"),
    _m("ScheduledJob", "schedule", "cron(0 1 * * ?)", "cron(0 1 * * ?)"),
    _m("ScheduledJob", "schedule", "rate(0 minutes)", "rate(0 minutes)"),
    _m("ScheduledJob", "schedule", "rate(1 days)", "rate(1 days)"),
    _m("ScheduledJob", "schedule", "rate(5 minute)", "rate(5 minute)"),
    _m("ScheduledJob", "schedule", "every day", "every day"),
    _m("ScheduledJob", "schedule", "at(2026-02-30T10:00:00)", "2026-02-30"),
    _m("ScheduledJob", "time_zone", cdk.TimeZone.of("Europe/Atlantis"), "Europe/Atlantis"),
    _m("ScheduledJob", "time_zone", cdk.TimeZone.of("CEST"), "CEST"),
    _m("ScheduledJob", "description", "d" * 513, "513"),
    _m("ScheduledJob", "retry_attempts", 186, "186"),
    _m("ScheduledJob", "max_event_age", cdk.Duration.seconds(59), "59"),
    _m("ScheduledJob", "max_event_age", cdk.Duration.hours(25), "90000"),
    Mistake(
        "ScheduledJob",
        lambda _s: {"use_rule": True, "schedule": "at(2026-06-01T10:00:00)"},
        "schedule",
        "at(2026-06-01T10:00:00)",
        label="one-time schedule on a rule",
    ),
    Mistake(
        "ScheduledJob",
        lambda _s: {"use_rule": True, "time_zone": cdk.TimeZone.EUROPE_LONDON},
        "time_zone",
        "time_zone",
        label="time zone on a rule",
    ),
    _m("EventWorkflow", "schedule", "cron(0 24 * * ? *)", "cron(0 24 * * ? *)"),
    _m("EventWorkflow", "timeout", cdk.Duration.days(366), "31622400"),
    _m("EventWorkflow", "timeout", cdk.Duration.millis(10), "10"),
    Mistake(
        "EventWorkflow",
        lambda _s: {"workflow_type": "EXPRESS", "timeout": cdk.Duration.minutes(6)},
        "timeout",
        "360",
        label="express workflow over five minutes",
    ),
    _m("wait_for_callback", "timeout", cdk.Duration.days(400), "34560000"),
    _m("wait_for_callback", "heartbeat", cdk.Duration.minutes(5), "5 minutes"),
    _m("wait_for_callback", "message", {"task_token": "t"}, "task_token"),
    Mistake(
        "EventWorkflow",
        lambda _s: {"schedule": None, "event_pattern": events.EventPattern()},
        "event_pattern",
        "EventPattern",
        label="empty event pattern",
    ),
    _m("PolicyEnforcer", "retry_attempts", 186, "186"),
    _m("PolicyEnforcer", "api_calls", [], "api_calls"),
    _m("ApiCallMatch", "event_source", "s3", "s3"),
    _m("ApiCallMatch", "event_names", [], "event_names"),
    _m("ApiCallMatch", "name", "bad name!", "bad name!"),
    _m("AlarmResponder", "alarms", [], "alarms"),
    _m("OpsNotifications", "emails", ["oncall"], "oncall"),
    _m("OpsNotifications", "emails", ["a@b@c.com"], "a@b@c.com"),
    _m("create_alarm", "evaluation_periods", 0, "0"),
    _m("create_alarm", "datapoints_to_alarm", 2, "2"),
    _m("create_alarm", "description", "d" * 1025, "1025"),
    _m("create_alarm", "metric", cloudwatch.Metric(namespace="N", metric_name="M"), "'M'"),
    _m("messages_waiting_alarm", "description", "d" * 1025, "1025"),
    Mistake(
        "create_alarm",
        lambda _s: {"metric": metric(cdk.Duration.hours(1)), "evaluation_periods": 25},
        "evaluation_periods",
        "25",
        label="periods over a day",
    ),
    # Buckets and the data lake.
    _m("SecureBucket", "server_access_logs_prefix", "logs/", "server_access_logs_prefix"),
    _m("SecureBucket", "auto_delete_objects", True, "auto_delete_objects"),
    _m("SecureBucket", "noncurrent_version_expiration", cdk.Duration.hours(36), "129600"),
    _m(
        "SecureBucket",
        "lifecycle_rules",
        [s3.LifecycleRule(expiration=cdk.Duration.hours(36))],
        "1 day 12 hours",
    ),
    Mistake(
        "SecureBucket",
        lambda s: {
            "server_access_logs_bucket": s3.Bucket(s, "KmsLogs", encryption=s3.BucketEncryption.KMS)
        },
        "server_access_logs_bucket",
        "KmsLogs",
        label="SSE-KMS access-log target",
    ),
    _m("access_logs_bucket", "expire_after", cdk.Duration.hours(6), "6 hours"),
    _m("LifecycleTiers", "infrequent_access_after_days", 10, "10"),
    _m("LifecycleTiers", "archive_after_days", 20, "archive_after_days=20"),
    Mistake(
        "LifecycleTiers",
        lambda _s: {
            "infrequent_access_after_days": None,
            "archive_after_days": None,
            "expire_after_days": None,
            "noncurrent_expire_after_days": None,
        },
        "LifecycleTiers",
        "None",
        label="all tiers empty",
    ),
    _m("DataLake", "bytes_scanned_cutoff", 1, "1"),
    _m("DataCatalog", "zones", {}, "zones"),
    _m("DataCatalog", "retry_attempts", 186, "186"),
    _ms("DataCatalog", "zones", lambda s: {"raw zone": bucket(s)}, "raw zone"),
    Mistake(
        "DataCatalog",
        lambda s: {"zones": {"raw": s3.Bucket(s, "Plain")}},
        "zones['raw']",
        "Plain",
        label="bucket without EventBridge",
    ),
    _m("EncryptServiceData", "replica_key_arns", {"eu-west-1": "not-an-arn"}, "not-an-arn"),
    # GraphqlApi: AppSync's limits and modes without what they need.
    _m("GraphqlApi", "query_depth_limit", 0, "0"),
    _m("GraphqlApi", "query_depth_limit", 76, "76"),
    _m("GraphqlApi", "authorizer_cache_ttl", cdk.Duration.hours(2), "7200"),
    _m("GraphqlApi", "latency_p99_alarm", cdk.Duration.minutes(2), "120"),
    _m("GraphqlApi", "server_errors_alarm", 0, "0"),
    _m("GraphqlApi", "field_log_level", "VERBOSE", "VERBOSE"),
    _m("GraphqlApi", "default_authorization", "cognito", "cognito"),
    _m("GraphqlApi", "schema", "missing.graphql", "missing.graphql"),
    _m("GraphqlApi", "data_sources", {"bad-name": None}, "None", error=TypeError),
    _m("GraphqlCache", "ttl", cdk.Duration.hours(2), "7200"),
    _m("GraphqlCache", "instance_type", "TINY", "TINY"),
    _m("PipelineStep", "name", "get-note", "get-note"),
    # LiveUpdates: API Gateway's and Lambda's limits, and sources that push nothing.
    _m("LiveUpdates", "fan_out_concurrency", 0, "0"),
    _m("LiveUpdates", "fan_out_concurrency", 257, "257"),
    _m("LiveUpdates", "connection_ttl", cdk.Duration.hours(1), "3600"),
    _m("LiveUpdates", "connection_ttl", cdk.Duration.days(8), "691200"),
    _m("LiveUpdates", "batch_size", 10_001, "10001"),
    _m("LiveUpdates", "max_batching_window", cdk.Duration.seconds(301), "301"),
    _m("LiveUpdates", "parallelization_factor", 11, "11"),
    _m("LiveUpdates", "retry_attempts", -1, "-1"),
    _m("LiveUpdates", "max_record_age", cdk.Duration.seconds(30), "30"),
    _m("LiveUpdates", "iterator_age_alarm", cdk.Duration.minutes(11), "660"),
    _m("LiveUpdates", "stage_name", "my stage", "my stage"),
    _m("LiveUpdates", "execution_logging_level", "DEBUG", "DEBUG"),
    _m(
        "LiveUpdates",
        "authorizer_identity_sources",
        ["method.request.header.Authorization"],
        "method.request.header.Authorization",
    ),
    _m("LiveUpdates", "authorizer_identity_sources", [], "[]"),
    Mistake(
        "LiveUpdates",
        lambda s: {
            "source_table": dynamodb.Table.from_table_name(s, "NoStream", "counts"),
            "source_stream": None,
        },
        "source_table",
        "has no stream",
        label="imported table without its stream ARN",
    ),
    Mistake(
        "LiveUpdates",
        lambda s: {
            "source_table": dynamodb.Table.from_table_attributes(
                s,
                "Streamed",
                table_name="counts",
                table_stream_arn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/counts/stream/x",
            )
        },
        "source_stream",
        "exactly one",
        label="both a table and a stream",
    ),
    Mistake(
        "LiveUpdates",
        lambda s: {
            "api_account": patterns.ApiGatewayAccount(s, "Account"),
            "cloud_watch_role": True,
        },
        "cloud_watch_role",
        "not both",
        label="an account setting given and asked for",
    ),
]


@dataclasses.dataclass(frozen=True)
class Edge:
    """A boundary value that AWS accepts, so the construct must too."""

    construct: str
    change: Build
    label: str


def _e(construct: str, label: str, **values: Any) -> Edge:
    return Edge(construct, lambda _s: values, label)


def _layers(stack: cdk.Stack, count: int) -> list[lambda_.ILayerVersion]:
    return [
        lambda_.LayerVersion.from_layer_version_arn(
            stack, f"L{i}", f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:l{i}:1"
        )
        for i in range(count)
    ]


_PRIVATE_POLICY = iam.PolicyDocument(
    statements=[
        iam.PolicyStatement(
            actions=["execute-api:Invoke"],
            principals=[iam.AnyPrincipal()],
            resources=["execute-api:/*"],
            conditions={"StringEquals": {"aws:SourceVpce": "vpce-0123"}},
        )
    ]
)

#: Values at AWS's limits (and shapes that look odd but are valid) that must be accepted.
VALID_EDGES: list[Edge] = [
    _e("BrowserIdentity", "25 groups", groups=[f"g{i:02d}" for i in range(25)]),
    _e("BrowserIdentity", "a 128-character name", groups=["g" * 128]),
    _e("BrowserIdentity", "punctuation and non-ASCII", groups=["web-users", "admins.eu", "größe"]),
    _e("BrowserIdentity", "deny unmatched users", unmatched_users="deny", allow_guests=True),
    _e("GraphqlApi", "the deepest query AppSync runs", query_depth_limit=75),
    _e(
        "GraphqlApi",
        "an authorizer answer kept an hour",
        authorizer_cache_ttl=cdk.Duration.hours(1),
    ),
    _e("GraphqlApi", "no 4XX alarm", client_errors_alarm=None),
    _e("GraphqlCache", "the longest cache TTL", ttl=cdk.Duration.hours(1)),
    _e("LiveUpdates", "the longest connection as TTL", connection_ttl=cdk.Duration.hours(2)),
    _e("LiveUpdates", "largest fan-out", fan_out_concurrency=256),
    _e("LiveUpdates", "a week's record age", max_record_age=cdk.Duration.days(7)),
    _e("LiveUpdates", "no throttle", throttle=None),
    _e("LiveUpdates", "a token for the batch size", batch_size=cdk.Token.as_number({"Ref": "B"})),
    _e("FunctionDefaults", "smallest memory", memory_size=128),
    _e("FunctionDefaults", "largest memory", memory_size=10240),
    _e("FunctionDefaults", "15-minute timeout", timeout_seconds=900),
    _e("FunctionDefaults", "memory as a token", memory_size=cdk.Token.as_number({"Ref": "M"})),
    _e("FunctionDefaults", "Node without Powertools", runtime=_NODE, powertools_layer_version=None),
    _e("FunctionDefaults", "variable with digits", environment={"A1_B2": "x", "Z": ""}),
    _e("FunctionDefaults", "4 KB environment", environment={"BIG": "x" * 4093}),
    _e("ServerlessFunction", "one-second timeout", timeout=cdk.Duration.seconds(1)),
    _e("ServerlessFunction", "256-character description", description="d" * 256),
    Edge("ServerlessFunction", lambda s: {"layers": _layers(s, 4)}, "4 layers and Powertools"),
    Edge(
        "ServerlessFunction",
        lambda s: {
            "layers": _layers(s, 5),
            "defaults": patterns.FunctionDefaults(powertools_layer_version=None),
        },
        "5 layers without Powertools",
    ),
    _e("retention_from_days", "ten years", days=3653),
    _e("ServerlessApi", "regional ACL of this region", web_acl_arn=_REGIONAL_ACL),
    _e(
        "ServerlessApi",
        "private API with its policy",
        endpoint_type=apigateway.EndpointType.PRIVATE,
        rest_api_props={"policy": _PRIVATE_POLICY},
    ),
    _e(
        "ServerlessApi",
        "partition and sort key",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
    ),
    _e("ServerlessApi", "stage name with hyphen", stage_name="prod-v2"),
    _e("Throttle", "burst below rate", rate_limit=1000, burst_limit=1),
    Edge("ApiCustomDomain", lambda s: {"certificate": certificate(s)}, "certificate of its region"),
    _e("RegionalApiRecord", "newest region", region="ap-southeast-5"),
    _e("RegionalApiRecord", "GovCloud", region="us-gov-west-1"),
    _e("RegionalApiRecord", "China", region="cn-north-1"),
    _e("RegionalApiRecord", "Israel", region="il-central-1"),
    _e("StaticWebsite", "global ACL", web_acl_arn=_GLOBAL_ACL),
    _e("StaticWebsite", "CSP at CloudFront's limit", content_security_policy="a" * 1783),
    _e("StaticWebsite", "every CloudFront error code", spa_fallback_status_codes=[403, 404, 504]),
    Edge(
        "StaticWebsite",
        lambda s: {
            "domain_names": ["*.example.com", "example.com"],
            "certificate": certificate(s, "us-east-1"),
        },
        "wildcard and apex aliases",
    ),
    _e("StreamProcessor", "one record a batch", batch_size=1),
    _e("StreamProcessor", "largest batch", batch_size=10_000),
    _e("StreamProcessor", "ten per shard", parallelization_factor=10),
    _e("StreamProcessor", "7-day record age", max_record_age=cdk.Duration.days(7)),
    _e(
        "StreamProcessor",
        "FilterCriteria filters",
        filters=[
            lambda_.FilterCriteria.filter({"data": {"kind": lambda_.FilterRule.is_equal("o")}})
        ],
    ),
    Edge(
        "StreamProcessor",
        lambda s: {"stream": stream(s), "retention_period": cdk.Duration.days(365)},
        "imported stream with its retention",
    ),
    _e("ScheduledJob", "last minute of the year", schedule="cron(59 23 31 12 ? 2199)"),
    _e("ScheduledJob", "fifth Sunday", schedule="cron(0 0 ? * SUN#5 *)"),
    _e("ScheduledJob", "last day of month", schedule="cron(0 8 L * ? *)"),
    _e("ScheduledJob", "weekday nearest the 15th", schedule="cron(0 8 15W * ? *)"),
    _e("ScheduledJob", "steps and ranges", schedule="cron(0/15 8-17 ? JAN-MAR MON-FRI *)"),
    _e("ScheduledJob", "one minute", schedule="rate(1 minute)"),
    _e("ScheduledJob", "one-time", schedule="at(2026-06-01T10:00:00)"),
    _e("ScheduledJob", "Paris", time_zone=cdk.TimeZone.EUROPE_PARIS),
    _e("ScheduledJob", "UTC", time_zone=cdk.TimeZone.of("UTC")),
    _e("ScheduledJob", "512-character description", description="d" * 512),
    _e("ScheduledJob", "most retries", retry_attempts=185),
    _e("ScheduledJob", "shortest event age", max_event_age=cdk.Duration.seconds(60)),
    _e("ScheduledJob", "longest event age", max_event_age=cdk.Duration.hours(24)),
    _e(
        "EventWorkflow",
        "source only",
        schedule=None,
        event_pattern=events.EventPattern(source=["aws.s3"]),
    ),
    Edge(
        "create_alarm",
        lambda _s: {"metric": metric(cdk.Duration.hours(1)), "evaluation_periods": 24},
        "exactly a day",
    ),
    _e("create_alarm", "integer threshold", threshold=0),
    Edge(
        "messages_waiting_alarm",
        lambda s: {"queue": sqs.Queue(s, "Owned"), "topic": topic(s)},
        "a queue of its own stack, with a topic",
    ),
    _e(
        "SecureBucket",
        "one-day expiry",
        lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(1))],
    ),
    Edge(
        "SecureBucket",
        lambda s: {
            "server_access_logs_bucket": s3.Bucket(
                s, "S3Logs", encryption=s3.BucketEncryption.S3_MANAGED
            )
        },
        "SSE-S3 log target",
    ),
    _e(
        "LifecycleTiers",
        "expiry only",
        infrequent_access_after_days=None,
        archive_after_days=None,
        expire_after_days=1,
        noncurrent_expire_after_days=None,
    ),
    Edge(
        "DataCatalog",
        lambda s: {
            "zones": {"raw": patterns.SecureBucket(s, "Zone", event_bridge_enabled=True).bucket}
        },
        "zone with EventBridge",
    ),
    _e("ManagedPolicies", "no arguments"),
    _e(
        "EncryptServiceData",
        "replica key",
        replica_key_arns={"us-west-2": f"arn:aws:kms:us-west-2:{ACCOUNT}:alias/x"},
    ),
]
