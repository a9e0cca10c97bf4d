"""Prerequisites AWS enforces at deployment that cfn-lint does not see, checked against a
:class:`~tools.deploy_plan.DeployPlan`.

Each prerequisite says which resources need something (``consumers``) and, for each one,
what must already exist (``needs``: lists of alternatives, any one of which will do). A
need is met when it is created earlier in the same stack (CloudFormation orders a
stack's resources by ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` and ``DependsOn``) or lives in
a stack the plan deploys before. Placement rules (``REGION_RULES``) say in which region
a need must live. A new prerequisite is one entry in :data:`PREREQUISITES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tools.deploy_plan import DeployPlan, PlannedStack

#: A resource in a stack: ``(stack, logical id)``; ``None`` as the id means the stack.
Located = tuple[PlannedStack, str | None]
Resource = dict[str, Any]


def properties(resource: Resource) -> dict[str, Any]:
    """A template resource's ``Properties`` (empty when it has none)."""
    found: dict[str, Any] = resource.get("Properties", {})
    return found


#: For one consumer: each need, as the alternatives that would satisfy it.
Needs = Callable[[DeployPlan, PlannedStack, Resource], list[list[Located]]]

_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


def references(plan: DeployPlan | None, stack: PlannedStack, value: Any) -> Iterator[Located]:
    """Every resource ``value`` refers to, followed through other stacks' outputs
    (``Fn::GetStackOutput``, ``Fn::ImportValue``) unless ``plan`` is ``None``; a missing
    producer is yielded as the consumer stack with the id ``"?<what>"``."""
    if isinstance(value, list):
        for item in value:
            yield from references(plan, stack, item)
        return
    if not isinstance(value, dict):
        return
    if isinstance(value.get("Ref"), str) and value["Ref"] in stack.resources:
        yield stack, value["Ref"]
    elif "Fn::GetAtt" in value and value["Fn::GetAtt"][0] in stack.resources:
        yield stack, value["Fn::GetAtt"][0]
    elif "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        yield from ((stack, n) for n in _SUB_NAME.findall(text) if n in stack.resources)
    elif plan is None:
        for item in value.values():
            yield from references(plan, stack, item)
    elif "Fn::GetStackOutput" in value:
        spec = value["Fn::GetStackOutput"]
        region = spec["Region"] if isinstance(spec["Region"], str) else stack.region
        producer = plan.by_stack_name(spec["StackName"], region)
        yield from _output(plan, stack, producer, spec["OutputName"], spec["StackName"])
    elif "Fn::ImportValue" in value and isinstance(value["Fn::ImportValue"], str):
        exported = plan.exporting(value["Fn::ImportValue"])
        producer, output_id = exported if exported else (None, "")
        yield from _output(plan, stack, producer, output_id, value["Fn::ImportValue"])
    else:
        for item in value.values():
            yield from references(plan, stack, item)


def _output(
    plan: DeployPlan, stack: PlannedStack, producer: PlannedStack | None, output: str, what: str
) -> Iterator[Located]:
    if producer is None or output not in producer.outputs:
        yield stack, f"?output {output} of {what}"
        return
    yield producer, None
    yield from references(plan, producer, producer.outputs[output]["Value"])


def created_before(stack: PlannedStack, later: str, earlier: str) -> bool:
    """True when CloudFormation creates ``earlier`` before ``later`` in ``stack``."""
    seen: set[str] = set()
    pending = [later]
    while pending:
        current = pending.pop()
        resource = stack.resources.get(current, {})
        depends = resource.get("DependsOn", [])
        upstream = [depends] if isinstance(depends, str) else list(depends)
        upstream += [n for _, n in references(None, stack, resource.get("Properties", {})) if n]
        for name in upstream:
            if name == earlier:
                return True
            if name not in seen:
                seen.add(name)
                pending.append(name)
    return False


def met(plan: DeployPlan, consumer: PlannedStack, logical_id: str, need: Located) -> bool:
    """Whether ``need`` exists by the time ``consumer``'s ``logical_id`` is created."""
    stack, needed = need
    if needed is not None and needed.startswith("?"):
        return False
    if stack is consumer:
        return needed is None or created_before(consumer, logical_id, needed)
    return plan.before(stack, consumer)


@dataclass(frozen=True)
class Prerequisite:
    """Resources matching ``consumer`` can only be created once ``needs`` exist."""

    description: str
    consumer: Callable[[Resource], bool]
    needs: Needs


def problems(plan: DeployPlan, prerequisites: tuple[Prerequisite, ...]) -> list[str]:
    """Every unmet prerequisite of the plan, as a sentence naming both ends."""
    found = []
    for prerequisite in prerequisites:
        for stack, logical_id, resource in plan.resources():
            if not prerequisite.consumer(resource):
                continue
            for alternatives in prerequisite.needs(plan, stack, resource):
                if not any(met(plan, stack, logical_id, need) for need in alternatives):
                    names = ", ".join(_name(need) for need in alternatives) or "nothing in the plan"
                    found.append(
                        f"{prerequisite.description}: {stack.display_name}/{logical_id} "
                        f"may be created before {names}"
                    )
    return found


def _name(located: Located) -> str:
    stack, logical_id = located
    return stack.display_name if logical_id is None else f"{stack.display_name}/{logical_id}"


@dataclass(frozen=True)
class RegionRule:
    """What ``consumer`` resources point at (``target``) must be in ``region``."""

    description: str
    consumer: Callable[[Resource], bool]
    target: Callable[[Resource], Any]
    region: Callable[[PlannedStack], str | None]


def misplaced(plan: DeployPlan, rules: tuple[RegionRule, ...]) -> list[str]:
    """Every resource a rule's consumer points at that lives outside the rule's region."""
    found = []
    for rule in rules:
        for stack, logical_id, resource in plan.resources():
            if not rule.consumer(resource):
                continue
            wanted = rule.region(stack)
            for located in references(plan, stack, rule.target(resource)):
                where, target = located
                if target is None or target.startswith("?"):
                    continue
                if wanted is None or where.region != wanted:
                    found.append(
                        f"{rule.description}: {stack.display_name}/{logical_id} uses "
                        f"{_name(located)} in {where.region or 'an unknown region'}, "
                        f"not {wanted or 'a known region'}"
                    )
            for arn in _literal_arns(rule.target(resource)):
                if wanted is None or arn.split(":")[3] != wanted:
                    found.append(
                        f"{rule.description}: {stack.display_name}/{logical_id} uses {arn}, "
                        f"not in {wanted or 'a known region'}"
                    )
    return found


def _literal_arns(value: Any) -> list[str]:
    return [value] if isinstance(value, str) and value.startswith("arn:") else []
