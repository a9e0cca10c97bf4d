"""``ShopStage``: one deployment stage of the reference app."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from stacks.compliance import add_compliance_checks
from stacks.config import StageConfig
from stacks.data_lake import DataLakeStack
from stacks.foundation import FoundationStack
from stacks.function_settings import function_defaults
from stacks.network import NetworkStack
from stacks.operations import OperationsStack
from stacks.replication import ReplicaStack, replicate
from stacks.streaming import StreamingStack
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
        #: Each region's account-level prerequisites, which every other stack there needs.
        secondary = (
            FoundationStack(
                self, "SecondaryFoundation", config=config, env=config.secondary_environment
            )
            if config.secondary_region
            else None
        )
        self.foundation = FoundationStack(self, "Foundation", config=config, secondary=secondary)
        self.foundations = [self.foundation, *([secondary] if secondary else [])]
        #: Replicas in the secondary region, when the stage names one.
        self.replicas = (
            ReplicaStack(self, "Replicas", config=config) if config.secondary_region else None
        )
        #: The functions' private network, when the stage asks for one.
        self.network = (
            NetworkStack(self, "Network", config=config) if config.private_network else None
        )
        network = self.network.network if self.network else None
        self.operations = OperationsStack(self, "Operations", config=config, network=network)
        topic = self.operations.notifications.topic
        self.data_lake = DataLakeStack(
            self, "DataLake", config=config, alarm_topic=topic, network=network
        )
        self.streaming = StreamingStack(
            self,
            "Streaming",
            config=config,
            alarm_topic=topic,
            archive_bucket=self.data_lake.raw_bucket,
            network=network,
        )
        self.web = WebStack(
            self,
            "Web",
            config=config,
            alarm_topic=topic,
            network=network,
            partner_key=self.foundation.partner_key,
            usage_events=self.streaming.processor,
            live=self.streaming.live_access,
            counts=self.streaming.counts,
        )
        for bucket, name in (
            (self.operations.images.bucket, "Images"),
            (self.data_lake.raw_bucket, "Raw"),
            (self.web.storefront.bucket, "Site"),
        ):
            replicate(bucket, name=name, replicas=self.replicas)
            if self.replicas is not None:
                # The replicas must exist before S3 accepts a rule naming them.
                cdk.Stack.of(bucket).add_stack_dependency(self.replicas)
        backups = self.operations.table_backups
        if backups is not None:
            for stack in (self.operations, self.data_lake, self.streaming, self.web):
                backups.select_tables(stack)
        #: The API in the secondary region, when the stage names one.
        self.web_secondary: WebSecondaryStack | None = None
        if config.secondary_region is not None:
            self.web_secondary = WebSecondaryStack(
                self, "WebSecondary", config=config, primary=self.web
            )
        self._deploy_foundations_first()

    def _deploy_foundations_first(self) -> None:
        """Every other stack deploys after the foundation of its region."""
        foundations = {foundation.region: foundation for foundation in self.foundations}
        for stack in self.node.children:
            if isinstance(stack, cdk.Stack) and not isinstance(stack, FoundationStack):
                foundations[stack.region].required_by(stack)
