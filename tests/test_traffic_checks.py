"""Traffic checks as CodeDeploy and IAM will run them: which stages have them, what each
hook may do, and that the alias shifts only after the hook knows the new version."""

from __future__ import annotations

from typing import Any

import pytest

from tools.assembly import StackArtifact

API_FUNCTIONS = ("Products", "Orders")


def _resources(stack: StackArtifact) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = stack.template()["Resources"]
    return found


def _one(
    resources: dict[str, dict[str, Any]], prefix: str, kind: str
) -> tuple[str, dict[str, Any]]:
    found = [(k, r) for k, r in resources.items() if k.startswith(prefix) and r["Type"] == kind]
    assert len(found) == 1, f"{prefix} {kind}: {[k for k, _ in found]}"
    return found[0]


def _hook_statements(resources: dict[str, dict[str, Any]], function: str) -> list[dict[str, Any]]:
    role_id, _ = _one(resources, f"{function}TrafficCheckServiceRole", "AWS::IAM::Role")
    return [
        statement
        for resource in resources.values()
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        and {"Ref": role_id} in resource["Properties"].get("Roles", [])
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]


@pytest.mark.parametrize("name", ["Dev/Web", "Staging/Web", "Prod/Web", "Prod/WebSecondary"])
def test_only_the_stages_with_traffic_checks_have_hooks(
    stack_artifacts: dict[str, StackArtifact], name: str
) -> None:
    hooks = [
        k
        for k, r in _resources(stack_artifacts[name]).items()
        if r["Type"] == "AWS::Lambda::Function" and "TrafficCheck" in k
    ]
    assert len(hooks) == (0 if name.startswith("Dev/") else len(API_FUNCTIONS)), hooks


@pytest.mark.parametrize("name", ["Staging/Web", "Prod/Web", "Prod/WebSecondary"])
@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_the_hook_runs_before_and_after_the_shift_and_tries_the_new_version(
    stack_artifacts: dict[str, StackArtifact], name: str, function: str
) -> None:
    resources = _resources(stack_artifacts[name])
    hook_id, hook = _one(resources, f"{function}TrafficCheck", "AWS::Lambda::Function")
    _, alias = _one(resources, f"{function}Alias", "AWS::Lambda::Alias")
    update = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    # The alias names the hook, so CloudFormation updates the hook (to the new version's
    # ARN) before the alias update that starts the deployment.
    assert update["BeforeAllowTrafficHook"] == update["AfterAllowTrafficHook"] == {"Ref": hook_id}
    target = hook["Properties"]["Environment"]["Variables"]["TARGET_VERSION_ARN"]
    assert target == alias["Properties"]["FunctionVersion"] or target == {
        "Ref": alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
    }


@pytest.mark.parametrize("name", ["Staging/Web", "Prod/Web", "Prod/WebSecondary"])
@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_the_hook_may_invoke_that_version_and_report_on_that_group_only(
    stack_artifacts: dict[str, StackArtifact], name: str, function: str
) -> None:
    resources = _resources(stack_artifacts[name])
    _, hook = _one(resources, f"{function}TrafficCheck", "AWS::Lambda::Function")
    target = hook["Properties"]["Environment"]["Variables"]["TARGET_VERSION_ARN"]
    group_id, _ = _one(resources, f"{function}Deployment", "AWS::CodeDeploy::DeploymentGroup")
    allowed = {}
    for statement in _hook_statements(resources, function):
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        for action in actions:
            allowed[action] = statement["Resource"]
    assert allowed["lambda:InvokeFunction"] == target
    assert {"Ref": group_id} in allowed["codedeploy:PutLifecycleEventHookExecutionStatus"][
        "Fn::Join"
    ][1]
    service_actions = {a.split(":")[0] for a in allowed}
    assert service_actions <= {"logs", "sqs", "lambda", "codedeploy", "xray", "ec2", "kms"}, allowed


@pytest.mark.parametrize("name", ["Prod/Network", "Prod/WebSecondary"])
def test_the_private_network_reaches_lambda_and_codedeploy(
    stack_artifacts: dict[str, StackArtifact], name: str
) -> None:
    services = {
        str(r["Properties"]["ServiceName"])
        for r in _resources(stack_artifacts[name]).values()
        if r["Type"] == "AWS::EC2::VPCEndpoint"
    }
    for service in ("lambda", "codedeploy"):
        assert any(s.endswith(f".{service}") or f".{service}'" in s for s in services), services
