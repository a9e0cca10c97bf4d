"""Order review, locally: what the deployed pipe, workflow and inbox do with the shop
table's held orders, on moto, so that an order above the stage's review amount can be
approved, rejected or held on the local shop as on AWS.

- **The pipe:** a poller on the table's stream with the template pipe's filter, batching
  and starting position. Each record that passes becomes the pipe's event (its input
  template applied, its source and detail type) and, since the workflow's rule matches
  it (checked), starts an execution of the workflow.
- **The workflow:** its definition from the template, run by moto's Step Functions
  interpreter (turned on for the emulator while this runs, off again after).
- **The inbox:** the queue the workflow sends each task token to, polled as Lambda's
  mapping does; each batch goes to the inbox function's real handler in this process.
  Messages it names as failed stay for another try.

Not like AWS: no EventBridge between the pipe and the workflow (the execution is started
directly), and the pipe neither retries nor keeps failures. The review route itself is
the shop API's (``tools.local_shop.gateway``), answered by its real handler.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tools.event_filters import passes
from tools.local_live.pollers import TableStreamPoller
from tools.local_live.runtime import InProcessFunction
from tools.local_live.settings import mapping_settings, properties_of_type
from tools.local_shop.resources import client
from tools.moto_server import configure
from tools.state_machines import pipe_input, render_definition

log = logging.getLogger(__name__)


def _function_of(template: Mapping[str, Any], name: Any) -> dict[str, Any]:
    """The properties of the function a mapping's ``FunctionName`` names: a function's
    ``Ref``, or an expression around its alias's (``<name>:live``)."""
    resources = template["Resources"]
    text = json.dumps(name)
    for logical_id, resource in resources.items():
        if json.dumps({"Ref": logical_id}) not in text:
            continue
        if resource["Type"] == "AWS::Lambda::Alias":
            resource = resources[resource["Properties"]["FunctionName"]["Ref"]]
        if resource["Type"] == "AWS::Lambda::Function":
            props: dict[str, Any] = resource["Properties"]
            return props
    raise ValueError(f"no function in {text}")


class ReviewSpec:
    """What the ``Web`` template says of the review: the pipe's source settings and
    event, the workflow its rule starts, the inbox queue and the inbox's handler."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        resources = dict(template["Resources"])
        (pipe,) = properties_of_type(resources, "AWS::Pipes::Pipe").values()
        source = pipe["SourceParameters"]
        target = pipe["TargetParameters"]
        bus = target["EventBridgeEventBusParameters"]
        self.input_template: str = target["InputTemplate"]
        self.source, self.detail_type = str(bus["Source"]), str(bus["DetailType"])
        # The pipe's stream parameters carry the names a mapping's do; its filters sit
        # beside them. The pipe reports no partial batches.
        self.batching = mapping_settings(
            {**source["DynamoDBStreamParameters"], "FilterCriteria": source.get("FilterCriteria")}
        )
        probe = {"source": self.source, "detail-type": self.detail_type}
        machines = properties_of_type(resources, "AWS::StepFunctions::StateMachine")
        started = [
            t["Arn"]["Ref"]
            for rule in properties_of_type(resources, "AWS::Events::Rule").values()
            if passes(probe, [rule["EventPattern"]])
            for t in rule.get("Targets", [])
            if isinstance(t["Arn"], dict) and t["Arn"].get("Ref") in machines
        ]
        (self.machine_id,) = started
        definition = json.dumps(machines[self.machine_id]["DefinitionString"])
        queues = properties_of_type(resources, "AWS::SQS::Queue")
        (self.queue_id,) = [q for q in queues if json.dumps({"Ref": q}) in definition]
        (mapping,) = [
            m
            for m in properties_of_type(resources, "AWS::Lambda::EventSourceMapping").values()
            if m["EventSourceArn"] == {"Fn::GetAtt": [self.queue_id, "Arn"]}
        ]
        function = _function_of(template, mapping["FunctionName"])
        self.inbox_handler = str(function["Handler"])
        self.inbox_batch = int(mapping.get("BatchSize", 10))

    @staticmethod
    def present(template: Mapping[str, Any]) -> bool:
        """Whether the template has a review pipe (a stage with review turned off has none)."""
        return bool(properties_of_type(dict(template["Resources"]), "AWS::Pipes::Pipe"))


class LocalReview:
    """The review's pipe, workflow and inbox on moto, for the shop table ``table``."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        endpoint: str,
        region: str,
        table: str,
        name_prefix: str,
    ) -> None:
        self.spec = ReviewSpec(template)
        self.template = template
        self.endpoint, self.region, self.table = endpoint, region, table
        self.name_prefix = name_prefix
        #: Executions the pipe started, in order.
        self.executions: list[str] = []
        self._halt = threading.Event()
        self._threads: list[threading.Thread] = []
        self._poller: TableStreamPoller | None = None
        self._moto_port = os.environ.get("MOTO_PORT")

    def start(self) -> None:
        configure(self.endpoint, {"stepfunctions": {"execute_state_machine": True}})
        # The interpreter's own calls (SQS, DynamoDB, EventBridge) go to this emulator.
        os.environ["MOTO_PORT"] = str(urlsplit(self.endpoint).port)
        sqs = client("sqs", self.endpoint, self.region)
        self.inbox_url = str(
            sqs.create_queue(QueueName=f"{self.name_prefix}-order-review-inbox")["QueueUrl"]
        )
        definition = render_definition(
            self.template,
            self.spec.machine_id,
            {"AWS::DynamoDB::Table": self.table, "AWS::SQS::Queue": self.inbox_url},
        )
        self._machines = client("stepfunctions", self.endpoint, self.region)
        self.machine_arn = str(
            self._machines.create_state_machine(
                name=f"{self.name_prefix}-order-review",
                definition=json.dumps(definition),
                roleArn="arn:aws:iam::123456789012:role/local-order-review",
            )["stateMachineArn"]
        )
        described = client("dynamodb", self.endpoint, self.region).describe_table(
            TableName=self.table
        )
        self._poller = TableStreamPoller(
            name="order-review-pipe",
            client=client("dynamodbstreams", self.endpoint, self.region),
            stream_arn=described["Table"]["LatestStreamArn"],
            function=self._pipe,
            mapping=self.spec.batching,
            poll_seconds=0.25,
        )
        self._poller.start()
        inbox = threading.Thread(target=self._poll_inbox, name="order-review-inbox", daemon=True)
        inbox.start()
        self._threads.append(inbox)

    def stop(self) -> None:
        self._halt.set()
        if self._poller is not None:
            self._poller.stop()
        for thread in self._threads:
            thread.join(timeout=10)
        configure(self.endpoint, {"stepfunctions": {"execute_state_machine": False}})
        if self._moto_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = self._moto_port

    def _pipe(self, event: Mapping[str, Any]) -> None:
        """The pipe's target: one workflow execution per held order, named afresh as
        EventBridge names the executions it starts."""
        for record in event["Records"]:
            detail = json.loads(pipe_input(self.spec.input_template, record))
            started = self._machines.start_execution(
                stateMachineArn=self.machine_arn,
                name=str(uuid.uuid4()),
                input=json.dumps(
                    {
                        "source": self.spec.source,
                        "detail-type": self.spec.detail_type,
                        "detail": detail,
                    }
                ),
            )
            self.executions.append(str(started["executionArn"]))

    def _poll_inbox(self) -> None:
        """Lambda's SQS mapping: receive a batch, invoke, delete what did not fail."""
        sqs = client("sqs", self.endpoint, self.region)
        handler = InProcessFunction(self.spec.inbox_handler)
        while not self._halt.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=self.inbox_url,
                    MaxNumberOfMessages=min(self.spec.inbox_batch, 10),
                    WaitTimeSeconds=1,
                ).get("Messages", [])
            except Exception:
                log.exception("receiving from the review inbox failed")
                self._halt.wait(1)
                continue
            if not messages:
                continue
            records = [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "eventSource": "aws:sqs",
                    "awsRegion": self.region,
                }
                for m in messages
            ]
            try:
                answer = handler({"Records": records}) or {}
            except Exception:
                log.exception("the inbox function failed; its batch stays in the queue")
                continue
            failed = {str(f["itemIdentifier"]) for f in answer.get("batchItemFailures", [])}
            for message in messages:
                if message["MessageId"] not in failed:
                    sqs.delete_message(
                        QueueUrl=self.inbox_url, ReceiptHandle=message["ReceiptHandle"]
                    )
