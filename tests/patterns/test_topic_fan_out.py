"""``TopicFanOut``: subscriptions, filters, delivery, dead letters and who may send."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, PCIDSS321Checks

from patterns import Subscriber, TopicFanOut
from tests.support.alarms import dimensions
from tests.support.policies import ALLOW, DENY, IMPLICIT_DENY, Request, evaluate
from tests.support.templates import all_of, only
from tools.assembly import cfn_lint, stacks, validation_findings

ACCOUNT, REGION = "123456789012", "eu-west-1"
SNS = ("Service", "sns.amazonaws.com")
ORDERS = sns.SubscriptionFilter.string_filter(allowlist=["order"])


def subscriptions(template: Template) -> dict[str, dict[str, Any]]:
    """Subscription properties by the queue they deliver to (its logical id)."""
    found = {}
    for resource in all_of(template, "AWS::SNS::Subscription").values():
        props = resource["Properties"]
        found[props["Endpoint"]["Fn::GetAtt"][0]] = props
    return found


def policy_of(template: Template, queue_id: str) -> list[dict[str, Any]]:
    for policy in all_of(template, "AWS::SQS::QueuePolicy").values():
        if {"Ref": queue_id} in policy["Properties"]["Queues"]:
            return list(policy["Properties"]["PolicyDocument"]["Statement"])
    raise AssertionError(f"no policy on {queue_id}")


def logical_id(stack: cdk.Stack, construct: Any) -> str:
    return stack.get_logical_id(construct.node.default_child)


def test_each_subscriber_gets_its_filter_delivery_and_dead_letter_queue(
    stack: cdk.Stack,
) -> None:
    fan = TopicFanOut(
        stack,
        "Events",
        subscribers=[
            Subscriber(name="Orders", filter_policy={"kind": ORDERS}),
            Subscriber(
                name="Big",
                filter_policy_with_message_body={
                    "total": sns.FilterOrPolicy.filter(
                        sns.SubscriptionFilter.numeric_filter(greater_than=100)
                    )
                },
                raw_message_delivery=True,
            ),
            Subscriber(name="Audit"),
        ],
    )
    template = Template.from_stack(stack)
    found = subscriptions(template)
    orders, big, audit = (logical_id(stack, fan.queues[n]) for n in ("Orders", "Big", "Audit"))
    topic = {"Ref": logical_id(stack, fan.topic)}

    assert found[orders]["FilterPolicy"] == {"kind": ["order"]}
    assert "FilterPolicyScope" not in found[orders]  # SNS's default: message attributes
    assert found[orders]["RawMessageDelivery"] is False
    assert found[big]["FilterPolicy"] == {"total": [{"numeric": [">", 100]}]}
    assert found[big]["FilterPolicyScope"] == "MessageBody"
    assert found[big]["RawMessageDelivery"] is True
    assert "FilterPolicy" not in found[audit]
    for name, queue_id in (("Orders", orders), ("Big", big), ("Audit", audit)):
        dead = logical_id(stack, fan.dead_letter_queues[name])
        assert found[queue_id]["TopicArn"] == topic
        assert found[queue_id]["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dead, "Arn"]}
        }
        queue = all_of(template, "AWS::SQS::Queue")[queue_id]["Properties"]
        # Messages its consumer cannot handle end in the same dead-letter queue.
        assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [dead, "Arn"]}
    assert set(fan.subscriptions) == {"Orders", "Big", "Audit"}


def test_only_this_topic_may_send_to_each_queue_and_only_over_tls(stack: cdk.Stack) -> None:
    fan = TopicFanOut(stack, "Events", subscribers=[Subscriber(name="Orders")])
    other = sns.Topic(stack, "Other")
    template = Template.from_stack(stack)
    topic = {"Ref": logical_id(stack, fan.topic)}
    for queue in (fan.queues["Orders"], fan.dead_letter_queues["Orders"]):
        queue_id = logical_id(stack, queue)
        statements = policy_of(template, queue_id)
        arn = {"Fn::GetAtt": [queue_id, "Arn"]}
        secure = {"aws:SecureTransport": "true"}
        ours = Request("sqs:SendMessage", arn, SNS, {**secure, "aws:SourceArn": topic})
        assert evaluate(statements, ours) == ALLOW, queue_id
        theirs = Request(
            "sqs:SendMessage",
            arn,
            SNS,
            {**secure, "aws:SourceArn": {"Ref": logical_id(stack, other)}},
        )
        assert evaluate(statements, theirs) == IMPLICIT_DENY, queue_id
        plain = Request(
            "sqs:SendMessage", arn, SNS, {"aws:SecureTransport": "false", "aws:SourceArn": topic}
        )
        assert evaluate(statements, plain) == DENY, queue_id


def test_the_new_topic_is_encrypted_and_denies_every_action_without_tls(stack: cdk.Stack) -> None:
    fan = TopicFanOut(stack, "Events", subscribers=[Subscriber(name="Orders")])
    template = Template.from_stack(stack)
    topic = only(template, "AWS::SNS::Topic")["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": [logical_id(stack, fan.key), "Arn"]}
    (policy,) = all_of(template, "AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    topic_ref = {"Ref": logical_id(stack, fan.topic)}
    for action in ("sns:Publish", "sns:Subscribe", "sns:SetTopicAttributes"):
        request = Request(action, topic_ref, context={"aws:SecureTransport": "false"})
        assert evaluate(statements, request) == DENY, action


def test_given_topic_queues_and_keys_are_used(stack: cdk.Stack) -> None:
    topic = sns.Topic.from_topic_arn(stack, "Ops", f"arn:aws:sns:{REGION}:{ACCOUNT}:events")
    given = sqs.Queue(stack, "Given", enforce_ssl=True)
    dead = sqs.Queue.from_queue_arn(stack, "Dead", f"arn:aws:sqs:{REGION}:{ACCOUNT}:dead")
    key = kms.Key(stack, "QueueKey", enable_key_rotation=True)
    alarms = sns.Topic.from_topic_arn(stack, "Alarms", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops")
    fan = TopicFanOut(
        stack,
        "Events",
        topic=topic,
        subscribers=[
            Subscriber(name="Given", queue=given, dead_letter_queue=dead),
            Subscriber(name="New"),
        ],
        queue_encryption_key=key,
        alarm_topic=alarms,
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SNS::Topic", 0)
    template.resource_count_is("AWS::KMS::Key", 1)
    assert fan.topic is topic
    assert fan.key is None
    assert fan.queues["Given"] is given
    found = subscriptions(template)
    assert found[logical_id(stack, given)]["TopicArn"] == topic.topic_arn
    assert found[logical_id(stack, given)]["RedrivePolicy"] == {
        "deadLetterTargetArn": dead.queue_arn
    }
    new = all_of(template, "AWS::SQS::Queue")[logical_id(stack, fan.queues["New"])]
    key_arn = {"Fn::GetAtt": [logical_id(stack, key), "Arn"]}
    assert new["Properties"]["KmsMasterKeyId"] == key_arn
    # SNS encrypts into the new queues (and their dead-letter queue) with their key.
    key_policy = only(template, "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"]
    assert evaluate(key_policy, Request("kms:GenerateDataKey", "*", SNS)) == ALLOW
    failed = fan.alarms["notifications_failed"].node.default_child
    assert json.dumps(stack.resolve(failed.dimensions)) == json.dumps(  # type: ignore[union-attr]
        [{"name": "TopicName", "value": "events"}]
    )
    depth = template.to_json()["Resources"][
        logical_id(stack, fan.alarms["Given/dead_letter_queue"])
    ]["Properties"]
    assert dimensions(depth) == {"QueueName": "dead"}
    assert depth["AlarmActions"] == [alarms.topic_arn]


def test_grant_publish_lets_a_publisher_encrypt_with_the_topic_key(stack: cdk.Stack) -> None:
    fan = TopicFanOut(stack, "Events", subscribers=[Subscriber(name="Orders")])
    role = iam.Role(stack, "Publisher", assumed_by=iam.AccountRootPrincipal())
    assert fan.grant_publish(role).success
    template = Template.from_stack(stack)
    (policy,) = all_of(template, "AWS::IAM::Policy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    topic = {"Ref": logical_id(stack, fan.topic)}
    assert evaluate(statements, Request("sns:Publish", topic)) == ALLOW
    key = {"Fn::GetAtt": [logical_id(stack, fan.key), "Arn"]}
    assert evaluate(statements, Request("kms:GenerateDataKey", key)) == ALLOW


def test_no_findings_under_every_pack(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("fan")
    app = cdk.App(outdir=str(out))
    stack = cdk.Stack(app, "Fan", env=cdk.Environment(account=ACCOUNT, region=REGION))
    alarms = sns.Topic.from_topic_arn(stack, "Alarms", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops")
    TopicFanOut(
        stack,
        "Events",
        subscribers=[
            Subscriber(name="Orders", filter_policy={"kind": ORDERS}),
            Subscriber(name="Raw", raw_message_delivery=True),
        ],
        queue_encryption_key=kms.Key(stack, "QueueKey", enable_key_rotation=True),
        alarm_topic=alarms,
    )
    TopicFanOut(
        stack,
        "Given",
        topic=sns.Topic.from_topic_arn(stack, "Existing", f"arn:aws:sns:{REGION}:{ACCOUNT}:x"),
        subscribers=[
            Subscriber(
                name="Imported",
                queue=sqs.Queue.from_queue_arn(stack, "Q", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"),
            )
        ],
        alarm_topic=alarms,
    )
    cdk.Validations.of(stack).add_plugins(
        AwsSolutionsChecks(stack), HIPAASecurityChecks(stack), PCIDSS321Checks(stack)
    )
    with contextlib.suppress(RuntimeError):
        app.synth()
    assert validation_findings(out).get("Fan", []) == []
    (artifact,) = stacks(out)
    assert cfn_lint(artifact.template_path) == []
