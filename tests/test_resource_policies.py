"""What the resource policies of every synthesized stage let a request do."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.policies import ALLOW, DENY, Request, evaluate, resources_of
from tools.assembly import StackArtifact

#: The actions an SNS topic policy can name, from the SNS developer guide ("Valid Amazon SNS
#: policy actions"); written out here, not imported, so a pattern that forgets one fails.
SNS_TOPIC_ACTIONS = (
    "sns:AddPermission",
    "sns:DeleteTopic",
    "sns:GetDataProtectionPolicy",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTagsForResource",
    "sns:Publish",
    "sns:PutDataProtectionPolicy",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
)
#: Callers a topic might face: a service that is allowed to publish, and the account itself.
CALLERS = (("Service", "cloudwatch.amazonaws.com"), ("AWS", {"Ref": "AWS::AccountId"}))


def _topic_policies(stack_artifacts: dict[str, StackArtifact]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, stack in sorted(stack_artifacts.items()):
        for logical_id, policy in resources_of(stack.template(), "AWS::SNS::TopicPolicy").items():
            found.append((f"{name}/{logical_id}", policy["Properties"]))
    return found


def test_every_stage_has_topic_policies(stack_artifacts: dict[str, StackArtifact]) -> None:
    stages = {where.split("/")[0] for where, _ in _topic_policies(stack_artifacts)}
    assert stages == {"Dev", "Staging", "Prod"}


@pytest.mark.parametrize("action", SNS_TOPIC_ACTIONS)
def test_topics_deny_every_action_without_tls(
    stack_artifacts: dict[str, StackArtifact], action: str
) -> None:
    for where, policy in _topic_policies(stack_artifacts):
        statements = policy["PolicyDocument"]["Statement"]
        for topic in policy["Topics"]:
            for caller in CALLERS:
                request = Request(
                    action=action,
                    resource=topic,
                    principal=caller,
                    context={"aws:SecureTransport": "false"},
                )
                assert evaluate(statements, request) == DENY, f"{where}: {action} by {caller}"


def test_topics_still_let_alarms_publish_over_tls(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    for where, policy in _topic_policies(stack_artifacts):
        for topic in policy["Topics"]:
            request = Request(
                action="sns:Publish",
                resource=topic,
                principal=CALLERS[0],
                context={"aws:SecureTransport": "true"},
            )
            assert evaluate(policy["PolicyDocument"]["Statement"], request) == ALLOW, where
