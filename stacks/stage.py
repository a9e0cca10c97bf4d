"""``ShopStage``: one deployment stage of the reference app."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from stacks.compliance import add_compliance_checks
from stacks.config import StageConfig
from stacks.data_lake import DataLakeStack
from stacks.function_settings import function_defaults
from stacks.operations import OperationsStack
from stacks.streaming import StreamingStack
from stacks.table_backups import BACKUP_TAG
from stacks.web import WebStack
from stacks.web_secondary import WebSecondaryStack


class ShopStage(cdk.Stage):
    """The shop's stacks for one stage, configured only by ``config``."""

    def __init__(self, scope: Construct, *, config: StageConfig) -> None:
        super().__init__(scope, config.stage_id, env=config.environment)
        self.config = config
        function_defaults(config).apply_to(self)
        add_compliance_checks(self, config)
        cdk.Tags.of(self).add("project", "serverless-patterns")
        cdk.Tags.of(self).add("stage", config.name)
        if config.table_backups:
            cdk.Tags.of(self).add(
                *BACKUP_TAG,
                include_resource_types=["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"],
            )
        self.operations = OperationsStack(self, "Operations", config=config)
        topic = self.operations.notifications.topic
        self.data_lake = DataLakeStack(self, "DataLake", config=config, alarm_topic=topic)
        self.streaming = StreamingStack(
            self,
            "Streaming",
            config=config,
            alarm_topic=topic,
            archive_bucket=self.data_lake.raw_bucket,
        )
        self.web = WebStack(self, "Web", config=config, alarm_topic=topic)
        #: The API in the secondary region, when the stage names one.
        self.web_secondary: WebSecondaryStack | None = None
        if config.secondary_region is not None:
            self.web_secondary = WebSecondaryStack(
                self, "WebSecondary", config=config, primary=self.web
            )
