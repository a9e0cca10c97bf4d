"""The order ``cdk deploy "<Stage>/*"`` creates stacks in, and what each needs first.

The first tests run every stage's real plan through every rule of
``tools.deploy_rules``; the others feed the checker small assemblies with one known
defect each (the kind found on a fresh account), so that a checker that sees nothing
fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigateway

from patterns import ApiGatewayAccount
from tests.support.manifest import fake_assembly as _assembly
from tools.deploy_plan import DeployPlan
from tools.deploy_rules import PREREQUISITES, REGION_RULES, check

STAGES = ("Dev", "Staging", "Prod")


@pytest.fixture(scope="module")
def plans(assembly_dir: Path) -> dict[str, DeployPlan]:
    return {stage: DeployPlan(assembly_dir, f"{stage}/*") for stage in STAGES}


@pytest.mark.parametrize("stage", STAGES)
def test_every_prerequisite_is_deployed_first(plans: dict[str, DeployPlan], stage: str) -> None:
    assert check(plans[stage]) == []


@pytest.mark.parametrize("stage", STAGES)
def test_the_plan_covers_the_stage_and_its_foundations_come_first(
    plans: dict[str, DeployPlan], stage: str
) -> None:
    plan = plans[stage]
    order = [stack.display_name for stack in plan.order()]
    assert {f"{stage}/{name}" for name in ("Operations", "DataLake", "Streaming", "Web")} <= set(
        order
    )
    assert all(name.startswith(f"{stage}/") for name in order)
    foundations = [s for s in plan.stacks.values() if s.display_name.endswith("Foundation")]
    assert order[: len(foundations)] == sorted(
        (s.display_name for s in foundations), key=order.index
    )
    for stack in plan.stacks.values():
        if stack not in foundations:
            home = [f for f in foundations if f.region == stack.region]
            assert home, f"{stack.display_name} has no foundation in its region"
            assert all(plan.before(f, stack) for f in home), stack.display_name


def test_prod_has_a_foundation_in_each_of_its_regions(plans: dict[str, DeployPlan]) -> None:
    plan = plans["Prod"]
    regions = {stack.region for stack in plan.stacks.values()}
    foundations = {
        stack.region
        for stack in plan.stacks.values()
        if any(r["Type"] == "AWS::ApiGateway::Account" for r in stack.resources.values())
    }
    assert regions == foundations == {"us-east-1", "us-west-2"}


def test_each_rule_meets_its_consumers_in_prod(plans: dict[str, DeployPlan]) -> None:
    """Every rule has something to check in Prod: a rule matching nothing proves nothing."""
    plan = plans["Prod"]
    for rule in (*PREREQUISITES, *REGION_RULES):
        consumers = [lid for _, lid, resource in plan.resources() if rule.consumer(resource)]
        assert consumers, rule.description


# --- the checker against assemblies with one defect each -------------------------------


LOGGING_STAGE = {
    "Type": "AWS::ApiGateway::Stage",
    "Properties": {"MethodSettings": [{"LoggingLevel": "INFO", "HttpMethod": "*"}]},
}
ACCOUNT = {"Type": "AWS::ApiGateway::Account", "Properties": {"CloudWatchRoleArn": "arn"}}


def test_a_logging_stage_in_a_stack_deployed_before_the_account_role_is_found(
    tmp_path: Path,
) -> None:
    """The fresh-account failure: the role lives in a stack nothing waits for."""
    plan = DeployPlan(
        _assembly(
            tmp_path,
            {
                "S/Web": {"resources": {"Account": ACCOUNT}},
                "S/DataLake": {"resources": {"Stage": LOGGING_STAGE}},
            },
        ),
        "S/*",
    )
    assert check(plan) == [
        "API Gateway's account CloudWatch role before a stage that logs: "
        "S/DataLake/Stage may be created before S/Web/Account"
    ]


def test_a_logging_stage_beside_the_account_role_needs_a_dependency(tmp_path: Path) -> None:
    resources = {"Account": ACCOUNT, "Stage": LOGGING_STAGE}
    plan = DeployPlan(_assembly(tmp_path, {"S/Web": {"resources": resources}}), "S/*")
    assert len(check(plan)) == 1
    resources["Stage"] = {**LOGGING_STAGE, "DependsOn": ["Account"]}
    plan = DeployPlan(_assembly(tmp_path, {"S/Web": {"resources": resources}}), "S/*")
    assert check(plan) == []


def test_the_account_role_of_another_region_does_not_count(tmp_path: Path) -> None:
    plan = DeployPlan(
        _assembly(
            tmp_path,
            {
                "S/Foundation": {"resources": {"Account": ACCOUNT}},
                "S/West": {
                    "region": "us-west-2",
                    "depends_on": ["S/Foundation"],
                    "resources": {"Stage": LOGGING_STAGE},
                },
            },
        ),
        "S/*",
    )
    assert check(plan) == [
        "API Gateway's account CloudWatch role before a stage that logs: "
        "S/West/Stage may be created before nothing in the plan"
    ]


def test_a_replication_rule_before_its_replica_bucket_is_found(tmp_path: Path) -> None:
    source = {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "ReplicationConfiguration": {
                "Rules": [{"Destination": {"Bucket": "arn:aws:s3:::replica-bucket"}}]
            }
        },
    }
    replica = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "replica-bucket"}}
    stacks: dict[str, dict[str, Any]] = {
        "S/Replicas": {"region": "us-west-2", "resources": {"Replica": replica}},
        "S/Data": {"resources": {"Source": source}},
    }
    assert len(check(DeployPlan(_assembly(tmp_path, stacks), "S/*"))) == 1
    stacks["S/Data"]["depends_on"] = ["S/Replicas"]
    assert check(DeployPlan(_assembly(tmp_path, stacks), "S/*")) == []


def test_an_output_read_before_its_stack_is_deployed_is_found(tmp_path: Path) -> None:
    """A weak cross-stack reference (``Fn::GetStackOutput``) without a stack dependency."""
    read = {
        "Fn::GetStackOutput": {"StackName": "S-Web", "Region": "us-east-1", "OutputName": "Url"}
    }
    plan = DeployPlan(
        _assembly(
            tmp_path,
            {
                "S/Web": {
                    "resources": {"Api": {"Type": "AWS::ApiGateway::RestApi"}},
                    "outputs": {"Url": {"Value": {"Ref": "Api"}}},
                },
                "S/West": {
                    "region": "us-west-2",
                    "resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": read}},
                },
            },
        ),
        "S/West",
    )
    # The pattern selects S/West alone; with no dependency the CLI never deploys S/Web.
    assert [stack.display_name for stack in plan.order()] == ["S/West"]
    assert check(plan) == [
        "a stack's outputs (and what they name) before a stack reading them: "
        "S/West/Fn may be created before S/West/?output Url of S-Web"
    ]


def test_a_certificate_of_another_region_is_found(tmp_path: Path) -> None:
    domain = {
        "Type": "AWS::ApiGateway::DomainName",
        "Properties": {
            "RegionalCertificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/x"
        },
    }
    plan = DeployPlan(
        _assembly(tmp_path, {"S/West": {"region": "us-west-2", "resources": {"D": domain}}}),
        "S/*",
    )
    assert check(plan) == [
        "a regional API domain's certificate in the API's region: S/West/D uses "
        "arn:aws:acm:us-east-1:111111111111:certificate/x, not in us-west-2"
    ]


def test_api_gateway_account_required_by_another_stack_orders_the_deploy(tmp_path: Path) -> None:
    """The library's construct, in a plain app on default flags: the dependency it
    declares is one the CLI follows."""
    app = cdk.App(outdir=str(tmp_path))
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    foundation = cdk.Stack(app, "Foundation", env=env)
    account = ApiGatewayAccount(foundation, "ApiGateway")
    service = cdk.Stack(app, "Service", env=env)
    api = apigateway.RestApi(
        service,
        "Api",
        cloud_watch_role=False,
        deploy_options=apigateway.StageOptions(logging_level=apigateway.MethodLoggingLevel.INFO),
    )
    api.root.add_method("GET")
    account.required_by(api.deployment_stage)
    app.synth()
    plan = DeployPlan(tmp_path, "Service")
    assert [stack.display_name for stack in plan.order()] == ["Foundation", "Service"]
    assert check(plan) == []


def _global_table(**properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::DynamoDB::GlobalTable",
        "Properties": {"Replicas": [{"Region": "us-east-1"}, {"Region": "us-west-2"}]} | properties,
    }


STRONG = {"MultiRegionConsistency": "STRONG", "GlobalTableWitnesses": [{"Region": "us-east-2"}]}


@pytest.mark.parametrize(
    ("properties", "problem"),
    [
        (
            STRONG | {"TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True}},
            "without TTL or local indexes: S/Data/T sets TimeToLiveSpecification",
        ),
        (
            STRONG | {"GlobalTableWitnesses": [{"Region": "eu-west-1"}]},
            "in three regions of one Region set: S/Data/T regions "
            "['eu-west-1', 'us-east-1', 'us-west-2'] are not from one Region set",
        ),
        (
            STRONG | {"GlobalTableWitnesses": []},
            "in three regions of one Region set: S/Data/T spans ['us-east-1', 'us-west-2']",
        ),
        (
            {"GlobalTableWitnesses": [{"Region": "us-east-2"}]},
            "S/Data/T witnesses ['us-east-2'] on an eventually consistent table",
        ),
    ],
)
def test_a_global_table_dynamodb_refuses_is_found(
    tmp_path: Path, properties: dict[str, Any], problem: str
) -> None:
    plan = DeployPlan(
        _assembly(tmp_path, {"S/Data": {"resources": {"T": _global_table(**properties)}}}), "S/*"
    )
    [found] = check(plan)
    assert problem in found


def test_a_strong_global_table_dynamodb_accepts_passes(tmp_path: Path) -> None:
    plan = DeployPlan(
        _assembly(tmp_path, {"S/Data": {"resources": {"T": _global_table(**STRONG)}}}), "S/*"
    )
    assert check(plan) == []


def test_a_replica_key_alias_must_exist_in_the_replica_region_first(tmp_path: Path) -> None:
    arn = "arn:aws:kms:us-west-2:111111111111:alias/shop-tables"
    table = _global_table()
    table["Properties"]["Replicas"][1]["SSESpecification"] = {"KMSMasterKeyId": arn}
    alias = {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/shop-tables"}}
    stacks: dict[str, dict[str, Any]] = {
        "S/West": {"region": "us-west-2", "resources": {"Alias": alias}},
        "S/Data": {"resources": {"T": table}},
    }
    assert check(DeployPlan(_assembly(tmp_path, stacks), "S/*")) == [
        "each global-table replica's key, in the replica's region, before the table: "
        "S/Data/T may be created before S/West/Alias"
    ]
    stacks["S/Data"]["depends_on"] = ["S/West"]
    assert check(DeployPlan(_assembly(tmp_path, stacks), "S/*")) == []
    # The alias of another region does not count.
    stacks["S/West"]["region"] = "eu-west-1"
    [problem] = check(DeployPlan(_assembly(tmp_path, stacks), "S/*"))
    assert problem.endswith("may be created before nothing in the plan")
