"""Traffic checks: before and after CodeDeploy shifts an API function's alias, a hook
sends the new version one real request and rolls the deployment back unless it gets
the answer expected."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import aws_cdk as cdk
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import ServerlessFunction, ensure_dead_letter_queue
from stacks.function_settings import admin_paced
from stacks.lambda_code import handler_function


@dataclass(frozen=True)
class Probe:
    """The request a traffic check sends, and the status it must get back."""

    method: str
    path: str
    expect: int
    query: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def as_json(self) -> str:
        return json.dumps(
            {
                "method": self.method,
                "path": self.path,
                "query": dict(self.query),
                "expect": self.expect,
            }
        )


def add_traffic_check(
    target: ServerlessFunction,
    *,
    probe: Probe,
    alarm_topic: sns.ITopic | None,
    removal_policy: cdk.RemovalPolicy,
) -> ServerlessFunction:
    """``<Target>TrafficCheck`` beside ``target``: its pre- and post-traffic hook.

    The hook may invoke the version being deployed and nothing else of the function
    (CodeDeploy's deployment group lets it report on this deployment group only). It
    has no canary of its own. The alias shifts only after CloudFormation has updated the
    hook to the new version (the alias names the hook).
    """
    scope = target.node.scope
    if not isinstance(scope, Construct):
        raise TypeError(f"{target.node.path} has no scope to put its traffic check in")
    hook = ServerlessFunction(
        scope,
        f"{target.node.id}TrafficCheck",
        **handler_function("traffic_check"),
        description=f"CodeDeploy traffic check of {target.node.id}: {probe.method} {probe.path}",
        environment={
            "PROBE": probe.as_json(),
            "TARGET_VERSION_ARN": target.function.current_version.function_arn,
        },
        safe_deployment=False,
        alarm_topic=alarm_topic,
        defaults=admin_paced(scope),
        # Should CodeDeploy's invocation fail before the hook reports, the event is kept.
        function_props={
            "dead_letter_queue": ensure_dead_letter_queue(
                scope, f"{target.node.id}TrafficCheckDlq", None, removal_policy=removal_policy
            )
        },
    )
    target.function.current_version.grant_invoke(hook.function)
    target.add_traffic_hooks(pre=hook.function, post=hook.function)
    return hook
