"""What cdk-nag finds on the roles CDK Pipelines generates, and why each is acknowledged.

CDK Pipelines writes the pipeline's, the source action's and every CodeBuild project's
IAM policies itself. Their wildcards are the CDK grants on the pipeline's own artifact
bucket and key, CodeBuild's per-project log groups and report groups, and what ``cdk
deploy`` needs to find CDK's bootstrap resources. Each policy acknowledges exactly the
wildcards it holds (``AwsSolutions-IAM5[...]``, one at a time), matched against the
known kinds below; a wildcard of any other kind stays a finding. The HIPAA Security and
PCI DSS packs (prod's) get the same treatment for what cannot apply to a pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import pipelines
from constructs import IConstruct

from patterns.acknowledgements import acknowledge_packs, render_resolved

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


#: What the pipeline role may do with the replication keys of other regions.
_KEY_ACTIONS = frozenset(
    {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}
)
_REPLICATION_KEYS = (
    "CDK names each cross-region replication key by its alias (the key lives in a support "
    "stack in another region), so this encrypt-decrypt grant cannot name a key ARN."
)
_REPLICATION_OBJECTS = (
    "CDK's grant on the pipeline's replication bucket in another region, whose artifact "
    "object keys change with every execution."
)


def acknowledge_pipeline_wildcards(pipeline: pipelines.CodePipeline) -> None:
    """Acknowledge, on each IAM policy under ``pipeline``, the known wildcards it holds.

    With stages in other regions, CDK adds a support stack per region (a KMS key and a
    replication bucket): the pipeline role's grants on those are acknowledged too, and
    on the replication buckets what cannot apply to them.
    """
    stack = cdk.Stack.of(pipeline)
    supports = pipeline.pipeline.cross_region_support.values()
    replication = {
        f"Resource::{stack.resolve(s.replication_bucket.arn_for_objects('*'))}": (
            _REPLICATION_OBJECTS
        )
        for s in supports
    }
    for construct in pipeline.node.find_all():
        if isinstance(construct, iam.Policy):
            _acknowledge(construct, construct.document.to_json(), replication)
    no_logs = (
        "CDK's cross-region replication bucket of transient pipeline artifacts; CDK offers "
        "no access-log setting for it."
    )
    for support in supports:
        bucket = support.replication_bucket
        cdk.Validations.of(bucket).acknowledge(
            cdk.Acknowledgment(id="AwsSolutions-S1", reason=no_logs)
        )
        acknowledge_packs(bucket, "S3BucketLoggingEnabled", no_logs)
        acknowledge_packs(
            bucket,
            "S3BucketReplicationEnabled",
            "This bucket is itself CodePipeline's cross-region copy of transient "
            "artifacts, rebuilt from the repository on every run.",
        )


def acknowledge_regulated_rules(
    pipeline: IConstruct, *, artifact_bucket: s3.IBucket, access_logs: s3.IBucket
) -> None:
    """Acknowledge what the HIPAA Security and PCI DSS packs find that cannot apply here."""
    acknowledge_packs(
        artifact_bucket,
        "S3BucketReplicationEnabled",
        "Pipeline artifacts are rebuilt from the repository on every run; a replica of "
        "these transient build outputs would protect nothing.",
    )
    acknowledge_packs(
        access_logs,
        "S3BucketReplicationEnabled",
        "Access logs of the transient artifact bucket; the pipeline's history lives in "
        "CodePipeline and CloudTrail, not in a replica.",
    )
    acknowledge_packs(
        access_logs,
        "S3DefaultEncryptionKMS",
        "S3 server access log delivery only writes to buckets encrypted with S3-managed "
        "keys (SSE-S3), not SSE-KMS.",
    )
    for construct in pipeline.node.find_all():
        if isinstance(construct, codebuild.CfnProject):
            source = cdk.Stack.of(construct).resolve(construct.source)
            if source.get("type") == "CODEPIPELINE":
                acknowledge_packs(
                    construct,
                    "CodeBuildProjectSourceRepoUrl",
                    "The project's source is the pipeline artifact (type CODEPIPELINE), "
                    "fetched through the CodeConnections connection: no repository URL "
                    "or credentials at all.",
                )


def _acknowledge(policy: iam.Policy, document: Any, extra: Mapping[str, str]) -> None:
    resolved = cdk.Stack.of(policy).resolve(document)
    wildcards: dict[str, str | None] = {}
    for statement in resolved.get("Statement", []):
        actions = set(_as_list(statement.get("Action")))
        wildcards.update({f"Action::{a}": None for a in actions if "*" in a})
        for resource in _as_list(statement.get("Resource")):
            text = render_resolved(resource)  # already resolved, and no cross-stack references
            if text == "*" and extra and actions <= _KEY_ACTIONS:
                wildcards["Resource::*"] = _REPLICATION_KEYS
            elif text == "*" and not actions <= _LOOKUP_ACTIONS:
                continue  # a '*' resource for anything else stays a finding
            elif "*" in text:
                wildcards[f"Resource::{text}"] = extra.get(f"Resource::{text}")
    for wildcard, known in sorted(wildcards.items()):
        reason = known or next((r for p, r in _KNOWN if re.fullmatch(p, wildcard)), None)
        if reason is not None:
            cdk.Validations.of(policy).acknowledge(
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[{wildcard}]", reason=reason)
            )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
