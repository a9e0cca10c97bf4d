"""The library in a consumer's two-stack app on a plain ``cdk.App()``: buckets of another
stack passed in, under CDK's default (strong) cross-stack references and under weak
ones. The library acknowledges the wildcards it creates whatever the rendering, so the
consumer's AwsSolutions report holds nothing of the library's."""

from __future__ import annotations

import contextlib
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from patterns import DataCatalog, DataLake, ServerlessFunction, StreamArchive
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
    raw = s3.Bucket(core, "Raw", enforce_ssl=True, server_access_logs_bucket=logs, versioned=True)
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
