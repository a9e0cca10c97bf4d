"""The delivery pipeline: synthesized only with the ``pipeline`` context, deploying the stages."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NagPack, PCIDSS321Checks
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from stacks import resolve_stages
from stacks.compliance import add_stack_checks
from tests.support.cdk_app import cli_context, new_app
from tests.support.lifecycle import objects_kept_forever, versioned_buckets
from tests.support.pipeline_context import PIPELINE
from tests.support.scrub import scrub
from tools import synth_summary
from tools.assembly import StackArtifact, cfn_lint, stacks, validation_findings

#: The stages as the app configures them (cdk.json gives prod two regions).
CONFIGS = resolve_stages(cli_context()["stages"])
STAGE_IDS = [config.stage_id for config in CONFIGS]
[PROD] = [config for config in CONFIGS if config.name == "prod"]
#: CDK's support stacks for the regions the pipeline's stages deploy to beyond its own.
SUPPORT_STACKS = sorted(
    f"cross-region-stack-{PIPELINE['account']}:{region}"
    for region in {c.region for c in CONFIGS} | {c.secondary_region for c in CONFIGS}
    if region not in (None, PIPELINE["region"])
)


@pytest.fixture(scope="module")
def pipeline_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[cdk.App, Path]:
    """The app synthesized once with the ``pipeline`` context, given as ``-c`` gives it."""
    from app import build_app

    outdir = tmp_path_factory.mktemp("pipeline")
    app = new_app(outdir, pipeline=json.dumps(PIPELINE))
    build_app(app)
    app.synth()
    return app, outdir


@pytest.fixture(scope="module")
def pipeline_assembly(pipeline_app: tuple[cdk.App, Path]) -> Path:
    return pipeline_app[1]


@pytest.fixture(scope="module")
def artifacts(pipeline_assembly: Path) -> dict[str, StackArtifact]:
    return {stack.display_name: stack for stack in stacks(pipeline_assembly)}


@pytest.fixture(scope="module")
def template(artifacts: dict[str, StackArtifact]) -> dict[str, Any]:
    return artifacts["Pipeline"].template()


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


@pytest.fixture(scope="module")
def pipeline_stages(template: dict[str, Any]) -> list[dict[str, Any]]:
    [pipeline] = _resources(template, "AWS::CodePipeline::Pipeline").values()
    stages: list[dict[str, Any]] = pipeline["Properties"]["Stages"]
    return stages


def test_old_versions_in_the_pipeline_buckets_expire(
    artifacts: dict[str, StackArtifact],
) -> None:
    pipeline_only = {k: v for k, v in artifacts.items() if "/" not in k}
    assert versioned_buckets(pipeline_only)
    assert objects_kept_forever(pipeline_only) == []


def test_stage_order_with_approval_before_prod(pipeline_stages: list[dict[str, Any]]) -> None:
    names = [stage["Name"] for stage in pipeline_stages]
    assert names == ["Source", "Build", "UpdatePipeline", "Assets", *STAGE_IDS]
    approvals = {
        stage["Name"]: [
            a["RunOrder"] for a in stage["Actions"] if a["ActionTypeId"]["Category"] == "Approval"
        ]
        for stage in pipeline_stages
    }
    assert {name: orders for name, orders in approvals.items() if orders} == {"Prod": [1]}
    [prod] = [stage for stage in pipeline_stages if stage["Name"] == "Prod"]
    deploys = [a for a in prod["Actions"] if a["ActionTypeId"]["Category"] == "Deploy"]
    assert deploys
    assert min(a["RunOrder"] for a in deploys) > 1


def test_source_is_the_connection(pipeline_stages: list[dict[str, Any]]) -> None:
    [action] = pipeline_stages[0]["Actions"]
    assert action["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert action["Configuration"]["ConnectionArn"] == PIPELINE["connection_arn"]
    assert action["Configuration"]["FullRepositoryId"] == PIPELINE["repository"]
    assert action["Configuration"]["BranchName"] == "main"


def test_each_stage_deploys_the_stacks_the_plain_app_has(
    pipeline_stages: list[dict[str, Any]], stack_artifacts: dict[str, StackArtifact]
) -> None:
    deployed = {
        stage["Name"]: sorted(
            a["Configuration"]["StackName"]
            for a in stage["Actions"]
            if a["ActionTypeId"]["Category"] == "Deploy"
            and a["Configuration"]["ActionMode"] == "CHANGE_SET_REPLACE"
        )
        for stage in pipeline_stages[4:]
    }
    assert deployed == {
        stage: sorted(n.replace("/", "-") for n, s in stack_artifacts.items() if s.stage == stage)
        for stage in STAGE_IDS
    }


def test_the_stages_are_synthesized_as_without_the_pipeline(
    artifacts: dict[str, StackArtifact],
    stack_artifacts: dict[str, StackArtifact],
    assembly_dir: Path,
    pipeline_assembly: Path,
) -> None:
    assert set(artifacts) == {"Pipeline", *SUPPORT_STACKS, *stack_artifacts}
    for name, stack in stack_artifacts.items():
        twin = pipeline_assembly / stack.template_path.relative_to(assembly_dir)
        assert filecmp.cmp(stack.template_path, twin, shallow=False), name


def test_other_regions_get_clean_support_stacks(
    artifacts: dict[str, StackArtifact], pipeline_assembly: Path
) -> None:
    findings = validation_findings(pipeline_assembly)
    for name in SUPPORT_STACKS:
        support = artifacts[name]
        assert support.compliance_packs() == list(PROD.compliance_packs)
        assert findings.get(name, []) == []
        assert cfn_lint(support.template_path) == []
        [bucket] = _resources(support.template(), "AWS::S3::Bucket").values()
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
        [key] = _resources(support.template(), "AWS::KMS::Key").values()
        assert key["Properties"]["EnableKeyRotation"] is True


def _synth_project(template: dict[str, Any]) -> dict[str, Any]:
    [project] = [
        r
        for k, r in _resources(template, "AWS::CodeBuild::Project").items()
        if k.startswith("PipelineBuildSynth")
    ]
    properties: dict[str, Any] = project["Properties"]
    return properties


def test_synth_step_tests_then_synthesizes_with_the_same_context(
    template: dict[str, Any],
) -> None:
    project = _synth_project(template)
    spec = json.loads(project["Source"]["BuildSpec"])
    assert spec["phases"]["install"] == {
        "runtime-versions": {"python": "3.11", "nodejs": "22"},
        "commands": ["make setup"],
    }
    commands = spec["phases"]["build"]["commands"]
    assert commands[0] == "make test"
    synth = next(c for c in commands if c.startswith("node_modules/.bin/cdk synth"))
    assert commands.index(synth) > 0
    given = json.loads(synth.split("-c 'pipeline=", 1)[1].rsplit("'", 1)[0])
    assert given == {**PIPELINE, "approval_before": ["prod"]}
    assert commands[-1] == ".venv/bin/python -m tools.synth_summary cdk.out"
    assert spec["artifacts"]["base-directory"] == "cdk.out"


def test_builds_are_unprivileged_on_the_standard_image(template: dict[str, Any]) -> None:
    projects = _resources(template, "AWS::CodeBuild::Project").values()
    assert projects
    for project in projects:
        environment = project["Properties"]["Environment"]
        assert environment["Image"] == "aws/codebuild/standard:7.0"
        assert environment["PrivilegedMode"] is False
        assert "EncryptionKey" in project["Properties"]
    assert _synth_project(template)["Environment"]["ComputeType"] == "BUILD_GENERAL1_MEDIUM"


def test_artifacts_are_encrypted_with_a_rotated_key_and_logged(template: dict[str, Any]) -> None:
    [key] = _resources(template, "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    [pipeline] = _resources(template, "AWS::CodePipeline::Pipeline").values()
    # One artifact store per region once stages deploy to other regions than the pipeline's.
    [store] = [
        s["ArtifactStore"]
        for s in pipeline["Properties"]["ArtifactStores"]
        if s["Region"] == PIPELINE["region"]
    ]
    assert store["EncryptionKey"]["Type"] == "KMS"
    bucket = template["Resources"][store["Location"]["Ref"]]["Properties"]
    assert "LoggingConfiguration" in bucket
    assert (
        bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ]["SSEAlgorithm"]
        == "aws:kms"
    )


def test_no_unacknowledged_validation_findings(pipeline_assembly: Path) -> None:
    findings = validation_findings(pipeline_assembly)
    assert {stack: [str(f) for f in found] for stack, found in findings.items() if found} == {}


@pytest.mark.parametrize("pack", [AwsSolutionsChecks, HIPAASecurityChecks, PCIDSS321Checks])
def test_pipeline_stack_passes_the_prod_packs(
    pipeline_app: tuple[cdk.App, Path], pack: type[NagPack]
) -> None:
    """Checked directly: the stages' packs happen to walk the whole app, this stack too."""
    stack = pipeline_app[0].node.find_child("Pipeline")
    result = pack().validate_scope(stack)
    found = [
        (v.rule_name, r.construct_path) for v in result.violations for r in v.violating_resources
    ]
    assert found == []


@pytest.fixture(scope="module")
def cross_account_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Prod in another account than the pipeline (and in other regions, as cdk.json says)."""
    from app import build_app

    outdir = tmp_path_factory.mktemp("cross-account")
    configured = cli_context()["stages"]
    stages = {**configured, "prod": {**configured["prod"], "account": "333333333333"}}
    app = new_app(outdir, pipeline=json.dumps(PIPELINE), stages=json.dumps(stages))
    build_app(app)
    app.synth()
    return outdir


def test_a_stage_in_another_account_deploys_with_that_account_s_roles(
    cross_account_assembly: Path,
) -> None:
    assert validation_findings(cross_account_assembly) == {}
    [pipeline_stack] = [s for s in stacks(cross_account_assembly) if s.display_name == "Pipeline"]
    template = pipeline_stack.template()
    assert cfn_lint(pipeline_stack.template_path) == []
    [pipeline] = _resources(template, "AWS::CodePipeline::Pipeline").values()
    [prod] = [s for s in pipeline["Properties"]["Stages"] if s["Name"] == "Prod"]
    deploys = [a for a in prod["Actions"] if a["ActionTypeId"]["Category"] == "Deploy"]
    assert {a["Region"] for a in deploys} == {PROD.region, PROD.secondary_region}
    assert all(":iam::333333333333:role/" in json.dumps(a["RoleArn"]) for a in deploys)
    # Prod's regions read their artifacts from CDK's replication buckets there.
    supports = [s for s in stacks(cross_account_assembly) if s.display_name in SUPPORT_STACKS]
    assert len(supports) == len(SUPPORT_STACKS)
    for support in supports:
        [key] = _resources(support.template(), "AWS::KMS::Key").values()
        assert ":iam::333333333333:role/cdk-" in json.dumps(key["Properties"]["KeyPolicy"])


def test_stack_checks_judge_a_stack_outside_any_stage(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    stack = cdk.Stack(app, "Outside")
    add_stack_checks(stack, ["AwsSolutions"])
    sqs.Queue(stack, "PlainQueue")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    assert {f.rule for f in validation_findings(tmp_path)["Outside"]} == {
        "AwsSolutions-SQS3",
        "AwsSolutions-SQS4",
    }


def test_pipeline_template_is_cfn_lint_clean(artifacts: dict[str, StackArtifact]) -> None:
    assert cfn_lint(artifacts["Pipeline"].template_path) == []


def test_pipeline_acknowledgements_name_rule_and_reason(
    artifacts: dict[str, StackArtifact],
) -> None:
    acknowledgements = artifacts["Pipeline"].acknowledgements()
    assert acknowledgements
    for where, reason in acknowledgements.items():
        path, rule = where.rsplit(" ", 1)
        assert path.startswith("/Pipeline/"), where
        rule = rule.removeprefix("Annotation::")
        assert rule.startswith(("AwsSolutions-", "HIPAA.Security-", "PCI.DSS.321-")), where
        assert len(reason.split()) >= 6, where


def test_summary_lists_the_pipeline_and_the_stages(
    pipeline_assembly: Path, artifacts: dict[str, StackArtifact]
) -> None:
    rows = synth_summary.summarize(pipeline_assembly)
    assert sorted(r.stack for r in rows) == sorted(artifacts)
    assert [r for r in rows if r.nag_findings or r.lint_findings] == []
    assert artifacts["Pipeline"].compliance_packs() == list(PROD.compliance_packs)


def test_pipeline_snapshot(
    artifacts: dict[str, StackArtifact], snapshot: SnapshotAssertion
) -> None:
    assert scrub(artifacts["Pipeline"].template()) == snapshot(
        extension_class=JSONSnapshotExtension
    )


def test_without_the_context_there_is_no_pipeline(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    assert "Pipeline" not in stack_artifacts
    assert {s.stage for s in stack_artifacts.values()} == set(STAGE_IDS)
