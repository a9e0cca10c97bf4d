"""``PipelineStack``: CDK Pipelines delivering the shop's stages from its repository."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import pipelines
from constructs import Construct

from patterns.secure_bucket import SecureBucket, access_logs_bucket
from stacks.compliance import PACKS, add_stack_checks
from stacks.pipeline_config import PipelineConfig
from stacks.pipeline_nag import acknowledge_pipeline_wildcards, acknowledge_regulated_rules
from stacks.stage import ShopStage

#: CodeBuild's standard Ubuntu image with the runtimes the Makefile needs.
BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0
RUNTIME_VERSIONS = {"python": "3.11", "nodejs": "22"}
#: The README's commands: ``make setup`` (venv, node_modules, Lambda layers), then the
#: whole test suite with lint and type checks.
SETUP_COMMAND = "make setup"
TEST_COMMAND = "make test"


def synth_commands(context: Mapping[str, Any]) -> list[str]:
    """The synth step: the test suite, then ``make synth``'s steps with ``context`` again.

    ``make synth`` itself cannot take ``-c``, so its two steps are spelled out: ``cdk
    synth`` (which fails on any unacknowledged cdk-nag finding) and the summary (which
    fails on any cfn-lint finding).
    """
    arguments = " ".join(
        f"-c {shlex.quote(f'{key}={_context_text(value)}')}"
        for key, value in sorted(context.items())
    )
    return [
        TEST_COMMAND,
        "rm -rf cdk.out",
        f"node_modules/.bin/cdk synth --quiet {arguments}".rstrip(),
        ".venv/bin/python -m tools.synth_summary cdk.out",
    ]


def _context_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


class PipelineStack(cdk.Stack):
    """The delivery pipeline: source, synth (tests first), self-mutation, then the stages.

    Each push to the configured branch runs ``make test`` and synthesizes the app with the
    same ``context``, updates the pipeline itself, then deploys the stages in order; a
    stage named in ``config.approval_before`` waits for a manual approval first.

    The stages are the app's own ``ShopStage`` s, built beside this stack rather than
    inside it: CDK runs the validation plugins (cdk-nag packs) of the app's stages and of
    stages nested in stages only, never of a stage nested in a stack, so a stage inside
    the pipeline stack would go unchecked. Their stacks keep the names they have without
    the pipeline (``Dev-Operations``, ...). Artifacts are encrypted with a rotated KMS
    key in a bucket with access logs; stages in other regions get CDK's per-region
    support stacks (a rotated key and a replication bucket each).

    :param config: the pipeline's source and environment.
    :param stages: the stages to deploy, in order.
    :param context: the CDK context the synth step passes again with ``-c`` (the
        ``pipeline`` context at least).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PipelineConfig,
        stages: Sequence[ShopStage],
        context: Mapping[str, Any],
    ) -> None:
        super().__init__(scope, construct_id, env=config.environment)
        config.check_stages([stage.config.name for stage in stages])
        self.artifact_key = kms.Key(
            self,
            "ArtifactKey",
            description="Encrypts the delivery pipeline's artifacts and build outputs",
            enable_key_rotation=True,
        )
        self.access_logs = access_logs_bucket(self, "AccessLogs").bucket
        self.artifact_bucket = SecureBucket(
            self,
            "Artifacts",
            encryption_key=self.artifact_key,
            server_access_logs_bucket=self.access_logs,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireArtifacts",
                    expiration=cdk.Duration.days(90),
                    noncurrent_version_expiration=cdk.Duration.days(7),
                )
            ],
        ).bucket
        source = pipelines.CodePipelineSource.connection(
            config.repository, config.branch, connection_arn=config.connection_arn
        )
        self.pipeline = pipelines.CodePipeline(
            self,
            "Resource",
            synth=pipelines.CodeBuildStep(
                "Synth",
                input=source,
                install_commands=[SETUP_COMMAND],
                commands=synth_commands(context),
                primary_output_directory="cdk.out",
                build_environment=codebuild.BuildEnvironment(
                    compute_type=codebuild.ComputeType.MEDIUM
                ),
            ),
            artifact_bucket=self.artifact_bucket,
            # Only CDK's replication buckets in other regions use this: encrypted too.
            cross_account_keys=True,
            enable_key_rotation=True,
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(
                    build_image=BUILD_IMAGE, privileged=False
                ),
                partial_build_spec=codebuild.BuildSpec.from_object(
                    {"phases": {"install": {"runtime-versions": RUNTIME_VERSIONS}}}
                ),
                timeout=cdk.Duration.hours(1),
            ),
        )
        for stage in stages:
            pre: list[pipelines.Step] = []
            if stage.config.name in config.approval_before:
                pre.append(
                    pipelines.ManualApprovalStep(
                        f"Approve{stage.stage_name}",
                        comment=f"Deploy the change to {stage.stage_name}?",
                    )
                )
            self.pipeline.add_stage(stage, pre=pre)
        self.pipeline.build_pipeline()
        for support in self.pipeline.pipeline.cross_region_support.values():
            # CDK's replication buckets have no versioning option; HIPAA and PCI want it.
            cfn_bucket = support.replication_bucket.node.default_child
            assert isinstance(cfn_bucket, s3.CfnBucket)
            cfn_bucket.versioning_configuration = s3.CfnBucket.VersioningConfigurationProperty(
                status="Enabled"
            )
            # Versioning keeps every overwritten artifact; old ones are of no use after a month.
            assert isinstance(support.replication_bucket, s3.Bucket)
            support.replication_bucket.add_lifecycle_rule(
                id="ExpireNoncurrentVersions",
                noncurrent_version_expiration=cdk.Duration.days(30),
            )
        # The strictest stage's packs (prod's), on this stack and CDK's support stacks.
        packs = [name for name in PACKS if any(name in s.config.compliance_packs for s in stages)]
        for stack in (
            self,
            *(s.stack for s in self.pipeline.pipeline.cross_region_support.values()),
        ):
            add_stack_checks(stack, packs)
        acknowledge_pipeline_wildcards(self.pipeline)
        acknowledge_regulated_rules(
            self, artifact_bucket=self.artifact_bucket, access_logs=self.access_logs
        )
        # CDK makes the pipeline depend on its role, which the RoleArn GetAtt already
        # implies; cfn-lint reports that redundancy (W3005) and nothing else is hidden.
        cfn_pipeline = self.pipeline.pipeline.node.default_child
        assert isinstance(cfn_pipeline, cdk.CfnResource)
        cfn_pipeline.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
