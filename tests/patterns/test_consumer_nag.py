"""The library in a consumer's app on a plain ``cdk.App()`` (no cdk.json context): buckets
of another stack passed in, under CDK's default (strong) cross-stack references and under
weak ones; a custom bootstrap qualifier; legacy synthesis. The library acknowledges the
wildcards it creates whatever the rendering, so the consumer's AwsSolutions report holds
nothing of the library's."""

from __future__ import annotations

import contextlib
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import AwsSolutionsChecks

from patterns import (
    DataCatalog,
    DataLake,
    EventWorkflow,
    Route,
    ScheduledJob,
    ServerlessApi,
    ServerlessFunction,
    StaticWebsite,
    StreamArchive,
)
from tools.assembly import validation_findings

FLAG = "@aws-cdk/core:defaultCrossStackReferences"


@pytest.mark.parametrize("references", ["strong (CDK's default)", "weak"])
def test_buckets_of_another_stack_leave_no_findings(
    tmp_path_factory: pytest.TempPathFactory, code_dir: Path, references: str
) -> None:
    out = tmp_path_factory.mktemp("consumer")
    app = cdk.App(outdir=str(out), context={FLAG: "weak"} if references == "weak" else {})
    core = cdk.Stack(app, "CoreData")
    logs = s3.Bucket(core, "Logs", enforce_ssl=True)
    raw = s3.Bucket(
        core,
        "Raw",
        enforce_ssl=True,
        server_access_logs_bucket=logs,
        versioned=True,
        event_bridge_enabled=True,
    )
    service = cdk.Stack(app, "Service")
    StreamArchive(service, "Archive", bucket=raw)
    DataLake(service, "Lake", raw_bucket=raw)
    indexer = ServerlessFunction(service, "Indexer", code_path=code_dir)
    DataCatalog(service, "Catalog", zones={"raw": raw}, indexer=indexer)
    cdk.Validations.of(service).add_plugins(AwsSolutionsChecks(service))
    # A finding fails synthesis; the report below names it.
    with contextlib.suppress(RuntimeError):
        app.synth()
    findings = validation_findings(out)
    library = [str(f) for f in findings.get("Service", []) if "IAM5" in f.rule]
    assert library == []


SYNTHESIS = {
    "default": ({}, None),
    "custom qualifier": ({"@aws-cdk/core:bootstrapQualifier": "team42"}, None),
    "legacy synthesis": ({}, "legacy"),
}


@pytest.mark.parametrize("synthesis", list(SYNTHESIS))
def test_patterns_leave_no_wildcard_findings_in_a_plain_app(
    tmp_path_factory: pytest.TempPathFactory, code_dir: Path, synthesis: str
) -> None:
    """What a consumer met: a workflow's X-Ray and log delivery permissions, a route's
    table with an index, a site's content upload under their own bootstrap qualifier or
    legacy synthesis, a schedule of an imported function."""
    out = tmp_path_factory.mktemp("plain")
    context, synthesizer = SYNTHESIS[synthesis]
    app = cdk.App(outdir=str(out), context=context)
    env = cdk.Environment(account="123456789012", region="eu-west-1")
    stack = cdk.Stack(
        app,
        "Service",
        env=env,
        synthesizer=cdk.LegacyStackSynthesizer() if synthesizer == "legacy" else None,
    )
    EventWorkflow(stack, "Flow", definition=sfn.Pass(stack, "Step"), schedule="rate(1 hour)")
    table = dynamodb.Table(
        stack,
        "Items",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
    )
    table.add_global_secondary_index(
        index_name="byOwner",
        partition_key=dynamodb.Attribute(name="owner", type=dynamodb.AttributeType.STRING),
    )
    handler = ServerlessFunction(stack, "Handler", code_path=code_dir)
    ServerlessApi(stack, "Api", table=table, routes=[Route("GET", "/items", handler, "read")])
    StaticWebsite(stack, "Site").add_content(code_dir)
    imported = lambda_.Function.from_function_arn(
        stack, "Imported", "arn:aws:lambda:eu-west-1:123456789012:function:nightly"
    )
    ScheduledJob(stack, "Nightly", function=imported)
    cdk.Validations.of(stack).add_plugins(AwsSolutionsChecks(stack))
    with contextlib.suppress(RuntimeError):
        app.synth()
    wildcards = [str(f) for f in validation_findings(out).get("Service", []) if "IAM5" in f.rule]
    assert wildcards == []
