"""cdk-nag as a regulated consumer runs it on a pattern test's stack: every pack a Prod
stage runs (AwsSolutions, HIPAA, PCI), after the aspects such a consumer adds
(``EncryptLogGroups``, ``ManagedPolicies``)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, PCIDSS321Checks

from patterns import EncryptLogGroups, ManagedPolicies
from tools.assembly import cfn_lint, stacks, validation_findings


def regulated_findings(app: cdk.App, stack: cdk.Stack, out: Path) -> list[str]:
    """Synthesize ``app`` (whose outdir is ``out``) with every pack on ``stack``; the
    stack's unacknowledged findings, as text."""
    cdk.Aspects.of(stack).add(EncryptLogGroups())
    cdk.Aspects.of(stack).add(ManagedPolicies())
    cdk.Validations.of(stack).add_plugins(
        AwsSolutionsChecks(stack), HIPAASecurityChecks(stack), PCIDSS321Checks(stack)
    )
    with contextlib.suppress(RuntimeError):  # a finding fails synthesis; the report keeps it
        app.synth()
    return [str(f) for f in validation_findings(out).get(stack.node.path, [])]


def lint_only_stack(out: Path) -> list[str]:
    """cfn-lint's findings on the one stack synthesized into ``out``."""
    (artifact,) = stacks(Path(out))
    return cfn_lint(artifact.template_path)
