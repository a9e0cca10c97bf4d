"""Acknowledgement ids rendered the way cdk-nag names its findings."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from patterns._nag import flatten
from tests.support.cdk_app import cli_context


def test_same_stack_imported_and_cross_stack_arns() -> None:
    app = cdk.App(context=cli_context())
    producer = cdk.Stack(app, "Producer")
    consumer = cdk.Stack(app, "Consumer")
    bucket = s3.Bucket(producer, "Data")
    imported = s3.Bucket.from_bucket_name(consumer, "Imported", "existing")

    logical_id = producer.get_logical_id(bucket.node.default_child)  # type: ignore[arg-type]
    assert flatten(producer, bucket.arn_for_objects("*")) == f"<{logical_id}.Arn>/*"
    assert flatten(consumer, imported.arn_for_objects("*")) == (
        "arn:<AWS::Partition>:s3:::existing/*"
    )
    crossing = flatten(consumer, bucket.arn_for_objects("*"))
    assert crossing.startswith('{"Fn::GetStackOutput":{"StackName":"Producer",')
    assert f'"OutputName":"PublishOutputFnGetAtt{logical_id}Arn' in crossing
    assert crossing.endswith('"}}/*')
