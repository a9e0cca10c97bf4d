"""``QueueProcessor``: what each option renders, and what SQS and Lambda do with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import (
    QueueProcessor,
    ServerlessFunction,
)
from tests.support.alarms import ALARM, OK, alarm_state, dimensions
from tests.support.policies import ALLOW, DENY, Request, evaluate
from tests.support.regulated_nag import lint_only_stack, regulated_findings
from tests.support.templates import all_of, only, properties

ACCOUNT, REGION = "123456789012", "eu-west-1"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"


def imported_function(stack: cdk.Stack, construct_id: str = "Worker") -> lambda_.IFunction:
    return lambda_.Function.from_function_attributes(
        stack,
        construct_id,
        function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:worker",
        same_environment=True,
        role=iam.Role.from_role_arn(stack, f"{construct_id}Role", f"arn:aws:iam::{ACCOUNT}:role/w"),
    )


def logical_id(stack: cdk.Stack, construct: Any) -> str:
    return stack.get_logical_id(construct.node.default_child)


def queues(template: Template) -> dict[str, dict[str, Any]]:
    """Queues by logical id: the main one has a redrive policy."""
    return all_of(template, "AWS::SQS::Queue")


def main_and_dead_letter(template: Template) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    found = queues(template)
    (main,) = [k for k, q in found.items() if "RedrivePolicy" in q["Properties"]]
    (dead,) = [k for k in found if k != main]
    return main, found[main]["Properties"], dead, found[dead]["Properties"]


def queue_policy_statements(template: Template, queue_id: str) -> list[dict[str, Any]]:
    for policy in all_of(template, "AWS::SQS::QueuePolicy").values():
        if {"Ref": queue_id} in policy["Properties"]["Queues"]:
            return list(policy["Properties"]["PolicyDocument"]["Statement"])
    raise AssertionError(f"no queue policy on {queue_id}")


def role_statements(template: Template) -> list[dict[str, Any]]:
    return [
        s
        for p in all_of(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_defaults_level_load_with_partial_batches_a_redrive_and_a_derived_visibility(
    stack: cdk.Stack, code_dir: Path
) -> None:
    worker = ServerlessFunction(stack, "Worker", code_path=code_dir)
    processor = QueueProcessor(stack, "Jobs", function=worker)
    template = Template.from_stack(stack)

    main, queue, dead, dead_letters = main_and_dead_letter(template)
    # Six times the function's 10 s timeout: a batch retried after throttling is not
    # delivered twice while its first invocation may still run.
    assert queue["VisibilityTimeout"] == 60
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead, "Arn"]},
        "maxReceiveCount": 5,
    }
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 4 * 24 * 3600
    assert dead_letters["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert "FifoQueue" not in queue

    mapping = properties(template, "AWS::Lambda::EventSourceMapping")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [main, "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == 10
    assert "ScalingConfig" not in mapping
    assert "MaximumBatchingWindowInSeconds" not in mapping
    # Lambda checks the role's access when it creates the mapping: the grant comes first.
    depends = only(template, "AWS::Lambda::EventSourceMapping")["DependsOn"]
    (role_policy,) = all_of(template, "AWS::IAM::Policy").keys() & set(depends)
    assert role_policy.startswith("WorkerServiceRoleDefaultPolicy")
    consume = Request("sqs:ReceiveMessage", {"Fn::GetAtt": [main, "Arn"]})
    assert evaluate(role_statements(template), consume) == ALLOW
    delete = Request("sqs:DeleteMessage", {"Fn::GetAtt": [main, "Arn"]})
    assert evaluate(role_statements(template), delete) == ALLOW

    assert processor.queue.node.default_child is not None
    assert processor.function is worker.alias
    assert processor.alarms["errors"] is worker.errors_alarm
    assert set(processor.alarms) == {"oldest_message_age", "dead_letter_queue", "errors"}


@pytest.mark.parametrize("which", ["main", "dead"])
def test_every_queue_refuses_requests_without_tls(
    stack: cdk.Stack, code_dir: Path, which: str
) -> None:
    QueueProcessor(stack, "Jobs", function=ServerlessFunction(stack, "W", code_path=code_dir))
    template = Template.from_stack(stack)
    main, _, dead, _ = main_and_dead_letter(template)
    queue_id = main if which == "main" else dead
    statements = queue_policy_statements(template, queue_id)
    arn = {"Fn::GetAtt": [queue_id, "Arn"]}
    own = ("AWS", f"arn:aws:iam::{ACCOUNT}:root")
    for action in ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:SetQueueAttributes"):
        plain = Request(action, arn, own, {"aws:SecureTransport": "false"})
        assert evaluate(statements, plain) == DENY, action
        over_tls = Request(action, arn, own, {"aws:SecureTransport": "true"})
        assert evaluate(statements, over_tls) != DENY, action


def test_alarms_watch_this_queue_and_its_dead_letters_and_notify(
    stack: cdk.Stack, code_dir: Path
) -> None:
    topic = sns.Topic.from_topic_arn(stack, "Ops", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops")
    QueueProcessor(
        stack,
        "Jobs",
        function=ServerlessFunction(stack, "W", code_path=code_dir),
        oldest_message_age_alarm=cdk.Duration.minutes(10),
        alarm_topic=topic,
    )
    template = Template.from_stack(stack)
    main, _, dead, _ = main_and_dead_letter(template)
    alarms = {
        a["Properties"]["MetricName"]: a["Properties"]
        for k, a in all_of(template, "AWS::CloudWatch::Alarm").items()
        if k.startswith("Jobs")
    }
    age = alarms["ApproximateAgeOfOldestMessage"]
    assert dimensions(age) == {"QueueName": {"Fn::GetAtt": [main, "QueueName"]}}
    assert age["AlarmActions"] == [f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"]
    # Ten minutes old for five minutes in a row pages; a passing spike does not.
    assert alarm_state(age, [700, 700, 700, 700, 700]) == ALARM
    assert alarm_state(age, [700, 700, 30, 700, 700]) == OK
    depth = alarms["ApproximateNumberOfMessagesVisible"]
    assert dimensions(depth) == {"QueueName": {"Fn::GetAtt": [dead, "QueueName"]}}
    assert alarm_state(depth, [1]) == ALARM
    assert alarm_state(depth, [0]) == OK


def test_every_option_reaches_the_template(stack: cdk.Stack, code_dir: Path) -> None:
    worker = ServerlessFunction(stack, "W", code_path=code_dir, timeout=cdk.Duration.seconds(30))
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    QueueProcessor(
        stack,
        "Jobs",
        function=worker,
        batch_size=500,
        max_batching_window=cdk.Duration.seconds(20),
        max_concurrency=5,
        max_receive_count=3,
        retention_period=cdk.Duration.days(2),
        encryption_key=key,
        filters=[lambda_.FilterCriteria.filter({"body": {"kind": ["order"]}})],
        enabled=False,
        report_batch_item_failures=False,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    template = Template.from_stack(stack)
    main, queue, _, dead_letters = main_and_dead_letter(template)
    assert queue["VisibilityTimeout"] == 6 * 30 + 20  # plus the batching window
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    assert queue["MessageRetentionPeriod"] == 2 * 24 * 3600
    key_arn = {"Fn::GetAtt": [next(iter(all_of(template, "AWS::KMS::Key"))), "Arn"]}
    assert queue["KmsMasterKeyId"] == key_arn
    assert dead_letters["KmsMasterKeyId"] == key_arn
    assert queues(template)[main]["DeletionPolicy"] == "Delete"
    mapping = properties(template, "AWS::Lambda::EventSourceMapping")
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 5}
    assert mapping["BatchSize"] == 500
    assert mapping["MaximumBatchingWindowInSeconds"] == 20
    assert mapping["Enabled"] is False
    assert "FunctionResponseTypes" not in mapping
    assert mapping["FilterCriteria"] == {"Filters": [{"Pattern": '{"body":{"kind":["order"]}}'}]}
    # The consumer decrypts what it receives.
    decrypt = Request("kms:Decrypt", key_arn)
    assert evaluate(role_statements(template), decrypt) == ALLOW


def test_fifo_keeps_message_groups_and_its_dead_letters_fifo(
    stack: cdk.Stack, code_dir: Path
) -> None:
    QueueProcessor(
        stack,
        "Orders",
        function=ServerlessFunction(stack, "W", code_path=code_dir),
        fifo=True,
        queue_name="orders.fifo",
        content_based_deduplication=True,
        high_throughput_fifo=True,
    )
    template = Template.from_stack(stack)
    _, queue, _, dead_letters = main_and_dead_letter(template)
    assert queue["FifoQueue"] is True
    assert queue["QueueName"] == "orders.fifo"
    assert queue["ContentBasedDeduplication"] is True
    assert queue["DeduplicationScope"] == "messageGroup"
    assert queue["FifoThroughputLimit"] == "perMessageGroupId"
    # SQS refuses a standard dead-letter queue behind a FIFO queue.
    assert dead_letters["FifoQueue"] is True


def test_a_given_visibility_timeout_is_kept(stack: cdk.Stack, code_dir: Path) -> None:
    QueueProcessor(
        stack,
        "Jobs",
        function=ServerlessFunction(stack, "W", code_path=code_dir),
        visibility_timeout=cdk.Duration.seconds(15),
    )
    _, queue, _, _ = main_and_dead_letter(Template.from_stack(stack))
    assert queue["VisibilityTimeout"] == 15


def test_an_imported_queue_and_function_are_used_not_created(stack: cdk.Stack) -> None:
    queue = sqs.Queue.from_queue_arn(stack, "Jobs", QUEUE_ARN)
    dead = sqs.Queue.from_queue_arn(stack, "Dead", f"{QUEUE_ARN}-dlq")
    topic = sns.Topic.from_topic_arn(stack, "Ops", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops")
    processor = QueueProcessor(
        stack,
        "Proc",
        function=imported_function(stack),
        queue=queue,
        dead_letter_queue=dead,
        alarm_topic=topic,
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SQS::Queue", 0)
    mapping = properties(template, "AWS::Lambda::EventSourceMapping")
    assert mapping["EventSourceArn"] == QUEUE_ARN
    assert mapping["FunctionName"] == "worker"
    assert processor.queue is queue
    assert processor.dead_letter_queue is dead
    assert dimensions(processor_alarm(template, "ApproximateNumberOfMessagesVisible")) == {
        "QueueName": "jobs-dlq"
    }
    # The imported function's own errors are watched, with the given topic.
    errors = processor_alarm(template, "Errors")
    assert errors["AlarmActions"] == [f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"]


def processor_alarm(template: Template, metric: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        a["Properties"]
        for a in all_of(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == metric
    ]
    (alarm,) = found
    return alarm


def test_a_given_queue_brings_its_own_dead_letter_queue(stack: cdk.Stack, code_dir: Path) -> None:
    dead = sqs.Queue(stack, "Dead", enforce_ssl=True)
    queue = sqs.Queue(
        stack,
        "Jobs",
        enforce_ssl=True,
        visibility_timeout=cdk.Duration.minutes(2),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead, max_receive_count=4),
    )
    processor = QueueProcessor(
        stack, "Proc", function=ServerlessFunction(stack, "W", code_path=code_dir), queue=queue
    )
    assert processor.dead_letter_queue is dead
    Template.from_stack(stack).resource_count_is("AWS::SQS::Queue", 2)


def test_grant_send_messages_lets_a_producer_send_and_encrypt(
    stack: cdk.Stack, code_dir: Path
) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    processor = QueueProcessor(
        stack,
        "Jobs",
        function=ServerlessFunction(stack, "W", code_path=code_dir),
        encryption_key=key,
    )
    producer = iam.Role(stack, "Producer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    grant = processor.grant_send_messages(producer)
    assert grant.success
    template = Template.from_stack(stack)
    main, _, _, _ = main_and_dead_letter(template)
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in all_of(template, "AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": logical_id(stack, producer)}]
    ]
    assert evaluate(policy, Request("sqs:SendMessage", {"Fn::GetAtt": [main, "Arn"]})) == ALLOW
    key_arn = {"Fn::GetAtt": [logical_id(stack, key), "Arn"]}
    assert evaluate(policy, Request("kms:GenerateDataKey", key_arn)) == ALLOW
    assert evaluate(policy, Request("sqs:DeleteMessage", {"Fn::GetAtt": [main, "Arn"]})) != ALLOW


def test_no_findings_under_every_pack_with_created_and_given_resources(
    tmp_path_factory: pytest.TempPathFactory, code_dir: Path
) -> None:
    """On a plain ``cdk.App()``: every finding on the pattern's own resources is fixed or
    acknowledged under AwsSolutions, HIPAA and PCI (the functions' own VPC and concurrency
    findings are the consumer's, as for every pattern)."""
    out = tmp_path_factory.mktemp("queues")
    app = cdk.App(outdir=str(out))
    stack = cdk.Stack(app, "Queues", env=cdk.Environment(account=ACCOUNT, region=REGION))
    topic = sns.Topic.from_topic_arn(stack, "Ops", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops")
    worker = ServerlessFunction(stack, "Worker", code_path=code_dir, alarm_topic=topic)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    QueueProcessor(
        stack,
        "Standard",
        function=worker,
        max_concurrency=10,
        encryption_key=key,
        alarm_topic=topic,
    )
    QueueProcessor(
        stack,
        "Fifo",
        function=worker,
        fifo=True,
        content_based_deduplication=True,
        alarm_topic=topic,
    )
    QueueProcessor(
        stack,
        "Given",
        function=imported_function(stack, "Imported"),
        queue=sqs.Queue.from_queue_arn(stack, "Jobs", QUEUE_ARN),
        dead_letter_queue=sqs.Queue.from_queue_arn(stack, "Dead", f"{QUEUE_ARN}-dlq"),
        alarm_topic=topic,
    ).grant_send_messages(iam.Role(stack, "Producer", assumed_by=iam.AccountRootPrincipal()))
    findings = regulated_findings(app, stack, out)
    assert [f for f in findings if "AwsSolutions" in f] == []
    ours = [f for f in findings if any(p in f for p in ("/Standard/", "/Fifo/", "/Given/"))]
    assert ours == []
    assert lint_only_stack(out) == []
