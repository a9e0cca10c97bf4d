"""The cost of each user action on one stage, by service: the measured calls x the
stage's templates x the price table.

Assumptions, each stated in the outputs: Lambda's duration is the handler's median on this
machine against moto (rounded up to 1 ms, billed at the function's memory and arm64); each
invocation adds :data:`PLATFORM_LOG_BYTES` of Lambda's own log lines; X-Ray records
:data:`TRACED_SHARE` of requests (the default sampling rule's 5 %, its 1/s reservoir left
out); a GET the API cache answers costs only the API Gateway and WAF lines (the table is
the cost of a miss); Firehose writes one S3 object per full buffer (``SizeInMBs``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from tools.cost import prices
from tools.cost.prices import usd
from tools.cost.runs import Measured
from tools.cost.scenarios import usage_event_bytes
from tools.cost.stage import (
    Stage,
    access_log_bytes,
    log_level,
    success_path,
    traced,
    workflow_definition,
)

PLATFORM_LOG_BYTES = 350
TRACED_SHARE = 0.05
_S3_PUT_CLASS = ("Put", "Post", "Copy", "List", "Create", "Complete", "Upload")
#: The logical id prefix of the image recognition workflow (the order review's is another
#: state machine of the stage).
IMAGE_WORKFLOW = "ImageRecognitionWorkflow"
#: The API each action comes in through: stack of its REST API (None: none).
ENTRY = {
    "product page view": "Web",
    "product list page": "Web",
    "order placed": "Web",
    "usage event": "Streaming",
    "image processed": None,
    "catalogued object": None,
    "search": "DataLake",
}


@dataclass
class ActionCost:
    """One action's cost in USD by service, and the notes behind it."""

    action: str
    lines: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    traced: bool = False  # one trace of the action's request (API, workflow or function)

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def _action_name(measured: Measured) -> str:
    return measured.scenario.action.split(" (")[0]


def _api(cost: ActionCost, stage: Stage, stack: str) -> None:
    rest = stage.rest_stage(stack)
    cost.lines["API Gateway"] += prices.PRICES["apigw.rest.request"].usd
    if stage.waf_in_front(stack):
        cost.lines["WAF"] += usd("waf.request", 1)
    cost.lines["CloudWatch Logs"] += usd("logs.ingest", access_log_bytes(rest) / prices.GB)
    if rest.get("TracingEnabled"):
        cost.traced = True


def _function(cost: ActionCost, stage: Stage, measured: Measured) -> None:
    scenario = measured.scenario
    function = stage.function(scenario.stack, scenario.handler)
    memory = int(function.get("MemorySize", 128))
    share = scenario.share
    gb_seconds = prices.lambda_gb_seconds(memory, measured.duration_ms)
    cost.lines["Lambda"] += share * (
        usd("lambda.request", 1) + usd("lambda.arm64.gb_second", gb_seconds)
    )
    logged = measured.log_bytes(log_level(function)) + PLATFORM_LOG_BYTES
    cost.lines["CloudWatch Logs"] += share * usd("logs.ingest", logged / prices.GB)
    if traced(function):
        # A batch's invocation starts a trace of its own; a request's joins the caller's.
        if share < 1.0:
            cost.lines["X-Ray"] += share * usd("xray.trace_recorded", TRACED_SHARE)
        else:
            cost.traced = True
    replicas = stage.replicas(scenario.stack)
    for (service, operation), count in measured.operations.items():
        if service == "s3":
            key = "s3.put" if operation.startswith(_S3_PUT_CLASS) else "s3.get"
            cost.lines["S3"] += share * usd(key, count)
        elif service == "sqs":
            cost.lines["SQS"] += share * usd("sqs.request", count)
        elif service == "sns":
            cost.lines["SNS"] += share * usd("sns.publish", count)
        elif service == "kms":
            cost.lines["KMS"] += share * usd("kms.request", count)
    cost.lines["DynamoDB"] += share * (
        usd("dynamodb.rru", measured.rru)
        + usd("dynamodb.wru", measured.wru)
        + usd("dynamodb.rwru", measured.wru * (replicas - 1))
    )


def _usage_path(cost: ActionCost, stage: Stage) -> None:
    """One usage event into the stream and the archive (no handler of ours in between)."""
    size = usage_event_bytes()
    stream = stage.stream()
    if stream.get("StreamModeDetails", {}).get("StreamMode") == "ON_DEMAND":
        written = prices.kinesis_ondemand_billed_bytes(size) / prices.GB
        read = stage.readers_of_stream() * size / prices.GB
        cost.lines["Kinesis"] += usd("kinesis.ondemand.gb_in", written) + usd(
            "kinesis.ondemand.gb_out", read
        )
    else:
        cost.lines["Kinesis"] += usd("kinesis.put_unit", prices.kinesis_put_units(size))
    cost.lines["Firehose"] += usd("firehose.gb", prices.firehose_billed_bytes(size) / prices.GB)
    buffer_mb = stage.archive().get("BufferingHints", {}).get("SizeInMBs", 5)
    per_object = math.floor(buffer_mb * 1024 * 1024 / (size + 1))
    cost.lines["S3"] += usd("s3.put", 1 / per_object)


def _workflow(cost: ActionCost, stage: Stage) -> None:
    """One image through the recognition workflow: the upload, the state machine's
    transitions on its success path, its Rekognition and DynamoDB tasks (the metadata item
    assumed under 1 KB), its trace."""
    cost.lines["S3"] += usd("s3.put", 1)
    ((_, _, machine),) = [
        found
        for found in stage.resources("AWS::StepFunctions::StateMachine")
        if found[1].startswith(IMAGE_WORKFLOW)
    ]
    entered = success_path(workflow_definition(machine))
    if machine.get("StateMachineType") == "EXPRESS":
        cost.lines["Step Functions"] += usd("sfn.express.request", 1)
    else:
        cost.lines["Step Functions"] += usd("sfn.standard.transition", len(entered))
    resources = [str(state.get("Resource", "")).lower() for state in entered]
    cost.lines["Rekognition"] += usd(
        "rekognition.image", sum("rekognition" in r for r in resources)
    )
    cost.lines["DynamoDB"] += usd("dynamodb.wru", sum("dynamodb:putitem" in r for r in resources))
    if machine.get("TracingConfiguration", {}).get("Enabled"):
        cost.traced = True


def action_costs(stage: Stage, measured: list[Measured]) -> list[ActionCost]:
    """Each action's cost on ``stage``, in the order of the scenarios."""
    costs: dict[str, ActionCost] = {}
    for one in measured:
        name = _action_name(one)
        if name not in costs:
            costs[name] = ActionCost(name)
            entry = ENTRY[name]
            if entry:
                _api(costs[name], stage, entry)
            if name == "usage event":
                _usage_path(costs[name], stage)
            if name == "image processed":
                _workflow(costs[name], stage)
            if name == "catalogued object":  # the producer's upload
                costs[name].lines["S3"] += usd("s3.put", 1)
        _function(costs[name], stage, one)
    for cost in costs.values():
        if cost.traced:
            cost.lines["X-Ray"] += usd("xray.trace_recorded", TRACED_SHARE)
    return list(costs.values())
