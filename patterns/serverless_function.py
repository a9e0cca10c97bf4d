"""``ServerlessFunction``: one Lambda function with its log group, alias, alarm and deployment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns._aws_limits import check_environment, check_layer_count, check_length
from patterns._metadata import mark_pattern
from patterns._override_guards import FUNCTION_GUARDS
from patterns._overrides import merged
from patterns._types import checked
from patterns._validation import cfn_child, check_duration, check_range
from patterns.alarms import create_alarm
from patterns.function_defaults import FunctionDefaults
from patterns.safe_deployment import add_hooks, add_safe_deployment
from patterns.shared_code_layer import SharedCodeLayer

#: Name of the alias every ``ServerlessFunction`` publishes and every caller should invoke.
ALIAS_NAME = "live"


class ServerlessFunction(Construct):
    """A Lambda function built from a code folder with the scope's ``FunctionDefaults``.

    It creates, as children: ``ServiceRole`` (a role with no managed policies: only write
    access to its own log group and, when tracing, X-Ray), ``LogGroup`` (retention and
    removal policy from the defaults), ``Resource`` (the function: JSON logs, X-Ray, the
    pinned Powertools layer), ``Alias`` (``live``, on the current version, so every
    configuration change publishes a version), ``ErrorsAlarm`` on the alias and, when a
    deployment configuration is given, ``Deployment`` (a CodeDeploy deployment group that
    shifts traffic to each new version and rolls back on ``NewVersionErrorsAlarm``, the
    errors of the new version alone, as Lambda reports them for the alias by executed
    version).

    :param code_path: folder holding the handler code. Required unless ``code`` is given.
    :param code: a ready ``lambda_.Code`` instead of ``code_path``. Default: none.
    :param handler: ``module.function`` of the entry point. Default: ``"app.handler"``.
    :param defaults: the shared settings. Default: ``FunctionDefaults.of(scope)``.
    :param description: function description. Default: none.
    :param environment: environment added after the defaults' environment. Default: none.
    :param memory_size: MB, 128..10240. Default: from ``defaults``.
    :param timeout: 1 s..900 s. Default: from ``defaults``.
    :param reserved_concurrency: reserved concurrent executions (0 stops the function).
        Default: from ``defaults`` (unreserved unless they set it).
    :param layers: layers added after the Powertools layer and the layers of
        ``defaults.shared_code``. Default: none.
    :param on_failure: destination of failed asynchronous invocations of the alias.
        Default: none.
    :param retry_attempts: retries of failed asynchronous invocations, 0..2. Default: Lambda's (2).
    :param max_event_age: age after which asynchronous events are dropped, 60 s..6 h.
        Default: Lambda's (6 h).
    :param deployment_config: CodeDeploy traffic-shifting configuration.
        Default: ``defaults.deployment_config``; ``None`` there means no deployment group.
    :param safe_deployment: ``False`` gives the function no deployment group whatever the
        defaults say (for traffic hooks themselves, which must not be shifted by a canary
        of their own). Default: ``True``.
    :param pre_traffic_hook: function CodeDeploy runs before shifting traffic (built with
        ``safe_deployment=False``). Default: none.
    :param post_traffic_hook: function CodeDeploy runs after shifting traffic. Default: none.
    :param deployment_topic: SNS topic CodeDeploy tells of each deployment's start,
        success, failure, stop and rollback. Default: none.
    :param deployment_role: the role CodeDeploy deploys with. Default: a new role with
        AWS's ``AWSCodeDeployRoleForLambdaLimited`` policy.
    :param alarm_topic: SNS topic notified when the errors alarm changes state. Default: none.
    :param function_props: escape hatch: keyword arguments merged last into
        ``lambda_.Function``. A key that would weaken a secure default, or that an argument
        (or ``FunctionDefaults``) sets, is refused with a ``ValueError`` saying what to
        pass instead. Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        code_path: str | os.PathLike[str] | None = None,
        code: lambda_.Code | None = None,
        handler: str = "app.handler",
        defaults: FunctionDefaults | None = None,
        description: str | None = None,
        environment: Mapping[str, str] | None = None,
        memory_size: int | None = None,
        timeout: cdk.Duration | None = None,
        reserved_concurrency: int | None = None,
        layers: Sequence[lambda_.ILayerVersion] | None = None,
        on_failure: lambda_.IDestination | None = None,
        retry_attempts: int | None = None,
        max_event_age: cdk.Duration | None = None,
        deployment_config: codedeploy.ILambdaDeploymentConfig | None = None,
        safe_deployment: bool = True,
        pre_traffic_hook: lambda_.IFunction | None = None,
        post_traffic_hook: lambda_.IFunction | None = None,
        deployment_topic: sns.ITopic | None = None,
        deployment_role: iam.IRole | None = None,
        alarm_topic: sns.ITopic | None = None,
        function_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        asset = _resolve_code(code_path, code)
        if "." not in handler:
            raise ValueError(f"handler must look like 'module.function', got {handler!r}")
        check_range("memory_size", memory_size, 128, 10240, "MB")
        check_duration("timeout", timeout, 1, 900)
        check_range("reserved_concurrency", reserved_concurrency, 0, 1_000_000)
        check_range("retry_attempts", retry_attempts, 0, 2)
        check_duration("max_event_age", max_event_age, 60, 6 * 3600)
        check_length("description", description, 256)
        check_environment("environment", environment)
        defaults = defaults or FunctionDefaults.of(self)
        shared = [f"SharedCode({code.package_name})" for code in defaults.shared_code or ()]
        check_layer_count("layers", layers, hidden=(*defaults.layer_arns(self), *shared))

        #: Execution role: log writes to its own group, X-Ray when tracing, plus later grants.
        self.role = iam.Role(
            self,
            "ServiceRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of {self.node.path}",
        )
        #: The function's log group.
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=defaults.log_retention,
            removal_policy=defaults.removal_policy,
        )
        self.log_group.grant_write(self.role)

        all_layers: list[lambda_.ILayerVersion] = [
            lambda_.LayerVersion.from_layer_version_arn(self, layer_id, arn)
            for layer_id, arn in defaults.layer_arns(self).items()
        ]
        all_layers.extend(
            SharedCodeLayer.of(self, code, defaults).layer for code in defaults.shared_code or ()
        )
        all_layers.extend(layers or ())

        props: dict[str, Any] = {
            "code": asset,
            "handler": handler,
            "runtime": defaults.runtime,
            "architecture": defaults.architecture,
            "memory_size": memory_size or defaults.memory_size,
            "timeout": timeout or cdk.Duration.seconds(defaults.timeout_seconds),
            "role": self.role,
            "log_group": self.log_group,
            "logging_format": lambda_.LoggingFormat.JSON,
            "application_log_level_v2": defaults.application_log_level,
            "system_log_level_v2": lambda_.SystemLogLevel.INFO,
            "environment": {**defaults.environment_variables(), **(environment or {})},
            "layers": all_layers,
            "description": description,
            "reserved_concurrent_executions": (
                defaults.reserved_concurrency
                if reserved_concurrency is None
                else reserved_concurrency
            ),
        }
        if defaults.vpc is not None:
            props.update(
                vpc=defaults.vpc,
                vpc_subnets=defaults.vpc_subnets,
                security_groups=list(defaults.security_groups or ()) or None,
            )
        props = merged("function_props", props, function_props, FUNCTION_GUARDS)
        #: The Lambda function.
        self.function = lambda_.Function(self, "Resource", **props)
        cfn_function = cfn_child(self.function, lambda_.CfnFunction)
        # Lambda's L2 adds DependsOn on the role that the Role property's GetAtt already
        # implies; cfn-lint reports that redundancy as W3005 and nothing else is hidden.
        cfn_function.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
        self._configure_tracing(defaults.tracing.lambda_tracing)
        if props.get("vpc") is not None:
            self._allow_network_interfaces()

        #: The ``live`` alias on the current version; invoke this, not ``$LATEST``.
        self.alias = lambda_.Alias(
            self,
            "Alias",
            alias_name=ALIAS_NAME,
            version=self.function.current_version,
            on_failure=on_failure,
            retry_attempts=retry_attempts,
            max_event_age=max_event_age,
        )
        cdk.Validations.of(self.alias).acknowledge(
            cdk.Acknowledgment(
                id="CloudFormation-Validate::W3694",
                reason="SNS lambda subscriptions accept a qualified function ARN; the "
                "endpoint is this alias on purpose, so deliveries run the published version.",
            )
        )
        #: Alarm on any error of the alias in a minute.
        self.errors_alarm = create_alarm(
            self,
            "ErrorsAlarm",
            metric=self.alias.metric_errors(period=cdk.Duration.minutes(1), statistic="Sum"),
            threshold=1,
            description=f"{self.node.path}: the function reported errors",
            topic=alarm_topic,
        )
        if not isinstance(safe_deployment, bool):
            raise TypeError(f"safe_deployment must be True or False, got {safe_deployment!r}")
        config = (deployment_config or defaults.deployment_config) if safe_deployment else None
        #: CodeDeploy deployment group, when a deployment configuration applies.
        self.deployment_group: codedeploy.LambdaDeploymentGroup | None = None
        if config is not None:
            self.deployment_group = add_safe_deployment(
                self,
                function=self.function,
                alias=self.alias,
                config=config,
                pre_hook=pre_traffic_hook,
                post_hook=post_traffic_hook,
                alarm_topic=alarm_topic,
                notification_topic=deployment_topic,
                role=deployment_role,
            )
        elif any(x is not None for x in (pre_traffic_hook, post_traffic_hook, deployment_topic)):
            raise ValueError(
                "pre_traffic_hook, post_traffic_hook and deployment_topic need a safe "
                "deployment: a deployment_config (here or in FunctionDefaults) and "
                f"safe_deployment=True; got config {config!r}, safe_deployment {safe_deployment!r}"
            )

    def _configure_tracing(self, tracing: lambda_.Tracing) -> None:
        """Turn on tracing with its own policy, so its ``*`` resource is acknowledged alone."""
        if tracing == lambda_.Tracing.DISABLED:
            return
        cfn = cfn_child(self.function, lambda_.CfnFunction)
        mode = "Active" if tracing == lambda_.Tracing.ACTIVE else "PassThrough"
        cfn.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode=mode)
        self._add_creation_policy(
            "TracingPolicy",
            ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            reason="X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level "
            "permissions; this policy holds only those two actions.",
        )

    def _allow_network_interfaces(self) -> None:
        """What Lambda needs to attach the function to its VPC (the permissions of AWS's
        ``AWSLambdaVPCAccessExecutionRole``), in a policy of their own."""
        self._add_creation_policy(
            "NetworkPolicy",
            [
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            reason="Lambda creates the function's network interfaces with these EC2 "
            "actions, which AWS's own VPC access policy also grants on '*'.",
        )

    def _add_creation_policy(self, construct_id: str, actions: list[str], *, reason: str) -> None:
        """A policy of its own for ``actions`` that take no resource ARN (so its ``*`` is
        acknowledged alone); Lambda checks them when it creates the function, so the
        function waits for the policy."""
        policy = iam.Policy(
            self,
            construct_id,
            roles=[self.role],
            statements=[iam.PolicyStatement(actions=actions, resources=["*"])],
        )
        self.function.node.add_dependency(policy)
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(id="AwsSolutions-IAM5[Resource::*]", reason=reason)
        )

    def add_traffic_hooks(
        self, *, pre: lambda_.IFunction | None = None, post: lambda_.IFunction | None = None
    ) -> None:
        """Add CodeDeploy hooks after construction, for hooks that need this function
        first (to invoke its new version): ``pre`` runs before, ``post`` after traffic
        shifts. Each is built with ``safe_deployment=False``."""
        add_hooks(self.deployment_group, pre=pre, post=post)

    def metric_errors(self, **kwargs: Any) -> cloudwatch.Metric:
        """Errors of the ``live`` alias (same options as ``Alias.metric_errors``)."""
        return self.alias.metric_errors(**kwargs)

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` invoke the ``live`` alias."""
        return self.alias.grant_invoke(grantee)


def _resolve_code(
    code_path: str | os.PathLike[str] | None, code: lambda_.Code | None
) -> lambda_.Code:
    if code is not None and code_path is not None:
        raise ValueError("give either code_path or code, not both")
    if code is not None:
        return code
    if code_path is None:
        raise ValueError("code_path is required (a folder with the handler), or pass code")
    folder = Path(code_path)
    if not folder.is_dir():
        raise ValueError(f"code_path must be an existing folder, got {str(folder)!r}")
    # Absolute: jsii resolves relative paths against its own start-up directory.
    return lambda_.Code.from_asset(str(folder.resolve()), exclude=["__pycache__", "*.pyc", "tests"])
