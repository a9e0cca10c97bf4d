"""Reading the capacity-relevant settings out of synthesized templates (see ``capacity``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from tools.assembly import StackArtifact

WAF_WINDOW_SECONDS = 300
LAMBDA_UNRESERVED_MINIMUM = 100


def account_quotas(artifacts: Sequence[StackArtifact]) -> dict[str, dict[str, int]]:
    """Per region: ``api_rate`` (sum of every API stage's rate) and ``lambda_concurrency``
    (reserved concurrency plus the unreserved minimum) the stage's stacks need."""
    return account_quotas_of((a.region, a.template()) for a in artifacts)


def account_quotas_of(
    templates: Iterable[tuple[str | None, dict[str, Any]]],
) -> dict[str, dict[str, int]]:
    """:func:`account_quotas` of ``(region, template)`` pairs (``None``: region-agnostic)."""
    needs: dict[str, dict[str, int]] = defaultdict(lambda: {"api_rate": 0, "reserved": 0})
    for stack_region, template in templates:
        region = stack_region or "agnostic"
        for resource in template["Resources"].values():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::ApiGateway::Stage":
                default = _stage_default(props)
                needs[region]["api_rate"] += int(default.get("ThrottlingRateLimit", 10_000))
            elif resource["Type"] == "AWS::ApiGatewayV2::Stage":
                # WebSocket messages count against the same account and region rate.
                default = props.get("DefaultRouteSettings", {})
                needs[region]["api_rate"] += int(default.get("ThrottlingRateLimit", 10_000))
            elif resource["Type"] == "AWS::Lambda::Function":
                needs[region]["reserved"] += int(props.get("ReservedConcurrentExecutions", 0))
    return {
        region: {
            "api_rate": need["api_rate"],
            "lambda_concurrency": need["reserved"] + LAMBDA_UNRESERVED_MINIMUM,
        }
        for region, need in needs.items()
    }


def ids(resources: dict[str, Any], kind: str) -> list[str]:
    return [key for key, resource in resources.items() if resource["Type"] == kind]


def refs(value: Any) -> Iterator[str]:
    """Every logical id that ``value`` refers to (``Ref`` or ``Fn::GetAtt``)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                yield inner
            elif key == "Fn::GetAtt":
                yield inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
            else:
                yield from refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from refs(inner)


def models(resources: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    schemas = [
        resources[key]["Properties"]["Schema"] for key in ids(resources, "AWS::ApiGateway::Model")
    ]
    (batch,) = [s for s in schemas if "records" in s.get("properties", {})]
    (record,) = [s for s in schemas if "records" not in s.get("properties", {})]
    return record, batch


def largest_event_bytes(schema: dict[str, Any], bytes_per_character: int) -> int:
    """The JSON of an event whose declared fields are all at their longest."""
    size = 2  # {}
    for name, field in schema["properties"].items():
        longest = max((len(value) for value in field.get("enum", [])), default=0)
        characters = field.get("maxLength", longest)
        size += len(json.dumps(name)) + 2 + characters * bytes_per_character + 2 + 1
    return size


def _stage_default(stage: dict[str, Any]) -> dict[str, Any]:
    settings = stage.get("MethodSettings", [])
    return next(
        (s for s in settings if s.get("ResourcePath") == "/*" and s.get("HttpMethod") == "*"), {}
    )


def method_rates(resources: dict[str, Any]) -> tuple[float, float]:
    """Requests/s of ``POST /record`` and ``POST /records``: a method's own throttle, else
    the stage's (which API Gateway applies to each method)."""
    (stage_id,) = ids(resources, "AWS::ApiGateway::Stage")
    stage = resources[stage_id]["Properties"]
    default = float(_stage_default(stage).get("ThrottlingRateLimit", 10_000))
    rates = {
        (s["ResourcePath"], s["HttpMethod"]): float(s["ThrottlingRateLimit"])
        for s in stage.get("MethodSettings", [])
        if "ThrottlingRateLimit" in s
    }
    return (
        rates.get(("/~1record", "POST"), default),
        rates.get(("/~1records", "POST"), default),
    )


def waf_rate(resources: dict[str, Any]) -> float | None:
    for key in ids(resources, "AWS::WAFv2::WebACL"):
        for rule in resources[key]["Properties"]["Rules"]:
            rate = rule["Statement"].get("RateBasedStatement")
            if rate and rule.get("Action", {}).get("Block") is not None:
                window = rate.get("EvaluationWindowSec", WAF_WINDOW_SECONDS)
                return float(rate["Limit"]) / float(window)
    return None


def mapping_of(resources: dict[str, Any], stream_id: str) -> dict[str, Any]:
    (mapping,) = [
        resources[key]["Properties"]
        for key in ids(resources, "AWS::Lambda::EventSourceMapping")
        if stream_id in set(refs(resources[key]["Properties"]["EventSourceArn"]))
    ]
    return dict(mapping)


def standard_readers(resources: dict[str, Any], stream_id: str) -> int:
    """Mappings and Firehose streams reading the stream itself (not a fan-out consumer)."""
    mappings = [
        key
        for key in ids(resources, "AWS::Lambda::EventSourceMapping")
        if stream_id in set(refs(resources[key]["Properties"]["EventSourceArn"]))
    ]
    archives = [
        key
        for key in ids(resources, "AWS::KinesisFirehose::DeliveryStream")
        if stream_id
        in set(refs(resources[key]["Properties"].get("KinesisStreamSourceConfiguration", {})))
    ]
    return len(mappings) + len(archives)


def function_of(resources: dict[str, Any], name: Any) -> dict[str, Any]:
    """The function a mapping invokes (directly, or through an alias)."""
    for ref in refs(name):
        resource = resources.get(ref, {})
        if resource.get("Type") == "AWS::Lambda::Function":
            return dict(resource["Properties"])
        if resource.get("Type") == "AWS::Lambda::Alias":
            return function_of(resources, resource["Properties"]["FunctionName"])
    raise ValueError(f"no function in this template behind {name!r}")
