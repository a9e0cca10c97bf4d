"""What a service refuses in one resource, whatever the deploy order: rules cfn-lint does
not know. Each rule is one fact about AWS; add one when a new resource brings it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stacks.region_sets import region_set
from tools.deploy_plan import DeployPlan, PlannedStack
from tools.prerequisites import Resource, properties


@dataclass(frozen=True)
class ResourceRule:
    """``problem`` says why the service refuses a resource of ``resource_type``, or ``None``."""

    description: str
    resource_type: str
    problem: Callable[[PlannedStack, Resource], str | None]


def _strong(resource: Resource) -> bool:
    return properties(resource).get("MultiRegionConsistency") == "STRONG"


def mrsc_regions(stack: PlannedStack, resource: Resource) -> str | None:
    """An MRSC table spans exactly three regions (replicas, the stack's own among them,
    and witnesses) of one Region set; a witness is refused on an eventual table."""
    props = properties(resource)
    witnesses = [w.get("Region") for w in props.get("GlobalTableWitnesses", [])]
    if not _strong(resource):
        return f"witnesses {witnesses} on an eventually consistent table" if witnesses else None
    replicas = [r.get("Region") for r in props.get("Replicas", [])]
    regions = sorted({stack.region, *replicas, *witnesses} - {None})
    if len(regions) != 3 or len(replicas) + len(witnesses) != 3:
        return f"spans {regions} (replicas {replicas}, witnesses {witnesses}), not 3 regions"
    sets = {region_set(str(region)) for region in regions}
    if len(sets) != 1 or None in sets:
        return f"regions {regions} are not from one Region set of strong consistency"
    return None


def mrsc_features(_: PlannedStack, resource: Resource) -> str | None:
    """MRSC tables have no TTL and no local secondary indexes."""
    if not _strong(resource):
        return None
    props = properties(resource)
    refused = [
        name for name in ("TimeToLiveSpecification", "LocalSecondaryIndexes") if name in props
    ]
    return f"sets {', '.join(refused)}, which MRSC tables do not support" if refused else None


#: What each service refuses in a single resource.
RESOURCE_RULES = (
    ResourceRule(
        "a strongly consistent global table in three regions of one Region set",
        "AWS::DynamoDB::GlobalTable",
        mrsc_regions,
    ),
    ResourceRule(
        "a strongly consistent global table without TTL or local indexes",
        "AWS::DynamoDB::GlobalTable",
        mrsc_features,
    ),
)


def refused(plan: DeployPlan, rules: tuple[ResourceRule, ...]) -> list[str]:
    """Every resource of ``plan`` a rule's service would refuse, with the reason."""
    found = []
    for rule in rules:
        for stack, logical_id, resource in plan.resources():
            if resource.get("Type") != rule.resource_type:
                continue
            problem = rule.problem(stack, resource)
            if problem is not None:
                found.append(f"{rule.description}: {stack.display_name}/{logical_id} {problem}")
    return found
