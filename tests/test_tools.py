"""The synth summary and the compliance wiring: findings are caught and counted."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs

from stacks import DEV
from stacks.compliance import add_compliance_checks
from tests.support.cdk_app import new_app
from tools import synth_summary
from tools.assembly import PACKS_METADATA, StackArtifact, stacks, validation_findings


@pytest.fixture(scope="module")
def failing_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stage with one queue that breaks two AwsSolutions rules, synthesized."""
    outdir = tmp_path_factory.mktemp("failing")
    app = new_app(outdir)
    stage = cdk.Stage(app, "Dev")
    add_compliance_checks(stage, DEV)
    stack = cdk.Stack(stage, "Broken")
    stack.node.add_metadata(PACKS_METADATA, ["AwsSolutions"])
    sqs.Queue(stack, "PlainQueue")
    acknowledged = sqs.Queue(stack, "AcknowledgedQueue", enforce_ssl=True)
    cdk.Validations.of(acknowledged).acknowledge(
        cdk.Acknowledgment(id="AwsSolutions-SQS3", reason="test: this queue needs no DLQ at all")
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    return outdir


def test_compliance_checks_report_each_unacknowledged_finding(failing_assembly: Path) -> None:
    findings = validation_findings(failing_assembly)
    assert sorted((f.rule, f.construct_path) for f in findings["Dev/Broken"]) == [
        ("AwsSolutions-SQS3", "Dev/Broken/PlainQueue/Resource"),
        ("AwsSolutions-SQS4", "Dev/Broken/PlainQueue/Resource"),
    ]


def test_summary_counts_findings_and_acknowledgements(
    failing_assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [row] = synth_summary.summarize(failing_assembly)
    assert row.stack == "Dev/Broken"
    assert len(row.nag_findings) == 2
    assert row.acknowledgements == 1
    assert row.lint_findings == []
    assert synth_summary.main([str(failing_assembly)]) == 1
    out, err = capsys.readouterr()
    assert "| Dev/Broken | 3 |" in out
    assert "AwsSolutions-SQS4 at Dev/Broken/PlainQueue/Resource" in err


def test_summary_counts_findings_and_acknowledgements_per_pack(failing_assembly: Path) -> None:
    assert synth_summary.summarize_packs(failing_assembly) == [
        synth_summary.PackRow(stage="Dev", pack="AwsSolutions", findings=2, acknowledgements=1)
    ]


def test_summary_of_the_app_is_clean(
    assembly_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert synth_summary.main([str(assembly_dir)]) == 0
    out, _ = capsys.readouterr()
    for stack in stacks(assembly_dir):
        assert f"| {stack.display_name} | {stack.resource_count} |" in out
    packs = {(r.stage, r.pack): r for r in synth_summary.summarize_packs(assembly_dir)}
    assert sorted(packs) == [
        ("Dev", "AwsSolutions"),
        ("Prod", "AwsSolutions"),
        ("Prod", "HIPAA.Security"),
        ("Prod", "PCI.DSS.321"),
        ("Staging", "AwsSolutions"),
    ]
    assert {r.findings for r in packs.values()} == {0}
    # Prod's stricter packs are met mostly by configuration; what is acknowledged is counted.
    assert all(r.acknowledgements > 0 for r in packs.values())
    assert (
        f"| Prod | HIPAA.Security | 0 | {packs['Prod', 'HIPAA.Security'].acknowledgements} |" in out
    )


def test_pack_metadata_names_agree() -> None:
    from stacks.compliance import PACKS_METADATA as WRITTEN

    assert WRITTEN == PACKS_METADATA


def test_summary_without_assembly_fails(tmp_path: Path) -> None:
    assert synth_summary.main([str(tmp_path)]) == 1


def test_stacks_nested_in_a_stack_s_stage_keep_their_stage_and_findings(
    tmp_path: Path,
) -> None:
    """Stages built inside a stack (CDK Pipelines' usual layout) and a top-level stack."""
    app = new_app(tmp_path)
    # Plugins run only on the app and stages directly below stages, so the pack is the app's.
    add_compliance_checks(app, DEV)
    outer = cdk.Stack(app, "Pipeline")
    sqs.Queue(outer, "PlainQueue")
    stack = cdk.Stack(cdk.Stage(outer, "Dev"), "Broken")
    sqs.Queue(stack, "PlainQueue")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    assert {(s.display_name, s.stage) for s in stacks(tmp_path)} == {
        ("Pipeline", "Pipeline"),
        ("Pipeline/Dev/Broken", "Dev"),
    }
    findings = validation_findings(tmp_path)
    assert {name: sorted({f.rule for f in found}) for name, found in findings.items()} == {
        "Pipeline": ["AwsSolutions-SQS3", "AwsSolutions-SQS4"],
        "Pipeline/Dev/Broken": ["AwsSolutions-SQS3", "AwsSolutions-SQS4"],
    }


def test_acknowledged_rules_survive_construct_paths_with_spaces(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    # Firehose's roles live at ".../S3 Destination Role/...": the rule must still parse.
    streaming = stack_artifacts["Prod/Streaming"]
    assert any(" " in key.split(" Annotation::")[0] for key in streaming.acknowledgements())
    for stack in stack_artifacts.values():
        rules = stack.acknowledged_rules()
        assert len(rules) == len(stack.acknowledgements())
        known = ("AwsSolutions-", "HIPAA.Security-", "PCI.DSS.321-", "CloudFormation-Validate::")
        assert all(rule.startswith(known) for rule in rules), stack.display_name
