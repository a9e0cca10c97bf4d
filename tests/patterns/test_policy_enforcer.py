"""PolicyEnforcer: CloudTrail API-call rules to a remediation function and an audit topic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from patterns import ApiCallMatch, PolicyEnforcer, ServerlessFunction
from tests.support.templates import all_of

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:remediate"
OPEN_INGRESS = ApiCallMatch(
    name="OpenIngress",
    event_source="ec2.amazonaws.com",
    event_names=["AuthorizeSecurityGroupIngress"],
    request_parameters={
        "ipPermissions": {"items": {"ipRanges": {"items": {"cidrIp": ["0.0.0.0/0"]}}}}
    },
)
PUBLIC_BUCKET = ApiCallMatch(
    name="PublicBucket",
    event_source="s3.amazonaws.com",
    event_names=("PutBucketPolicy", "DeleteBucketPublicAccessBlock"),
)


def imported(stack: cdk.Stack) -> lambda_.IFunction:
    return lambda_.Function.from_function_arn(stack, "Remediate", ARN)


def test_one_rule_per_match_with_function_and_audit_targets(stack: cdk.Stack) -> None:
    enforcer = PolicyEnforcer(
        stack, "Guard", function=imported(stack), api_calls=[OPEN_INGRESS, PUBLIC_BUCKET]
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SNS::Topic", 1)
    rules = all_of(template, "AWS::Events::Rule")
    assert len(rules) == 2
    first = rules[stack.get_logical_id(enforcer.rules[0].node.default_child)]["Properties"]  # type: ignore[arg-type]
    assert first["State"] == "ENABLED"
    assert first["EventPattern"] == {
        "source": ["aws.ec2"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["ec2.amazonaws.com"],
            "eventName": ["AuthorizeSecurityGroupIngress"],
            "requestParameters": {
                "ipPermissions": {"items": {"ipRanges": {"items": {"cidrIp": ["0.0.0.0/0"]}}}}
            },
        },
    }
    function_target, audit_target = first["Targets"]
    assert function_target["Arn"] == ARN
    assert function_target["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": 3600,
        "MaximumRetryAttempts": 2,
    }
    assert "OpenIngress" in audit_target["InputTransformer"]["InputTemplate"]
    assert audit_target["InputTransformer"]["InputPathsMap"]["detail-eventName"] == (
        "$.detail.eventName"
    )
    second = rules[stack.get_logical_id(enforcer.rules[1].node.default_child)]["Properties"]  # type: ignore[arg-type]
    assert second["EventPattern"]["source"] == ["aws.s3"]
    assert "requestParameters" not in second["EventPattern"]["detail"]
    assert second["EventPattern"]["detail"]["eventName"] == [
        "PutBucketPolicy",
        "DeleteBucketPublicAccessBlock",
    ]
    # The enforcer grants the function nothing: only EventBridge's invoke permission exists.
    template.resource_count_is("AWS::IAM::Policy", 0)
    assert len(all_of(template, "AWS::Lambda::Permission")) == 2


def test_alias_given_topic_disabled_and_retries(stack: cdk.Stack, code_dir: Path) -> None:
    function = ServerlessFunction(stack, "Fn", code_path=code_dir)
    topic = sns.Topic(stack, "Audit")
    enforcer = PolicyEnforcer(
        stack,
        "Guard",
        function=function,
        api_calls=[PUBLIC_BUCKET],
        topic=topic,
        enabled=False,
        retry_attempts=0,
        max_event_age=cdk.Duration.minutes(2),
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SNS::Topic", 1)
    rule = next(iter(all_of(template, "AWS::Events::Rule").values()))["Properties"]
    assert rule["State"] == "DISABLED"
    assert rule["Targets"][0]["Arn"] == {
        "Ref": stack.get_logical_id(function.alias.node.default_child)  # type: ignore[arg-type]
    }
    assert rule["Targets"][0]["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": 120,
        "MaximumRetryAttempts": 0,
    }
    assert rule["Targets"][1]["Arn"] == {"Ref": stack.get_logical_id(topic.node.default_child)}  # type: ignore[arg-type]
    assert enforcer.function is function.alias
    assert enforcer.topic is topic


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"event_names": []}, ValueError, "must name at least one API action"),
        (
            {"event_names": "PutBucketPolicy"},
            TypeError,
            "event_names must be a sequence \\(not a single string\\)",
        ),
        ({"event_names": [""]}, ValueError, "contains ''"),
        ({"event_source": "ec2"}, ValueError, "event_source must be a CloudTrail"),
        ({"name": "open ingress"}, ValueError, "PascalCase"),
    ],
)
def test_bad_matches_are_rejected(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    fields: dict[str, Any] = {
        "name": "Rule",
        "event_source": "s3.amazonaws.com",
        "event_names": ["PutBucketAcl"],
        **kwargs,
    }
    with pytest.raises(error, match=message):
        ApiCallMatch(**fields)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"api_calls": []}, ValueError, "at least one ApiCallMatch"),
        (
            {"api_calls": ["PutBucketAcl"]},
            TypeError,
            r"api_calls\[0\] must be a patterns.ApiCallMatch",
        ),
        ({"api_calls": [PUBLIC_BUCKET, PUBLIC_BUCKET]}, ValueError, "repeated: PublicBucket"),
        ({"retry_attempts": 186}, ValueError, "retry_attempts must be between 0 and 185"),
        ({"max_event_age": cdk.Duration.days(2)}, ValueError, "max_event_age"),
    ],
)
def test_bad_input_is_rejected(
    stack: cdk.Stack, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {"api_calls": [OPEN_INGRESS], **kwargs}
    with pytest.raises(error, match=message):
        PolicyEnforcer(stack, "Guard", function=imported(stack), **arguments)
