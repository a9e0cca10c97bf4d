"""A private network for a regulated stage's functions: no internet route, AWS APIs
through VPC endpoints only."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from patterns import FunctionDefaults, retention_from_days
from patterns.acknowledgements import quiet_redundant_dependencies
from stacks.base import ShopStack
from stacks.config import StageConfig
from stacks.zones import DEFAULT_ZONE_COUNT, place_subnets_by_zone_id

#: AWS APIs the functions call besides S3 and DynamoDB (which get gateway endpoints);
#: traffic checks invoke a function version and report to CodeDeploy; purchase events
#: are put into the usage events' Kinesis stream; the live updates' authorizer and token
#: issuer read their signing secret; the order review's functions answer its workflow's
#: tasks (Step Functions).
INTERFACE_ENDPOINTS = {
    "Ec2": ec2.InterfaceVpcEndpointAwsService.EC2,
    "Sns": ec2.InterfaceVpcEndpointAwsService.SNS,
    "XRay": ec2.InterfaceVpcEndpointAwsService.XRAY,
    "Lambda": ec2.InterfaceVpcEndpointAwsService.LAMBDA_,
    "CodeDeploy": ec2.InterfaceVpcEndpointAwsService.CODEDEPLOY,
    "Kinesis": ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
    "SecretsManager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    "StepFunctions": ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
}


class PrivateNetwork(Construct):
    """``Vpc``: isolated subnets in the zones ``config`` names for ``region`` by zone id,
    or else in the first two zones the account can use there, resolved at deployment (no
    NAT, no internet gateway),
    gateway endpoints for S3 and DynamoDB, interface endpoints for
    :data:`INTERFACE_ENDPOINTS`, flow logs of all traffic, the default security group
    closed. ``Functions`` is the functions' security group: HTTPS out, nothing in; the
    endpoints accept HTTPS from it only."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, region: str | None
    ) -> None:
        super().__init__(scope, construct_id)
        zone_ids = config.zone_ids(region)
        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=retention_from_days(config.log_retention_days),
            removal_policy=config.cdk_removal_policy,
        )
        #: The VPC.
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.20.0.0/16"),
            # The stack's zones are deployment-time Fn::GetAZs selections, never a lookup.
            max_azs=len(zone_ids) if zone_ids else DEFAULT_ZONE_COUNT,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Functions", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=22
                )
            ],
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
                "DynamoDb": ec2.GatewayVpcEndpointOptions(
                    service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
                ),
            },
            flow_logs={
                "All": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
            restrict_default_security_group=True,
        )
        if zone_ids:
            place_subnets_by_zone_id(self.vpc, zone_ids)
        quiet_redundant_dependencies(cdk.Stack.of(self))
        #: The functions' security group.
        self.functions = ec2.SecurityGroup(
            self,
            "Functions",
            vpc=self.vpc,
            description="Lambda functions: HTTPS to AWS APIs through the VPC endpoints",
            allow_all_outbound=False,
        )
        # Isolated subnets have no route out: 443 reaches only the endpoints.
        self.functions.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS out")
        endpoints = ec2.SecurityGroup(
            self,
            "Endpoints",
            vpc=self.vpc,
            description="VPC interface endpoints: HTTPS from the functions only",
            allow_all_outbound=False,
        )
        endpoints.add_ingress_rule(self.functions, ec2.Port.tcp(443), "HTTPS from functions")
        for name, service in INTERFACE_ENDPOINTS.items():
            self.vpc.add_interface_endpoint(
                name, service=service, security_groups=[endpoints], open=False
            )

    def function_defaults(self, defaults: FunctionDefaults) -> FunctionDefaults:
        """``defaults`` with every function in this network's subnets and security group."""
        return defaults.replace(
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_groups=(self.functions,),
        )


class NetworkStack(ShopStack):
    """The stage's private network in its primary region."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope, construct_id, config=config, purpose="Shop private network", **kwargs
        )
        self.network = PrivateNetwork(self, "Network", config=config, region=config.region)
