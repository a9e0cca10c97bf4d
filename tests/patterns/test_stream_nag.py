"""The stream patterns pass cdk-nag and cfn-lint on their own, with created and given resources."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from patterns import ServerlessFunction, StreamArchive, StreamIngestApi, StreamProcessor
from tests.support.cdk_app import new_app
from tools.assembly import cfn_lint, stacks, validation_findings


def test_stream_patterns_have_no_findings(
    tmp_path_factory: pytest.TempPathFactory, code_dir: Path
) -> None:
    out = tmp_path_factory.mktemp("assembly")  # not below code_dir: assets are copied there
    app = new_app(out)
    stack = cdk.Stack(app, "Streams")
    consumer = ServerlessFunction(stack, "Consumer", code_path=code_dir)
    processor = StreamProcessor(stack, "Processor", function=consumer, enhanced_fan_out=True)
    StreamProcessor(
        stack,
        "KeyedProcessor",
        function=consumer.function,
        encryption_key=kms.Key(stack, "Key", enable_key_rotation=True),
        stream_mode=kinesis.StreamMode.PROVISIONED,
    )
    transformer = ServerlessFunction(stack, "Transformer", code_path=code_dir)
    StreamArchive(stack, "Archive", source_stream=processor.stream, transformation=transformer)
    StreamArchive(
        stack,
        "ImportedBucketArchive",
        bucket=s3.Bucket.from_bucket_name(stack, "Lake", "lake-raw"),
    )
    StreamIngestApi(stack, "Ingest", stream=processor.stream)
    StreamIngestApi(stack, "OwnStreamIngest", partition_key_field="product_id")
    direct = StreamArchive(stack, "DirectArchive")
    direct.grant_put_records(iam.AccountRootPrincipal())
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()

    assert validation_findings(out) == {}
    (artifact,) = stacks(out)
    assert cfn_lint(artifact.template_path) == []
