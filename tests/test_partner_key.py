"""One partner API key for both regions of Prod, behind one latency-routed hostname.

Route 53 sends a partner to either region (and to the other after a failover), so the
key each region's API accepts must have the same value: both keys resolve, at
deployment, to the one generated secret and its replica in the API's own region, and
no key value is in any template.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tools.deploy_plan import DeployPlan, PlannedStack
from tools.deploy_rules import secrets_read
from tools.prerequisites import references


@pytest.fixture(scope="module")
def prod(assembly_dir: Path) -> DeployPlan:
    return DeployPlan(assembly_dir, "Prod/*")


def _api_keys(plan: DeployPlan) -> list[tuple[PlannedStack, str, dict[str, Any]]]:
    return [
        (stack, logical_id, resource)
        for stack, logical_id, resource in plan.resources()
        if resource["Type"] == "AWS::ApiGateway::ApiKey"
    ]


def _secret_behind(
    plan: DeployPlan, stack: PlannedStack, resource: dict[str, Any]
) -> tuple[str, str | None]:
    """``(stack, logical id)`` of the secret an API key's value is read from."""
    value = resource["Properties"]["Value"]
    found: set[tuple[str, str | None]] = {
        (other.display_name, logical_id)
        for other, logical_id in references(plan, stack, value)
        if logical_id and other.resources[logical_id]["Type"] == "AWS::SecretsManager::Secret"
    }
    found |= {
        (other.display_name, logical_id)
        for alternatives in secrets_read(plan, stack, resource)
        for other, logical_id in alternatives
    }
    assert len(found) == 1, found
    return found.pop()


def test_both_regions_key_values_are_the_one_secret(prod: DeployPlan) -> None:
    keys = _api_keys(prod)
    regions = {stack.region for stack, _, _ in keys}
    assert regions == {"us-east-1", "us-west-2"}
    secrets = {_secret_behind(prod, stack, resource) for stack, _, resource in keys}
    assert secrets == {("Prod/Foundation", "PartnerApiKey1020B685")}


def test_the_secret_is_generated_and_replicated_to_every_region_serving_the_api(
    prod: DeployPlan,
) -> None:
    foundation = next(s for s in prod.stacks.values() if s.display_name == "Prod/Foundation")
    secret = foundation.resources["PartnerApiKey1020B685"]["Properties"]
    assert "SecretString" not in secret, "the value must be generated, never in the template"
    assert secret["GenerateSecretString"]["PasswordLength"] >= 20  # API Gateway's minimum
    served = {stack.region for stack, _, _ in _api_keys(prod)}
    replicated = {foundation.region, *(r["Region"] for r in secret["ReplicaRegions"])}
    assert served <= replicated


def test_no_template_holds_an_api_key_value(assembly_dir: Path) -> None:
    for template in assembly_dir.rglob("*.template.json"):
        for resource in json.loads(template.read_text())["Resources"].values():
            if resource["Type"] != "AWS::ApiGateway::ApiKey":
                continue
            value = resource["Properties"].get("Value")
            if value is not None:
                assert "{{resolve:secretsmanager:" in json.dumps(value), template.name
