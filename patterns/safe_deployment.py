"""A function's safe deployment: CodeDeploy shifting its alias to each new version, and
rolling back on errors of the alias or of the new version itself."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns._nag import acknowledge_wildcards
from patterns._validation import cfn_child
from patterns.alarms import create_alarm

#: What CodeDeploy tells the deployment topic about.
DEPLOYMENT_EVENTS = (
    "DeploymentStart",
    "DeploymentSuccess",
    "DeploymentFailure",
    "DeploymentStop",
    "DeploymentRollback",
)


def check_hook(name: str, hook: lambda_.IFunction | None) -> None:
    """A traffic hook must not be shifted by a deployment of its own: CodeDeploy would
    then run the old hook, or wait on the hook's own canary, while judging the function."""
    if hook is None:
        return
    owner = hook.node.scope
    if getattr(owner, "deployment_group", None) is not None:
        raise ValueError(
            f"{name} {hook.node.path} has a safe deployment of its own; build the hook "
            "with ServerlessFunction(..., safe_deployment=False)"
        )


def new_version_errors(function: lambda_.Function, alias: lambda_.Alias) -> cloudwatch.Metric:
    """Errors of the version being deployed, as invoked through ``alias`` (Lambda's
    ``ExecutedVersion`` dimension): during a canary the new version takes only a share of
    the traffic, so its errors would be diluted in the alias's, and the old version's
    errors would roll back a healthy new one."""
    return cloudwatch.Metric(
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimensions_map={
            "FunctionName": function.function_name,
            "Resource": f"{function.function_name}:{alias.alias_name}",
            "ExecutedVersion": function.current_version.version,
        },
        period=cdk.Duration.minutes(1),
        statistic="Sum",
    )


def add_safe_deployment(
    scope: Construct,
    *,
    function: lambda_.Function,
    alias: lambda_.Alias,
    config: codedeploy.ILambdaDeploymentConfig,
    pre_hook: lambda_.IFunction | None,
    post_hook: lambda_.IFunction | None,
    alarm_topic: sns.ITopic | None,
    notification_topic: sns.ITopic | None,
    role: iam.IRole | None,
) -> codedeploy.LambdaDeploymentGroup:
    """``Deployment`` of ``alias``, rolled back by ``NewVersionErrorsAlarm`` (errors of the
    version being deployed); ``notification_topic`` hears of every deployment's start
    and end.

    ``alias_alarm`` (errors of the alias, old and new versions together) keeps notifying
    but does not roll back: during a canary the old version serves 90 % of the calls, and
    its errors would roll back a healthy new version to the very version failing.
    """
    check_hook("pre_traffic_hook", pre_hook)
    check_hook("post_traffic_hook", post_hook)
    version_alarm = create_alarm(
        scope,
        "NewVersionErrorsAlarm",
        metric=new_version_errors(function, alias),
        threshold=1,
        description=f"{scope.node.path}: the version being deployed reported errors",
        topic=alarm_topic,
    )
    # CloudFormation moves the alarm to the new version before the alias update that
    # starts CodeDeploy's deployment.
    alias.node.add_dependency(version_alarm)
    group = codedeploy.LambdaDeploymentGroup(
        scope,
        "Deployment",
        alias=alias,
        deployment_config=config,
        alarms=[version_alarm],
        pre_hook=pre_hook,
        post_hook=post_hook,
        role=role,
        auto_rollback=codedeploy.AutoRollbackConfig(
            deployment_in_alarm=True, failed_deployment=True, stopped_deployment=True
        ),
    )
    if notification_topic is not None:
        _notify(group, notification_topic)
    if role is None:
        cdk.Validations.of(group).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSCodeDeployRoleForLambdaLimited]",
                reason="CodeDeploy's own limited Lambda service-role policy: it can only "
                "update aliases and invoke the hooks that are named for the deployment.",
            )
        )
    return group


def _notify(group: codedeploy.LambdaDeploymentGroup, topic: sns.ITopic) -> None:
    resource = cfn_child(group, codedeploy.CfnDeploymentGroup)
    resource.trigger_configurations = [
        codedeploy.CfnDeploymentGroup.TriggerConfigProperty(
            trigger_name="Deployments",
            trigger_target_arn=topic.topic_arn,
            trigger_events=list(DEPLOYMENT_EVENTS),
        )
    ]
    # CodeDeploy publishes with the deployment group's role (and its key, if encrypted).
    topic.grant_publish(group.role)


def add_hooks(
    group: codedeploy.LambdaDeploymentGroup | None,
    *,
    pre: lambda_.IFunction | None,
    post: lambda_.IFunction | None,
) -> None:
    """Run ``pre`` before and ``post`` after ``group`` shifts traffic."""
    if group is None:
        raise ValueError(
            "traffic hooks need a safe deployment (a deployment_config here or in "
            "FunctionDefaults, and safe_deployment=True)"
        )
    check_hook("pre", pre)
    check_hook("post", post)
    if pre is not None:
        group.add_pre_hook(pre)
    if post is not None:
        group.add_post_hook(post)
    policy = group.role.node.try_find_child("DefaultPolicy")
    hooks = {hook.function_arn for hook in (pre, post) if hook is not None}
    if policy is not None:
        # CDK lets CodeDeploy invoke each hook by name, in any version (``<arn>:*``).
        acknowledge_wildcards(
            policy,
            reason="CodeDeploy invokes the deployment's hook functions, in whichever "
            "version is current; the grant names these hooks only.",
            resources=[f"{arn}:*" for arn in sorted(hooks)],
        )
