"""The order API's idempotency table, and in multi-region stages the sweep it then needs.

A single-region stage keeps Powertools' records in a table with TTL. With a secondary
region the records live in a multi-Region strongly consistent (MRSC) global table, with
the stage's witness region as the third vote: a retry that lands in the other region,
however soon, finds the first attempt's record (in progress or completed), so an order is
placed once whichever region serves each attempt. DynamoDB's eventually consistent global
tables cannot promise that (each region's conditional write sees its own replica only).
MRSC tables have no TTL, so ``Sweeper`` deletes expired records every hour.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import ScheduledJob, ServerlessFunction
from stacks.config import StageConfig
from stacks.lambda_code import handler_function
from stacks.tables import global_table, stage_table

#: Powertools' record key and expiry attributes (``DynamoDBPersistenceLayer`` defaults).
KEY_ATTRIBUTE = "id"
EXPIRY_ATTRIBUTE = "expiration"
#: How often the sweep runs where there is no TTL.
SWEEP_SCHEDULE = "rate(1 hour)"


class IdempotencySweeper(Construct):
    """``Function`` run by ``Job`` every hour: deletes the records of ``table`` whose
    ``expiration`` has passed (each delete conditional on it still having passed).

    :param table: the strongly consistent idempotency table.
    :param alarm_topic: where the function's and the job's alarms go. Default: none.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        table: dynamodb.ITable,
        alarm_topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = ServerlessFunction(
            self,
            "Function",
            **handler_function("idempotency_sweeper"),
            description="Deletes expired order idempotency records (no TTL on MRSC tables)",
            timeout=cdk.Duration.minutes(5),
            environment={"IDEMPOTENCY_TABLE": table.table_name},
            retry_attempts=0,
            alarm_topic=alarm_topic,
        )
        table.grant(self.function.role, "dynamodb:Scan", "dynamodb:DeleteItem")
        self.job = ScheduledJob(
            self,
            "Job",
            function=self.function,
            schedule=SWEEP_SCHEDULE,
            description="Hourly sweep of expired order idempotency records",
            # A sweep is idempotent and the next hour's run repeats it anyway.
            retry_attempts=0,
            enabled=config.triggers_enabled,
            alarm_topic=alarm_topic,
            removal_policy=config.cdk_removal_policy,
        )


def idempotency_table(
    scope: Construct, config: StageConfig, *, alarm_topic: sns.ITopic | None = None
) -> tuple[dynamodb.TableV2 | dynamodb.Table, IdempotencySweeper | None]:
    """``IdempotencyTable`` (TTL on ``expiration``) for a single-region stage; with a
    secondary region, ``IdempotencyStrongTable`` (MRSC, replica there, the stage's witness)
    and the ``IdempotencySweeper`` that deletes its expired records, which TTL cannot."""
    if config.secondary_region is None:
        table = stage_table(
            scope,
            "IdempotencyTable",
            config=config,
            partition_key=KEY_ATTRIBUTE,
            time_to_live_attribute=EXPIRY_ATTRIBUTE,
        )
        return table, None
    strong = global_table(
        scope,
        "IdempotencyStrongTable",
        config=config,
        partition_key=KEY_ATTRIBUTE,
        strongly_consistent=True,
    )
    sweeper = IdempotencySweeper(
        scope, "IdempotencySweeper", config=config, table=strong, alarm_topic=alarm_topic
    )
    return strong, sweeper
