from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns.service_keys import EncryptServiceData, service_key
from tests.support.policies import ALLOW, Request, evaluate


def test_a_queue_key_serves_sqs_and_the_senders_only(stack: cdk.Stack) -> None:
    sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED)
    cdk.Aspects.of(stack).add(EncryptServiceData())
    template = Template.from_stack(stack).to_json()
    queue = next(r for r in template["Resources"].values() if r["Type"] == "AWS::SQS::Queue")
    assert "SqsManagedSseEnabled" not in queue["Properties"]
    key_id = queue["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    policy = template["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    role = ("AWS", "arn:aws:iam::123456789012:role/r")
    via_sqs = {"kms:CallerAccount": "123456789012", "kms:ViaService": "sqs.eu-west-1.amazonaws.com"}
    assert evaluate(policy, Request("kms:Decrypt", "*", role, via_sqs)) == ALLOW
    assert evaluate(policy, Request("kms:Decrypt", "*", role, {})) != ALLOW
    sender = ("Service", "sns.amazonaws.com")
    own = {"aws:SourceAccount": "123456789012"}
    assert evaluate(policy, Request("kms:GenerateDataKey", "*", sender, own)) == ALLOW


def test_a_replica_in_a_region_without_a_key_is_refused(stack: cdk.Stack) -> None:
    dynamodb.TableV2(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        replicas=[dynamodb.ReplicaTableProps(region="us-west-2")],
    )
    cdk.Aspects.of(stack).add(
        EncryptServiceData(
            replica_key_arns={"eu-central-1": "arn:aws:kms:eu-central-1:123456789012:alias/tables"}
        )
    )
    # Raised by the aspect during synthesis, so it reaches the caller through jsii.
    with pytest.raises(RuntimeError, match=r"replica in 'us-west-2'.*names no key"):
        Template.from_stack(stack)


def test_service_key_names_a_known_service(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="service must be one of dynamodb, sqs, lambda"):
        service_key(stack, "Key", service="s3")
