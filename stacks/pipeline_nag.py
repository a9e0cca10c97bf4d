"""What cdk-nag finds on the roles CDK Pipelines generates, and why each is acknowledged.

CDK Pipelines writes the pipeline's, the source action's and every CodeBuild project's
IAM policies itself. Their wildcards are the CDK grants on the pipeline's own artifact
bucket and key, CodeBuild's per-project log groups and report groups, and what ``cdk
deploy`` needs to find CDK's bootstrap resources. Each policy acknowledges exactly the
wildcards it holds (``AwsSolutions-IAM5[...]``, one at a time), matched against the
known kinds below; a wildcard of any other kind stays a finding.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from patterns._nag import _flatten

_ARTIFACT_OBJECTS = (
    "CDK's grant on the pipeline's own artifact bucket; artifact object keys are "
    "generated per execution, so only a key wildcard can name them."
)
#: (pattern of the wildcard as nag names it, reason), first match wins.
_KNOWN: tuple[tuple[str, str], ...] = (
    (
        r"Action::s3:(GetBucket|GetObject|List|Abort|DeleteObject)\*",
        "CDK's read or read-write grant on the pipeline's own artifact bucket, whose "
        "object keys change with every execution.",
    ),
    (
        r"Action::kms:(GenerateDataKey|ReEncrypt)\*",
        "CDK's encrypt-decrypt grant on the artifact key only, so the role can read and "
        "write encrypted pipeline artifacts.",
    ),
    (r"Resource::<Artifacts[0-9A-F]{8}\.Arn>/\*", _ARTIFACT_OBJECTS),
    (
        r"Resource::arn:[^:]+:logs:[^:]+:\d{12}:log-group:/aws/codebuild/<[A-Za-z0-9]+>:\*",
        "CodeBuild writes log streams of this project's own log group, named per build.",
    ),
    (
        r"Resource::arn:[^:]+:codebuild:[^:]+:\d{12}:report-group/<[A-Za-z0-9]+>-\*",
        "CodeBuild report groups this project creates are named after it with a suffix.",
    ),
    (
        r"Resource::arn:[^:]+:logs:[^:]+:\d{12}:log-group:/aws/codebuild/\*",
        "One asset-publishing role serves every asset project, whose log groups are "
        "named after projects CDK Pipelines creates.",
    ),
    (
        r"Resource::arn:[^:]+:codebuild:[^:]+:\d{12}:report-group/\*",
        "One asset-publishing role serves every asset project, whose report groups are "
        "named after projects CDK Pipelines creates.",
    ),
    (
        r"Resource::arn:\*:iam::\d{12}:role/\*",
        "Self-mutation assumes only CDK bootstrap roles, selected by their "
        "aws-cdk:bootstrap-role tag, in the account whatever the region.",
    ),
    (
        r"Resource::\*",
        "cdk deploy looks up stacks and the bootstrap bucket, and the shared asset role "
        "starts asset builds; neither name is known at synthesis.",
    ),
)


#: The only actions CDK Pipelines grants on '*': finding stacks and starting asset builds.
_LOOKUP_ACTIONS = frozenset(
    {
        "cloudformation:DescribeStacks",
        "s3:ListBucket",
        "codebuild:BatchGetBuilds",
        "codebuild:StartBuild",
        "codebuild:StopBuild",
    }
)


def acknowledge_pipeline_wildcards(pipeline: IConstruct) -> None:
    """Acknowledge, on each IAM policy under ``pipeline``, the known wildcards it holds."""
    for construct in pipeline.node.find_all():
        if isinstance(construct, iam.Policy):
            _acknowledge(construct, construct.document.to_json())


def _acknowledge(policy: iam.Policy, document: Any) -> None:
    resolved = cdk.Stack.of(policy).resolve(document)
    wildcards: set[str] = set()
    for statement in resolved.get("Statement", []):
        actions = _as_list(statement.get("Action"))
        wildcards.update(f"Action::{action}" for action in actions if "*" in action)
        for resource in _as_list(statement.get("Resource")):
            text = _flatten(resource, {})  # already resolved, and no cross-stack references
            if text == "*" and not set(actions) <= _LOOKUP_ACTIONS:
                continue  # a '*' resource for anything else stays a finding
            if "*" in text:
                wildcards.add(f"Resource::{text}")
    for wildcard in sorted(wildcards):
        reason = next((r for p, r in _KNOWN if re.fullmatch(p, wildcard)), None)
        if reason is not None:
            cdk.Validations.of(policy).acknowledge(
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[{wildcard}]", reason=reason)
            )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
