"""FunctionDefaults' VPC settings: functions join the network with what Lambda needs."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from patterns import FunctionDefaults, ServerlessFunction


def test_functions_join_the_defaults_vpc_with_network_permissions(
    stack: cdk.Stack, code_dir: Path
) -> None:
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc)
    FunctionDefaults(vpc=vpc, security_groups=[group]).apply_to(stack)  # type: ignore[arg-type]
    function = ServerlessFunction(stack, "Fn", code_path=code_dir)
    template = Template.from_stack(stack)
    fn = template.to_json()["Resources"][
        stack.get_logical_id(function.function.node.default_child)  # type: ignore[arg-type]
    ]
    assert fn["Properties"]["VpcConfig"]["SecurityGroupIds"] == [
        {"Fn::GetAtt": [stack.get_logical_id(group.node.default_child), "GroupId"]}  # type: ignore[arg-type]
    ]
    policy = function.node.find_child("NetworkPolicy")
    policy_id = stack.get_logical_id(policy.node.default_child)  # type: ignore[arg-type]
    assert policy_id in fn["DependsOn"]


def test_vpc_settings_need_a_vpc() -> None:
    with pytest.raises(ValueError, match="need a vpc"):
        FunctionDefaults(
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        )
