"""A WAF web ACL with AWS managed rule groups, for an API stage or a CloudFront distribution."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from patterns._validation import check_choice, check_range
from patterns.function_defaults import FunctionDefaults

#: AWS managed rule groups the web ACL applies by default, in priority order.
DEFAULT_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric_name,
        sampled_requests_enabled=True,
    )


#: WAF scopes: ``REGIONAL`` (API Gateway, ALB...) or ``CLOUDFRONT`` (only in us-east-1).
WAF_SCOPES = frozenset({"REGIONAL", "CLOUDFRONT"})


def managed_web_acl(
    scope: Construct,
    construct_id: str,
    *,
    waf_scope: str = "REGIONAL",
    managed_rule_groups: Sequence[str] = DEFAULT_MANAGED_RULE_GROUPS,
    rate_limit: int | None = 2000,
    log_removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
) -> wafv2.CfnWebACL:
    """A web ACL that allows by default and blocks what the managed groups and the rate
    rule match.

    :param waf_scope: ``REGIONAL`` or ``CLOUDFRONT``.
    :param managed_rule_groups: names of AWS managed rule groups (vendor ``AWS``).
    :param rate_limit: requests per 5 minutes from one IP before it is blocked, 10..2e9;
        ``None`` for no rate rule.
    :param log_removal_policy: of the ACL's log group.

    Requests the ACL blocks or counts are logged to ``<construct_id>Logs``, a log group
    whose name starts with ``aws-waf-logs-`` as WAF requires (allowed requests are
    already in the API's or distribution's access logs), with the retention of the
    scope's ``FunctionDefaults``.
    """
    if isinstance(managed_rule_groups, str):
        raise TypeError("managed_rule_groups must be a sequence of rule group names")
    check_choice("waf_scope", waf_scope, WAF_SCOPES)
    check_range("waf rate_limit", rate_limit, 10, 2_000_000_000, "requests per 5 minutes")
    rules = [
        wafv2.CfnWebACL.RuleProperty(
            name=group,
            priority=priority,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=group
                )
            ),
            visibility_config=_visibility(group),
        )
        for priority, group in enumerate(managed_rule_groups, start=1)
    ]
    if rate_limit is not None:
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name="RateLimitPerIp",
                priority=len(rules) + 1,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        aggregate_key_type="IP", limit=rate_limit
                    )
                ),
                visibility_config=_visibility("RateLimitPerIp"),
            )
        )
    acl = wafv2.CfnWebACL(
        scope,
        construct_id,
        scope=waf_scope,
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        rules=rules,
        visibility_config=_visibility(cdk.Names.unique_id(scope)[-128:]),
    )
    _log_matches(scope, construct_id, acl, log_removal_policy)
    return acl


def _log_matches(
    scope: Construct, construct_id: str, acl: wafv2.CfnWebACL, removal_policy: cdk.RemovalPolicy
) -> None:
    name = f"aws-waf-logs-{cdk.Names.unique_id(scope)}{construct_id}"[:512]
    log_group = logs.LogGroup(
        scope,
        f"{construct_id}Logs",
        log_group_name=name,
        retention=FunctionDefaults.of(scope).log_retention,
        removal_policy=removal_policy,
    )
    # WAF wants the log group's ARN without the ":*" suffix that LogGroup.log_group_arn has.
    arn = cdk.Stack.of(scope).format_arn(
        service="logs",
        resource="log-group",
        resource_name=log_group.log_group_name,
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    wafv2.CfnLoggingConfiguration(
        scope,
        f"{construct_id}Logging",
        resource_arn=acl.attr_arn,
        log_destination_configs=[arn],
        logging_filter={
            "DefaultBehavior": "DROP",
            "Filters": [
                {
                    "Behavior": "KEEP",
                    "Requirement": "MEETS_ANY",
                    "Conditions": [
                        {"ActionCondition": {"Action": "BLOCK"}},
                        {"ActionCondition": {"Action": "COUNT"}},
                    ],
                }
            ],
        },
    )
