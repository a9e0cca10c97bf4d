"""What the local live backend takes from the synthesized ``Streaming`` template, so that
it cannot drift from what would be deployed: the tables' keys and streams, the Kinesis
stream's shards, both event source mappings' batching, and each function's environment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.event_filters import criteria_patterns

AGGREGATOR = "usage_aggregator.app.handler"
BROADCASTER = "live_updates.broadcaster.handler"
ROUTES = "live_updates.app.handler"
AUTHORIZER = "live_updates.authorizer.handler"


@dataclass(frozen=True)
class Mapping:
    """An event source mapping's batching, as Lambda applies it."""

    batch_size: int
    window_seconds: float
    starting_position: str
    retry_attempts: int
    partial_batch: bool
    #: ``FilterCriteria`` patterns: a record reaches the function if it matches one.
    filters: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Table:
    """A table's logical id, keys and settings (``create_table`` arguments)."""

    logical_id: str
    properties: dict[str, Any]

    def create_arguments(self, name: str) -> dict[str, Any]:
        props = self.properties
        arguments: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        view = props.get("StreamSpecification", {}).get("StreamViewType")
        if view:
            arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        return arguments

    @property
    def ttl_attribute(self) -> str | None:
        spec = self.properties.get("TimeToLiveSpecification") or {}
        return spec.get("AttributeName") if spec.get("Enabled") else None


@dataclass(frozen=True)
class LiveSettings:
    """Everything the local backend builds and runs, read from one template."""

    shards: int
    stream_id: str
    counts: Table
    connections: Table
    secret_id: str
    api_id: str
    stage_name: str
    kinesis: Mapping
    table_stream: Mapping
    #: handler -> its environment, values as the template has them (``Ref`` unresolved)
    environments: dict[str, dict[str, Any]]
    identity_sources: tuple[str, ...]


def properties_of_type(resources: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """The properties of every resource of type ``kind`` in a template's ``Resources``,
    by logical id."""
    return {k: v.get("Properties", {}) for k, v in resources.items() if v["Type"] == kind}


def mapping_settings(props: dict[str, Any]) -> Mapping:
    """The batching and filters of an ``AWS::Lambda::EventSourceMapping``'s properties."""
    return Mapping(
        batch_size=int(props.get("BatchSize", 100)),
        window_seconds=float(props.get("MaximumBatchingWindowInSeconds", 0)),
        starting_position=str(props.get("StartingPosition", "LATEST")),
        retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
        partial_batch="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
        filters=criteria_patterns(props),
    )


def _source(props: dict[str, Any]) -> tuple[str, str]:
    """(logical id, attribute) of a mapping's ``EventSourceArn``."""
    logical_id, attribute = props["EventSourceArn"]["Fn::GetAtt"]
    return str(logical_id), str(attribute)


def live_settings(template: dict[str, Any]) -> LiveSettings:
    """Read a ``Streaming`` stack's template (``ValueError`` when a part is missing)."""
    resources = template["Resources"]
    functions = properties_of_type(resources, "AWS::Lambda::Function")
    environments = {
        str(p.get("Handler")): dict((p.get("Environment") or {}).get("Variables", {}))
        for p in functions.values()
    }
    for handler in (AGGREGATOR, BROADCASTER, ROUTES, AUTHORIZER):
        if handler not in environments:
            raise ValueError(f"the template has no function with handler {handler!r}")
    tables = properties_of_type(resources, "AWS::DynamoDB::Table")
    streams = properties_of_type(resources, "AWS::Kinesis::Stream")
    mappings = properties_of_type(resources, "AWS::Lambda::EventSourceMapping")
    by_source = {_source(p): p for p in mappings.values()}
    (stream_id,) = streams
    (counts_id,) = [k for k, _ in by_source if k in tables]
    counts_ref = environments[AGGREGATOR]["COUNTS_TABLE"]["Ref"]
    if counts_ref != counts_id:
        raise ValueError(f"the aggregator writes {counts_ref}, the broadcaster reads {counts_id}")
    connections_id = environments[ROUTES]["CONNECTIONS_TABLE"]["Ref"]
    secret_id = environments[AUTHORIZER]["TOKEN_SECRET_ARN"]["Ref"]
    (api_id,) = properties_of_type(resources, "AWS::ApiGatewayV2::Api")
    (stage,) = properties_of_type(resources, "AWS::ApiGatewayV2::Stage").values()
    (authorizer,) = properties_of_type(resources, "AWS::ApiGatewayV2::Authorizer").values()
    stream_props = streams[stream_id]
    return LiveSettings(
        shards=int(stream_props.get("ShardCount", 1)),
        stream_id=stream_id,
        counts=Table(counts_id, tables[counts_id]),
        connections=Table(connections_id, tables[connections_id]),
        secret_id=secret_id,
        api_id=api_id,
        stage_name=str(stage["StageName"]),
        kinesis=mapping_settings(by_source[(stream_id, "Arn")]),
        table_stream=mapping_settings(by_source[(counts_id, "StreamArn")]),
        environments=environments,
        identity_sources=tuple(authorizer.get("IdentitySource", ())),
    )


def synthesized_template(stage: str, stack: str = "Streaming") -> dict[str, Any]:
    """``<Stage>/<stack>``'s template, synthesized as ``cdk synth -c stage=<stage>`` would
    (``app.py`` in a fresh process)."""
    import json
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from tools.assembly import stacks
    from tools.cdk_context import ROOT, cli_context

    with tempfile.TemporaryDirectory() as out:
        env = {
            **os.environ,
            "CDK_OUTDIR": out,
            "CDK_CONTEXT_JSON": json.dumps(cli_context(stage=stage)),
        }
        subprocess.run(
            [sys.executable, "app.py"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        (found,) = [a for a in stacks(Path(out)) if a.display_name == f"{stage.title()}/{stack}"]
        template: dict[str, Any] = found.template()
    return template
