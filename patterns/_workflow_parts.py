"""Pieces of ``EventWorkflow``: the definition's body, the execution log and tracing with
their permissions, and the notification of failed executions."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

#: Execution statuses that notify the operations topic.
FAILED_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
#: What Step Functions needs to deliver execution logs and traces (no resource ARNs).
OBSERVABILITY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)


def definition_body(definition: Any) -> sfn.DefinitionBody:
    """``definition`` as a ``DefinitionBody``; ``TypeError`` for anything else."""
    if isinstance(definition, sfn.DefinitionBody):
        return definition
    if hasattr(definition, "start_state") and hasattr(definition, "end_states"):
        return sfn.DefinitionBody.from_chainable(definition)
    raise TypeError(
        "definition must be an aws_stepfunctions.IChainable or DefinitionBody, "
        f"got {type(definition).__name__}"
    )


def observe(
    scope: Construct,
    machine: sfn.StateMachine,
    cfn: sfn.CfnStateMachine,
    *,
    log_group: logs.ILogGroup,
    level: sfn.LogLevel,
    include_execution_data: bool,
) -> None:
    """Tracing and the execution log, with their permissions in ``ObservabilityPolicy``
    of their own: they take no resource ARN, so its ``*`` is acknowledged alone and a
    wildcard the definition's tasks add to the role stays the user's to judge."""
    cfn.tracing_configuration = sfn.CfnStateMachine.TracingConfigurationProperty(enabled=True)
    cfn.logging_configuration = sfn.CfnStateMachine.LoggingConfigurationProperty(
        destinations=[
            sfn.CfnStateMachine.LogDestinationProperty(
                cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                    log_group_arn=log_group.log_group_arn
                )
            )
        ],
        include_execution_data=include_execution_data,
        level=level.value,
    )
    policy = iam.Policy(
        scope,
        "ObservabilityPolicy",
        roles=[machine.role],
        statements=[iam.PolicyStatement(actions=list(OBSERVABILITY_ACTIONS), resources=["*"])],
    )
    # Step Functions checks log delivery when it creates the state machine (the machine
    # only: its role is a child of the L2 and the policy names the role).
    cfn.node.add_dependency(policy)
    cdk.Validations.of(policy).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="Step Functions' log delivery and X-Ray actions support no "
            "resource-level permissions; this policy holds only those.",
        )
    )
    if level != sfn.LogLevel.ALL:
        cdk.Validations.of(machine).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-SF1",
                reason=f"The caller chose log level {level.value} for this workflow's "
                "execution log instead of ALL.",
            )
        )


def failure_rule(scope: Construct, machine: sfn.IStateMachine, topic: sns.ITopic) -> events.Rule:
    """``FailureRule``: every failed, timed-out or aborted execution to ``topic`` (Step
    Functions sends these status changes for standard workflows only)."""
    return events.Rule(
        scope,
        "FailureRule",
        event_pattern=events.EventPattern(
            source=["aws.states"],
            detail_type=["Step Functions Execution Status Change"],
            detail={
                "status": list(FAILED_STATUSES),
                "stateMachineArn": [machine.state_machine_arn],
            },
        ),
        targets=[
            targets.SnsTopic(
                topic,
                message=events.RuleTargetInput.from_text(
                    f"Execution {events.EventField.from_path('$.detail.name')} of "
                    f"{events.EventField.from_path('$.detail.stateMachineArn')} ended "
                    f"{events.EventField.from_path('$.detail.status')}: "
                    f"{events.EventField.from_path('$.detail.error')}"
                ),
            )
        ],
    )
