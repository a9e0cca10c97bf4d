"""Prod's functions run in a private network that reaches AWS APIs through endpoints only."""

from __future__ import annotations

from stacks.network import INTERFACE_ENDPOINTS
from tests.support.templates import logical_ids_by_type
from tools.assembly import StackArtifact


def _resources(stack: StackArtifact, kind: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {k: r for k, r in stack.template()["Resources"].items() if r["Type"] == kind}


def test_network_has_no_way_out_but_endpoints(stack_artifacts: dict[str, StackArtifact]) -> None:
    for name in ("Prod/Network", "Prod/WebSecondary"):
        stack = stack_artifacts[name]
        for kind in ("AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::EIP"):
            assert not _resources(stack, kind), (name, kind)
        subnets = _resources(stack, "AWS::EC2::Subnet").values()
        assert len(subnets) == 2
        assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets)
        endpoints = [e["Properties"] for e in _resources(stack, "AWS::EC2::VPCEndpoint").values()]
        kinds = sorted(e.get("VpcEndpointType", "Gateway") for e in endpoints)
        assert kinds == ["Gateway", "Gateway", *["Interface"] * len(INTERFACE_ENDPOINTS)]
        assert all(
            e["PrivateDnsEnabled"] for e in endpoints if e.get("VpcEndpointType") == "Interface"
        )
        [flow_log] = _resources(stack, "AWS::EC2::FlowLog").values()
        assert flow_log["Properties"]["TrafficType"] == "ALL"


def test_every_prod_function_of_the_shop_runs_in_the_private_subnets(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    in_vpc = 0
    outside: list[str] = []
    for name, stack in stack_artifacts.items():
        functions = _resources(stack, "AWS::Lambda::Function")
        for logical_id, function in functions.items():
            props = function["Properties"]
            shop_function = "POWERTOOLS_SERVICE_NAME" in props.get("Environment", {}).get(
                "Variables", {}
            )
            if not shop_function:
                continue  # CDK's own deployment-time handlers
            if logical_id.startswith("LiveBroadcaster"):
                # Its PostToConnection goes to the WebSocket API's @connections endpoint,
                # which no VPC endpoint serves: inside, it could reach nobody.
                assert "VpcConfig" not in props, f"{name}/{logical_id}"
                outside.append(f"{name}/{logical_id}")
                continue
            if name.startswith("Prod/"):
                assert "VpcConfig" in props, f"{name}/{logical_id}"
                assert len(props["VpcConfig"]["SubnetIds"]) == 2
                in_vpc += 1
            else:
                assert "VpcConfig" not in props, f"{name}/{logical_id}"
    assert in_vpc >= 12
    assert sorted(o.split("/")[0] for o in outside) == ["Dev", "Prod", "Staging"]


def test_network_logical_ids_are_pinned(stack_artifacts: dict[str, StackArtifact]) -> None:
    found = logical_ids_by_type(
        stack_artifacts["Prod/Network"], ["AWS::EC2::VPC", "AWS::Logs::LogGroup"]
    )
    assert found == {
        "AWS::EC2::VPC": ["NetworkVpc7FB7348F"],
        "AWS::Logs::LogGroup": ["NetworkFlowLogs2BEC3212"],
    }
