#!/usr/bin/env python3
"""A CDK app outside this repository that uses the installed ``patterns`` wheel.

Every public pattern appears twice: in ``ConsumerDefaults`` with its defaults (it creates
what it needs) and in ``ConsumerExisting`` with existing resources passed in (imported by
name or ARN, see ``consumer/existing.py``). The test suite builds the wheel, installs it
into a fresh virtual environment and runs this file there.

    cdk synth --app "python consumer_app.py"     # or: CDK_OUTDIR=cdk.out python consumer_app.py
"""

from __future__ import annotations

import aws_cdk as cdk

# Run from this folder, which is first on sys.path (the repository's mypy gets
# ``examples`` on its search path for the same reason).
from consumer import (
    data,
    existing,
    foundation,
    integration,
    operations,
    streaming,
    web,
)

ENV = cdk.Environment(account=existing.ACCOUNT, region=existing.REGION)


class WithDefaults(cdk.Stack):
    """Each pattern with no arguments beyond what it cannot guess."""

    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id, env=ENV)
        base = foundation.with_defaults(self)
        web.with_defaults(self, base.ops.topic)
        streaming.with_defaults(self, base.ops.topic)
        operations.with_defaults(self, base.worker, base.alarm)
        data.with_defaults(self, base.ops.topic)
        integration.with_defaults(self, base.ops.topic)


class WithExistingResources(cdk.Stack):
    """Each pattern given resources that already exist elsewhere."""

    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id, env=ENV)
        resources = existing.ExistingResources.import_into(self)
        alarm = foundation.with_existing(self, resources)
        web.with_existing(self, resources)
        streaming.with_existing(self, resources)
        operations.with_existing(self, resources, alarm)
        data.with_existing(self, resources)
        integration.with_existing(self, resources)


def main() -> None:
    app = cdk.App()
    WithDefaults(app, "ConsumerDefaults")
    WithExistingResources(app, "ConsumerExisting")
    app.synth()


if __name__ == "__main__":
    main()
