"""The cdk-nag rule packs each stage is checked against."""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from stacks.config import StageConfig


def add_compliance_checks(stage: cdk.Stage, config: StageConfig) -> None:
    """Run the AwsSolutions pack on every stack of ``stage`` during synthesis.

    An unacknowledged finding fails synthesis and is listed in the cloud assembly's
    ``validation-report.json``.
    """
    del config  # every stage gets the same pack for now; prod adds HIPAA and PCI later
    cdk.Validations.of(stage).add_plugins(AwsSolutionsChecks(stage))
