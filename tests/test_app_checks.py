"""Checks on the whole synthesized app: stacks, cdk-nag, cfn-lint, snapshots, determinism."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from stacks import resolve_stages
from tests.conftest import synthesize_app
from tests.support.cdk_app import cli_context
from tests.support.scrub import scrub
from tools.assembly import StackArtifact, cfn_lint, validation_findings

STACK_IDS = ("Foundation", "Operations", "DataLake", "Streaming", "Web")
#: Stacks of a stage that names a secondary region (cdk.json gives prod one).
MULTI_REGION_STACK_IDS = ("SecondaryFoundation", "Replicas", "WebSecondary")
#: The stages as the app configures them: the stage constants with cdk.json's overrides.
CONFIGS = resolve_stages(cli_context()["stages"])
EXPECTED = [
    f"{config.stage_id}/{stack}"
    for config in CONFIGS
    for stack in (
        *(("Network",) if config.private_network else ()),
        *STACK_IDS,
        *(MULTI_REGION_STACK_IDS if config.secondary_region else ()),
    )
]
IDS = [name.replace("/", "-") for name in EXPECTED]
#: What CDK itself acknowledges on a stack: W3010 (literal availability zones) wherever a
#: VPC names its zones, which the private network does so that synthesis makes no lookups.
CDK_OWN_STACK_ACKNOWLEDGEMENTS = {"CloudFormation-Validate::W3010"}


def test_every_stage_has_every_stack(stack_artifacts: dict[str, StackArtifact]) -> None:
    assert sorted(stack_artifacts) == sorted(EXPECTED)
    assert {s.stage for s in stack_artifacts.values()} == {"Dev", "Staging", "Prod"}


def test_no_unacknowledged_validation_findings(assembly_dir: Path) -> None:
    findings = validation_findings(assembly_dir)
    assert {stack: [str(f) for f in found] for stack, found in findings.items() if found} == {}


@pytest.mark.parametrize("name", EXPECTED, ids=IDS)
def test_cfn_lint_is_clean(stack_artifacts: dict[str, StackArtifact], name: str) -> None:
    assert cfn_lint(stack_artifacts[name].template_path) == []


@pytest.mark.parametrize("name", EXPECTED, ids=IDS)
def test_every_acknowledgement_names_a_rule_and_a_reason(
    stack_artifacts: dict[str, StackArtifact], name: str
) -> None:
    acknowledgements = stack_artifacts[name].acknowledgements()
    assert acknowledgements, "the stack is expected to acknowledge its X-Ray wildcard at least"
    for where, reason in acknowledgements.items():
        path, rule = where.rsplit(" ", 1)
        if path == f"/{name}" and rule in CDK_OWN_STACK_ACKNOWLEDGEMENTS:
            continue
        assert path.startswith(f"/{name}/"), where
        assert "-" in rule or "::" in rule, f"{where}: not a rule id"
        assert len(reason.split()) >= 6, f"{where}: reason too thin: {reason!r}"


@pytest.mark.parametrize("name", EXPECTED, ids=IDS)
def test_template_snapshot(
    stack_artifacts: dict[str, StackArtifact], name: str, snapshot: SnapshotAssertion
) -> None:
    template = scrub(stack_artifacts[name].template())
    assert template == snapshot(extension_class=JSONSnapshotExtension)


def test_synthesis_is_deterministic(
    assembly_dir: Path,
    stack_artifacts: dict[str, StackArtifact],
    tmp_path: Path,
) -> None:
    again = synthesize_app(tmp_path / "again")
    for stack in stack_artifacts.values():
        twin = again / stack.template_path.relative_to(assembly_dir)
        assert filecmp.cmp(stack.template_path, twin, shallow=False), stack.display_name


def test_stage_differences_come_from_config(stack_artifacts: dict[str, StackArtifact]) -> None:
    def resources_of(stage: str, kind: str) -> list[dict[str, object]]:
        resources = stack_artifacts[f"{stage}/Operations"].template()["Resources"]
        return [r for r in resources.values() if r["Type"] == kind]

    dev_table = resources_of("Dev", "AWS::DynamoDB::Table")[0]
    prod_table = resources_of("Prod", "AWS::DynamoDB::Table")[0]
    assert dev_table["DeletionPolicy"] == "Delete"
    assert prod_table["DeletionPolicy"] == "Retain"
    assert prod_table["Properties"]["PointInTimeRecoverySpecification"] == {  # type: ignore[index]
        "PointInTimeRecoveryEnabled": True
    }
    dev_logs = resources_of("Dev", "AWS::Logs::LogGroup")[0]["Properties"]
    prod_logs = resources_of("Prod", "AWS::Logs::LogGroup")[0]["Properties"]
    assert dev_logs["RetentionInDays"] == 7  # type: ignore[index]
    assert prod_logs["RetentionInDays"] == 365  # type: ignore[index]
    configs = {
        stage: resources_of(stage, "AWS::CodeDeploy::DeploymentGroup")[0]["Properties"][  # type: ignore[index]
            "DeploymentConfigName"
        ]
        for stage in ("Dev", "Staging", "Prod")
    }
    assert configs == {
        "Dev": "CodeDeployDefault.LambdaAllAtOnce",
        "Staging": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
        "Prod": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    }
    dev_env = resources_of("Dev", "AWS::Lambda::Function")[0]["Properties"]["Environment"]  # type: ignore[index]
    prod_env = resources_of("Prod", "AWS::Lambda::Function")[0]["Properties"]["Environment"]  # type: ignore[index]
    assert dev_env["Variables"]["POWERTOOLS_LOG_LEVEL"] == "DEBUG"
    assert prod_env["Variables"]["POWERTOOLS_LOG_LEVEL"] == "INFO"
    assert prod_env["Variables"]["POWERTOOLS_LOGGER_LOG_EVENT"] == "false"
