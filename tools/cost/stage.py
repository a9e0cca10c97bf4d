"""What the cost model reads from one stage's synthesized templates."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.assembly import StackArtifact
from tools.capacity_template import account_quotas_of, ids, refs

#: Bytes assumed per ``$context`` variable of an access log format, once filled in.
CONTEXT_VARIABLE_BYTES = 16


@dataclass(frozen=True)
class Stage:
    """A stage's templates by stack name (``Web``, ``Streaming``...), its primary region's
    first; stacks in another region (Prod's ``WebSecondary``) by their own names."""

    name: str
    templates: dict[str, dict[str, Any]]
    #: Each stack's region (``None``: environment-agnostic, as Dev's and Staging's).
    regions: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, artifacts: list[StackArtifact]) -> Stage:
        stack = {a.display_name.split("/")[-1]: a for a in artifacts}
        return cls(
            name,
            {key: a.template() for key, a in stack.items()},
            {key: a.region for key, a in stack.items()},
        )

    def account_quotas(self) -> dict[str, dict[str, int]]:
        """What the stage needs of each region's account quotas (see ``tools.capacity``)."""
        return account_quotas_of(
            (self.regions.get(stack), template) for stack, template in self.templates.items()
        )

    def resources(self, kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(stack, logical id, properties) of every resource of ``kind``."""
        for stack, template in self.templates.items():
            resources = template.get("Resources", {})
            for key in ids(resources, kind):
                yield stack, key, resources[key].get("Properties", {})

    def function(self, stack: str, handler: str) -> dict[str, Any]:
        """The properties of the function in ``stack`` running ``handler``."""
        found = [
            props
            for where, _, props in self.resources("AWS::Lambda::Function")
            if where == stack and props.get("Handler") == handler
        ]
        if not found:
            raise LookupError(f"no function with handler {handler!r} in {self.name}/{stack}")
        return found[0]

    def rest_stage(self, stack: str) -> dict[str, Any]:
        """The REST API stage of ``stack``: its only one, or, beside a Kinesis integration's
        (the Web stack's storefront events API), the stage of the API whose methods invoke
        functions."""
        stages = [
            props for where, _, props in self.resources("AWS::ApiGateway::Stage") if where == stack
        ]
        if len(stages) == 1:
            return stages[0]
        invoking = {
            str(props["RestApiId"].get("Ref"))
            for where, _, props in self.resources("AWS::ApiGateway::Method")
            if where == stack and props.get("Integration", {}).get("Type") == "AWS_PROXY"
        }
        (found,) = [props for props in stages if props["RestApiId"].get("Ref") in invoking]
        return found

    def waf_in_front(self, stack: str) -> bool:
        """Whether a web ACL is associated with a resource of ``stack``."""
        return any(
            where == stack for where, _, _ in self.resources("AWS::WAFv2::WebACLAssociation")
        )

    def replicas(self, stack: str) -> int:
        """Regions each of the stack's global tables writes to (1 without global tables)."""
        counts = [
            len(props.get("Replicas", []))
            for where, _, props in self.resources("AWS::DynamoDB::GlobalTable")
            if where == stack
        ]
        return max(counts, default=1)

    def stream(self) -> dict[str, Any]:
        ((_, _, props),) = list(self.resources("AWS::Kinesis::Stream"))
        return props

    def archive(self) -> dict[str, Any]:
        ((_, _, props),) = list(self.resources("AWS::KinesisFirehose::DeliveryStream"))
        return dict(props.get("ExtendedS3DestinationConfiguration", {}))

    def readers_of_stream(self) -> int:
        stack = "Streaming"
        resources = self.templates[stack]["Resources"]
        (stream_id,) = ids(resources, "AWS::Kinesis::Stream")
        mappings = [
            k
            for k in ids(resources, "AWS::Lambda::EventSourceMapping")
            if stream_id in set(refs(resources[k]["Properties"]["EventSourceArn"]))
        ]
        return len(mappings) + len(ids(resources, "AWS::KinesisFirehose::DeliveryStream"))


def access_log_bytes(stage: dict[str, Any]) -> int:
    """Bytes of one access log line: the format with each variable filled in."""
    log_format = str(stage.get("AccessLogSetting", {}).get("Format", ""))
    if not log_format:
        return 0
    variables = re.findall(r"\$context\.[A-Za-z0-9_.]+", log_format)
    return (
        len(re.sub(r"\$context\.[A-Za-z0-9_.]+", "", log_format))
        + 1
        + len(variables) * CONTEXT_VARIABLE_BYTES
    )


def traced(function: dict[str, Any]) -> bool:
    return bool(function.get("TracingConfig", {}).get("Mode") == "Active")


def log_level(function: dict[str, Any]) -> str:
    return str(function.get("LoggingConfig", {}).get("ApplicationLogLevel", "DEBUG"))


def workflow_definition(props: dict[str, Any]) -> dict[str, Any]:
    """A state machine's definition; references (ARNs, names) left as ``"?"``."""
    body = props["DefinitionString"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    loaded: dict[str, Any] = json.loads("".join(p if isinstance(p, str) else "?" for p in parts))
    return loaded


def success_path(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The states a successful execution enters, in order: from ``StartAt``, a Choice's
    first rule, every branch of a Parallel state; each entry is one state transition."""
    states, name, entered = definition["States"], definition["StartAt"], []
    while name:
        state = states[name]
        entered.append(state)
        for branch in state.get("Branches", []):
            entered += success_path(branch)
        choices = state.get("Choices")
        name = choices[0]["Next"] if choices else state.get("Next")
    return entered
