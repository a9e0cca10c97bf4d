"""``PipelineConfig``: where the delivery pipeline lives and which repository it builds."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk

_CONNECTION_ARN = re.compile(
    r"^arn:aws(-[a-z]+)*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:"
    r"connection/[0-9a-f-]{36}$"
)
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}(?<!/)$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")


class PipelineConfigError(ValueError):
    """The ``pipeline`` context is invalid; the message names the field."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PipelineConfig:
    """The delivery pipeline: its source repository and its own account and region.

    :param connection_arn: the CodeConnections (or CodeStar Connections) connection that
        reads the repository, ``arn:aws:codeconnections:<region>:<account>:connection/<id>``.
    :param repository: ``owner/name`` of the repository on the connection's provider.
    :param branch: the branch whose pushes start the pipeline. Default: ``main``.
    :param account: 12-digit AWS account of the pipeline stack (the stages deploy to their
        own account and region when they name one, else to this one).
    :param region: AWS region of the pipeline stack, such as ``eu-west-1``.
    :param approval_before: stages (by name) that wait for a manual approval before they
        deploy. Default: ``("prod",)``.
    """

    connection_arn: str
    repository: str
    branch: str = "main"
    account: str
    region: str
    approval_before: Sequence[str] = ("prod",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "approval_before", tuple(self.approval_before))
        for field, pattern, allowed in (
            ("connection_arn", _CONNECTION_ARN, "a CodeConnections connection ARN"),
            ("repository", _REPOSITORY, "'owner/name'"),
            ("branch", _BRANCH, "a git branch name"),
            ("account", _ACCOUNT, "a 12-digit AWS account id"),
            ("region", _REGION, "an AWS region like eu-west-1"),
        ):
            value = getattr(self, field)
            if not isinstance(value, str) or not pattern.match(value):
                raise _fail(field, f"must be {allowed}, got {value!r}")
        if any(not isinstance(name, str) for name in self.approval_before):
            raise _fail(
                "approval_before", f"must be a list of stage names, got {self.approval_before!r}"
            )

    @property
    def environment(self) -> cdk.Environment:
        """The pipeline stack's account and region."""
        return cdk.Environment(account=self.account, region=self.region)

    def check_stages(self, stage_names: Sequence[str]) -> None:
        """Fail unless every stage in ``approval_before`` is one the pipeline deploys."""
        for name in self.approval_before:
            if name not in stage_names:
                raise _fail(
                    "approval_before",
                    f"unknown stage {name!r}; the pipeline deploys {', '.join(stage_names)}",
                )

    def as_context(self) -> dict[str, Any]:
        """The config as the ``pipeline`` context object that gives it back."""
        return {**dataclasses.asdict(self), "approval_before": list(self.approval_before)}

    @classmethod
    def from_context(cls, value: Any) -> PipelineConfig:
        """The config from the (parsed) ``pipeline`` context object."""
        if not isinstance(value, Mapping):
            raise PipelineConfigError(f"context 'pipeline' must be an object, got {value!r}")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise _fail(
                unknown[0], f"is not a pipeline setting; settings: {', '.join(sorted(fields))}"
            )
        for name, field in fields.items():
            if name not in value and field.default is dataclasses.MISSING:
                raise _fail(name, "is required")
        if "approval_before" in value and not isinstance(value["approval_before"], list):
            raise _fail(
                "approval_before",
                f"must be a list of stage names, got {value['approval_before']!r}",
            )
        return cls(**value)


def _fail(field: str, message: str) -> PipelineConfigError:
    return PipelineConfigError(f"pipeline: {field}: {message}")
