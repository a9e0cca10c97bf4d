"""Value checks against what AWS accepts: names, lengths, regions, time zones, hosts.

Each raises ``ValueError`` naming the argument, the value and what AWS allows; values
that are unresolved tokens pass (they are only known at deploy time).
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk

from patterns._validation import is_token

#: Regions by partition: aws (us-east-1, ap-southeast-5, il-central-1...), aws-cn,
#: aws-us-gov, the ISO partitions and the European Sovereign Cloud.
_REGION = re.compile(
    r"^(?:(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:central|north|south|east|west|northeast|"
    r"southeast|northwest|southwest)-\d{1,2}|cn-(?:north|northwest)-1|"
    r"us-gov-(?:east|west)-1|us-iso[bfe]?-(?:east|west|south)-\d|eusc-de-east-1)$"
)
#: Names Lambda's environment accepts: a letter, then letters, digits and underscores.
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: Variables the Lambda runtime sets itself; a function may not set them.
LAMBDA_RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
#: Lambda's limit on a function's environment (names and values), in bytes.
LAMBDA_ENVIRONMENT_BYTES = 4096
#: Lambda's limit on a function's layers.
LAMBDA_MAX_LAYERS = 5
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_length(name: str, value: str | None, maximum: int, minimum: int = 0) -> None:
    """Raise ``ValueError`` unless ``minimum <= len(value) <= maximum`` (``None`` passes)."""
    if value is None or is_token(value):
        return
    if not minimum <= len(value) <= maximum:
        shown = value if len(value) <= 80 else f"{value[:77]}..."
        raise ValueError(
            f"{name} must be {minimum} to {maximum} characters (AWS's limit), got "
            f"{len(value)}: {shown!r}"
        )


def check_region(name: str, value: str | None) -> None:
    """Raise ``ValueError`` unless ``value`` has the form of a region of an AWS partition."""
    if value is None or is_token(value):
        return
    if not _REGION.match(value):
        raise ValueError(
            f"{name} must be an AWS region such as us-east-1 or eu-west-2 (the partition's "
            f"<area>-<direction>-<n> form), got {value!r}"
        )


def check_time_zone(name: str, value: cdk.TimeZone | None) -> None:
    """Raise ``ValueError`` unless ``value`` names a zone of the IANA database."""
    if value is None:
        return
    zone = value.timezone_name
    if is_token(zone):
        return
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name} must be an IANA time zone such as Europe/Paris or UTC, got {zone!r}"
        ) from None


def check_environment(name: str, environment: Mapping[str, Any] | None) -> None:
    """Raise ``ValueError`` unless Lambda accepts every variable of ``environment``."""
    if not environment:
        return
    size = 0
    for key, value in environment.items():
        if not _ENV_NAME.match(key):
            raise ValueError(
                f"{name} has the variable name {key!r}: Lambda needs a letter followed by "
                "letters, digits or '_'"
            )
        if key in LAMBDA_RESERVED_VARIABLES:
            raise ValueError(
                f"{name} sets {key!r}, which the Lambda runtime reserves for itself "
                f"(reserved: {', '.join(sorted(LAMBDA_RESERVED_VARIABLES))})"
            )
        if not is_token(value):
            size += len(key.encode()) + len(str(value).encode())
    if size > LAMBDA_ENVIRONMENT_BYTES:
        raise ValueError(
            f"{name} holds {size} bytes of names and values; Lambda allows "
            f"{LAMBDA_ENVIRONMENT_BYTES}"
        )


def check_hostname(name: str, value: str) -> None:
    """Raise ``ValueError`` unless ``value`` is a DNS name (a wildcard first label allowed),
    without scheme, port or path."""
    if is_token(value):
        return
    labels = value.rstrip(".").split(".")
    if labels and labels[0] == "*":
        labels = labels[1:]
    if len(value) > 253 or len(labels) < 2 or not all(_LABEL.match(x) for x in labels):
        raise ValueError(
            f"{name} contains {value!r}, which is not a domain name (letters, digits and "
            "hyphens in dot-separated labels; no scheme, port or path)"
        )


def check_web_acl_arn(name: str, arn: str | None, *, scope: str, region: str) -> None:
    """Raise ``ValueError`` unless ``arn`` is a WAFv2 web ACL of ``scope`` (``CLOUDFRONT``:
    ``global/webacl``, in us-east-1; ``REGIONAL``: ``regional/webacl`` in ``region``)."""
    if arn is None or is_token(arn):
        return
    parts = arn.split(":")
    kind = "global" if scope == "CLOUDFRONT" else "regional"
    want_region = "us-east-1" if scope == "CLOUDFRONT" else region
    valid = len(parts) >= 6 and parts[2] == "wafv2" and parts[5].startswith(f"{kind}/webacl/")
    if not valid:
        other = "a CloudFront (global)" if kind == "regional" else "a regional"
        raise ValueError(
            f"{name} must be the ARN of a {kind} WAFv2 web ACL "
            f"(arn:aws:wafv2:<region>:<account>:{kind}/webacl/<name>/<id>); got {arn!r}"
            + (f", {other} one" if "/webacl/" in arn else "")
        )
    if not is_token(want_region) and parts[3] != want_region:
        raise ValueError(
            f"{name} {arn!r} is in {parts[3]}; a {kind} web ACL attached here must be in "
            f"{want_region}"
        )


def check_layer_count(name: str, layers: Sequence[Any] | None, *, hidden: Sequence[str]) -> None:
    """Raise ``ValueError`` when ``layers`` plus the ``hidden`` layers FunctionDefaults adds
    (named: ``PowertoolsLayer``, ``OpenTelemetryLayer``) exceed Lambda's five per function."""
    count = len(layers or ())
    if count + len(hidden) > LAMBDA_MAX_LAYERS:
        also = f" besides the ones FunctionDefaults adds ({', '.join(hidden)})" if hidden else ""
        raise ValueError(
            f"{name} has {count} layers{also}; Lambda allows {LAMBDA_MAX_LAYERS} per function "
            f"in all, so pass at most {LAMBDA_MAX_LAYERS - len(hidden)} (or set "
            "FunctionDefaults(powertools_layer_version=None))"
        )


def check_certificate_region(name: str, certificate: Any, region: str) -> None:
    """Raise ``ValueError`` unless an ACM ``certificate`` is in ``region`` (a regional
    endpoint presents certificates of its own region only)."""
    arn = getattr(certificate, "certificate_arn", None)
    if not isinstance(arn, str) or is_token(arn) or is_token(region) or arn.count(":") < 5:
        return
    found = arn.split(":")[3]
    if found != region:
        raise ValueError(
            f"{name} {arn!r} is in {found}, but a regional custom domain in {region} needs "
            f"a certificate of {region} (us-east-1 certificates serve CloudFront only)"
        )


_PATTERN_FIELDS = ("account", "detail", "detail_type", "id", "region", "resources", "source")


def check_event_pattern(name: str, pattern: Any) -> None:
    """Raise ``ValueError`` for an ``events.EventPattern`` that names no field at all
    (EventBridge refuses an empty pattern)."""
    if pattern is not None and all(getattr(pattern, f, None) is None for f in _PATTERN_FIELDS):
        raise ValueError(
            f"{name} {pattern!r} matches on nothing: EventBridge needs at least one field, "
            'e.g. events.EventPattern(source=["aws.s3"])'
        )


def check_whole_days(name: str, value: cdk.Duration | None) -> None:
    """Raise ``ValueError`` unless ``value`` is a whole number of days (S3 lifecycle)."""
    if value is None or value.is_unresolved():
        return
    if value.to_milliseconds() % 86_400_000:
        raise ValueError(
            f"{name} must be a whole number of days (S3 lifecycle rules count days), got "
            f"{value.to_human_string()}"
        )


def check_lifecycle_rules(name: str, rules: Sequence[Any] | None) -> None:
    """Every duration of every ``s3.LifecycleRule`` is whole days."""
    for index, rule in enumerate(rules or ()):
        for field in ("expiration", "noncurrent_version_expiration"):
            check_whole_days(f"{name}[{index}].{field}", getattr(rule, field, None))
        for kind in ("transitions", "noncurrent_version_transitions"):
            for number, step in enumerate(getattr(rule, kind, None) or ()):
                after = getattr(step, "transition_after", None)
                check_whole_days(f"{name}[{index}].{kind}[{number}]", after)


def check_alarm_window(metric: Any, evaluation_periods: int) -> None:
    """Raise ``ValueError`` when the periods an alarm evaluates exceed CloudWatch's day."""
    period = getattr(metric, "period", None)
    if not isinstance(period, cdk.Duration) or period.is_unresolved():
        return
    total = period.to_seconds() * evaluation_periods
    if total > 86_400:
        raise ValueError(
            f"evaluation_periods {evaluation_periods} x the metric's period of "
            f"{period.to_human_string()} is {total:g} s; CloudWatch evaluates at most one "
            "day (86400 s)"
        )


def check_filters(name: str, filters: Sequence[Any] | None) -> None:
    """Every event filter is ``lambda_.FilterCriteria.filter({...})``'s ``{"pattern": <JSON>}``
    (a raw pattern dict would be sent as it is, and Lambda rejects it)."""
    for index, item in enumerate(filters or ()):
        pattern = item.get("pattern") if isinstance(item, Mapping) else None
        if set(item) != {"pattern"} or not isinstance(pattern, str):
            raise ValueError(
                f"{name}[{index}] must be lambda_.FilterCriteria.filter({{...}}) (a mapping "
                f'{{"pattern": "<JSON>"}}), got {item!r}'
            )
        if is_token(pattern):
            continue
        try:
            json.loads(pattern)
        except ValueError:
            raise ValueError(f"{name}[{index}] pattern is not JSON: {pattern!r}") from None


_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)/.+$")


def check_kms_arn(name: str, value: str) -> None:
    """Raise ``ValueError`` unless ``value`` is a KMS key or alias ARN."""
    if is_token(value):
        return
    if not _KMS_ARN.match(value):
        raise ValueError(
            f"{name} must be a KMS key or alias ARN "
            f"(arn:aws:kms:<region>:<account>:key/<id> or alias/<name>), got {value!r}"
        )
