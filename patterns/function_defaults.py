"""``FunctionDefaults``: the SAM "Globals" section for Lambda functions, in CDK."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import IConstruct

from patterns._aws_limits import check_environment, check_length
from patterns._types import check_fields, checked
from patterns._validation import check_choice, check_range
from patterns.choices import LogLevel
from patterns.shared_code import SharedCode
from patterns.tracing import TracingMode, opentelemetry_layer_arn

#: Retention periods CloudWatch Logs accepts, in days, mapped to the CDK enum.
RETENTION_BY_DAYS: Mapping[int, logs.RetentionDays] = MappingProxyType(
    {
        1: logs.RetentionDays.ONE_DAY,
        3: logs.RetentionDays.THREE_DAYS,
        5: logs.RetentionDays.FIVE_DAYS,
        7: logs.RetentionDays.ONE_WEEK,
        14: logs.RetentionDays.TWO_WEEKS,
        30: logs.RetentionDays.ONE_MONTH,
        60: logs.RetentionDays.TWO_MONTHS,
        90: logs.RetentionDays.THREE_MONTHS,
        120: logs.RetentionDays.FOUR_MONTHS,
        150: logs.RetentionDays.FIVE_MONTHS,
        180: logs.RetentionDays.SIX_MONTHS,
        365: logs.RetentionDays.ONE_YEAR,
        400: logs.RetentionDays.THIRTEEN_MONTHS,
        545: logs.RetentionDays.EIGHTEEN_MONTHS,
        731: logs.RetentionDays.TWO_YEARS,
        1096: logs.RetentionDays.THREE_YEARS,
        1827: logs.RetentionDays.FIVE_YEARS,
        2192: logs.RetentionDays.SIX_YEARS,
        2557: logs.RetentionDays.SEVEN_YEARS,
        2922: logs.RetentionDays.EIGHT_YEARS,
        3288: logs.RetentionDays.NINE_YEARS,
        3653: logs.RetentionDays.TEN_YEARS,
    }
)

#: Powertools for AWS Lambda (Python) v3 releases and the version of the public layers
#: (``AWSLambdaPowertoolsPythonV3-<python>-<arch>``, one number for every runtime and
#: architecture) that carries each: only releases whose layer number the Powertools
#: project documents. 3.31.1 is the newest confirmed here (see the README's "Tracing").
POWERTOOLS_LAYERS: Mapping[str, int] = MappingProxyType({"3.31.1": 36})
#: The Powertools release the functions run, pinned in this one place: the layer below,
#: and (checked by a test) the dev extra's ``aws-lambda-powertools`` that the handler
#: tests import.
POWERTOOLS_VERSION = "3.31.1"
#: The public layer version pinned by default: the one carrying :data:`POWERTOOLS_VERSION`.
POWERTOOLS_LAYER_VERSION = POWERTOOLS_LAYERS[POWERTOOLS_VERSION]
#: AWS's account that publishes the Powertools layers in the commercial partition.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"

#: Powertools log level -> Lambda's application log level for JSON logs.
_LOG_LEVELS: Mapping[str, lambda_.ApplicationLogLevel] = MappingProxyType(
    {
        "DEBUG": lambda_.ApplicationLogLevel.DEBUG,
        "INFO": lambda_.ApplicationLogLevel.INFO,
        "WARNING": lambda_.ApplicationLogLevel.WARN,
        "ERROR": lambda_.ApplicationLogLevel.ERROR,
        "CRITICAL": lambda_.ApplicationLogLevel.FATAL,
    }
)
# Attribute on the scope's Python object (jsii hands back the same object for a construct).
_ATTRIBUTE = "_serverless_patterns_function_defaults"
# One object each, so that default-built FunctionDefaults compare equal.
DEFAULT_RUNTIME = lambda_.Runtime.PYTHON_3_14
DEFAULT_ARCHITECTURE = lambda_.Architecture.ARM_64


@checked
def retention_from_days(days: int, *, argument: str = "log_retention_days") -> logs.RetentionDays:
    """The ``RetentionDays`` for ``days``; ``ValueError`` for a value CloudWatch rejects."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"{argument} must be an int number of days, got {days!r}")
    if days not in RETENTION_BY_DAYS:
        allowed = ", ".join(str(d) for d in RETENTION_BY_DAYS)
        raise ValueError(f"{argument} must be one of CloudWatch's values ({allowed}); got {days}")
    return RETENTION_BY_DAYS[days]


@dataclasses.dataclass(frozen=True, kw_only=True)
class FunctionDefaults:
    """Settings every ``ServerlessFunction`` in a scope shares unless it overrides them.

    Register one for a stage (or any scope) with :meth:`apply_to`; functions below that
    scope pick it up through :meth:`of`. Each field's default is the secure, monitored
    choice:

    :param runtime: Lambda runtime. Default: Python 3.14, the latest Python runtime.
    :param architecture: instruction set. Default: ``ARM_64`` (Graviton, cheaper per ms).
    :param memory_size: MB, 128..10240. Default: 256.
    :param timeout_seconds: 1..900. Default: 10.
    :param tracing: how functions are traced, a :class:`TracingMode` (its string value, or
        CDK's ``Tracing.ACTIVE``, meaning ``XRAY_SDK``, also do). ``LAMBDA`` depends on no
        SDK and imports nothing; ``XRAY_SDK`` adds subsegments for AWS calls through the
        X-Ray SDK (end of support 25 February 2027); ``OPENTELEMETRY`` runs AWS's
        OpenTelemetry layer (needs ``opentelemetry_layer_version``). Default: ``XRAY_SDK``.
    :param log_retention: retention of each function's log group. Default: one month.
    :param log_level: application log level, one of DEBUG/INFO/WARNING/ERROR/CRITICAL.
        Default: ``INFO``.
    :param log_event: log each incoming event (Powertools ``POWERTOOLS_LOGGER_LOG_EVENT``);
        keep it off where events may carry personal data. Default: False.
    :param removal_policy: what happens to log groups when the stack deletes them.
        Default: ``RETAIN``.
    :param powertools_layer_version: pinned version of the public Powertools layer;
        ``None`` leaves the layer out. Default: :data:`POWERTOOLS_LAYER_VERSION`.
    :param opentelemetry_layer_version: with ``tracing=OPENTELEMETRY`` (and only then,
        where it is required): the version of AWS's ``AWSOpenTelemetryDistroPython`` layer
        published in the stacks' region (it differs from region to region: see the
        project's release notes). Default: None.
    :param service_name: ``POWERTOOLS_SERVICE_NAME``. Default: ``"serverless-patterns"``.
    :param metrics_namespace: ``POWERTOOLS_METRICS_NAMESPACE``. Default: ``"ServerlessPatterns"``.
    :param stage: value of the ``STAGE`` environment variable; ``None`` omits it. Default: None.
    :param environment: extra environment for every function. Default: none.
    :param deployment_config: CodeDeploy traffic shifting for every function's alias
        (SAM's ``DeploymentPreference``); ``None`` updates aliases directly. Default: None.
    :param vpc: attach every function to this VPC (SAM's ``VpcConfig``), e.g. private
        subnets whose only way out is VPC endpoints. ``None`` runs functions in Lambda's own
        network. Default: None.
    :param vpc_subnets: the subnets of ``vpc`` to use. Default: CDK's choice (private
        subnets first).
    :param security_groups: security groups of the functions in ``vpc``. Default: one new
        group per function (all egress).
    :param reserved_concurrency: reserved concurrent executions of every function (SAM's
        ``ReservedConcurrentExecutions``): a cap per function and capacity no other function
        can take; ``None`` leaves functions on the account's unreserved pool. Default: None.
    :param shared_code: packages every function gets as a layer (after Powertools'), each a
        :class:`SharedCode`: each stack builds one ``SharedCodeLayer`` per package (see
        ``SharedCodeLayer.of``), so function assets need not carry a copy. Python runtimes
        only. Default: none.
    """

    runtime: lambda_.Runtime = DEFAULT_RUNTIME
    architecture: lambda_.Architecture = DEFAULT_ARCHITECTURE
    memory_size: int = 256
    timeout_seconds: int = 10
    tracing: TracingMode = TracingMode.XRAY_SDK
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    log_level: LogLevel = "INFO"
    log_event: bool = False
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN
    powertools_layer_version: int | None = POWERTOOLS_LAYER_VERSION
    opentelemetry_layer_version: int | None = None
    service_name: str = "serverless-patterns"
    metrics_namespace: str = "ServerlessPatterns"
    stage: str | None = None
    environment: Mapping[str, str] | None = None
    deployment_config: codedeploy.ILambdaDeploymentConfig | None = None
    reserved_concurrency: int | None = None
    vpc: ec2.IVpc | None = None
    vpc_subnets: ec2.SubnetSelection | None = None
    security_groups: tuple[ec2.ISecurityGroup, ...] | None = None
    shared_code: tuple[SharedCode, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracing", TracingMode.parse(self.tracing))
        if isinstance(self.shared_code, list):
            object.__setattr__(self, "shared_code", tuple(self.shared_code))
        check_fields(self)
        check_range("memory_size", self.memory_size, 128, 10240, "MB")
        check_range("timeout_seconds", self.timeout_seconds, 1, 900, "seconds")
        check_choice("log_level", self.log_level, _LOG_LEVELS)
        check_range("reserved_concurrency", self.reserved_concurrency, 1, 1_000_000)
        if self.powertools_layer_version is not None:
            check_range("powertools_layer_version", self.powertools_layer_version, 1, 10_000)
        self._check_opentelemetry()
        if not self.service_name:
            raise ValueError("service_name must be a non-empty string")
        check_length("metrics_namespace", self.metrics_namespace, 255, 1)
        check_environment("environment", self.environment)
        family = self.runtime.family
        if self.powertools_layer_version is not None and family != lambda_.RuntimeFamily.PYTHON:
            raise ValueError(
                f"runtime {self.runtime.name!r} is not a Python runtime, but the Powertools "
                "layer (powertools_layer_version) is built for Python: use a Python runtime "
                "or set powertools_layer_version=None"
            )
        self._check_shared_code()
        if self.vpc is None and (self.vpc_subnets is not None or self.security_groups):
            raise ValueError("vpc_subnets and security_groups need a vpc")
        if self.security_groups is not None:
            object.__setattr__(self, "security_groups", tuple(self.security_groups))
        if self.environment is not None:
            object.__setattr__(self, "environment", MappingProxyType(dict(self.environment)))

    def _check_shared_code(self) -> None:
        names = [code.package_name for code in self.shared_code or ()]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"shared_code names the package(s) {twice} more than once")
        if names and self.runtime.family != lambda_.RuntimeFamily.PYTHON:
            raise ValueError(
                f"runtime {self.runtime.name!r} is not a Python runtime, but shared_code "
                f"({', '.join(names)}) ships Python packages"
            )

    def _check_opentelemetry(self) -> None:
        version = self.opentelemetry_layer_version
        if version is not None:
            check_range("opentelemetry_layer_version", version, 1, 10_000)
        wanted = self.tracing is TracingMode.OPENTELEMETRY
        if wanted and version is None:
            raise ValueError(
                "opentelemetry_layer_version is required with tracing=opentelemetry: the "
                "version of the AWSOpenTelemetryDistroPython layer in the stacks' region"
            )
        if not wanted and version is not None:
            raise ValueError(
                f"opentelemetry_layer_version={version} needs tracing=opentelemetry, got "
                f"tracing={self.tracing.value}"
            )
        if wanted and self.runtime.family != lambda_.RuntimeFamily.PYTHON:
            raise ValueError(
                f"runtime {self.runtime.name!r} is not a Python runtime, but tracing="
                "opentelemetry adds AWS's OpenTelemetry layer for Python"
            )

    def replace(self, **changes: Any) -> FunctionDefaults:
        """Return a copy with ``changes`` applied (validated like the original)."""
        return dataclasses.replace(self, **changes)

    @property
    def application_log_level(self) -> lambda_.ApplicationLogLevel:
        """Lambda's JSON-log application level matching ``log_level``."""
        return _LOG_LEVELS[self.log_level]

    def environment_variables(self) -> dict[str, str]:
        """The environment every function gets: Powertools settings, stage, then extras."""
        variables = {
            "POWERTOOLS_SERVICE_NAME": self.service_name,
            "POWERTOOLS_METRICS_NAMESPACE": self.metrics_namespace,
            "POWERTOOLS_LOG_LEVEL": self.log_level,
            "POWERTOOLS_LOGGER_LOG_EVENT": "true" if self.log_event else "false",
        }
        variables.update(self.tracing.environment)
        if self.stage is not None:
            variables["STAGE"] = self.stage
        variables.update(self.environment or {})
        return variables

    def powertools_layer_arn(self, scope: IConstruct) -> str | None:
        """ARN of the pinned Powertools layer in the scope's region and partition.

        The region comes from the enclosing stack, so an environment-agnostic stack gets
        ``${AWS::Region}`` and nothing is hard-coded.
        """
        if self.powertools_layer_version is None:
            return None
        stack = cdk.Stack.of(scope)
        python = self.runtime.name.replace(".", "")  # python3.14 -> python314
        arch = "arm64" if self.architecture.name == "arm64" else "x86_64"
        return stack.format_arn(
            service="lambda",
            account=POWERTOOLS_LAYER_ACCOUNT,
            resource="layer",
            resource_name=(
                f"AWSLambdaPowertoolsPythonV3-{python}-{arch}:{self.powertools_layer_version}"
            ),
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )

    def layer_arns(self, scope: IConstruct) -> dict[str, str]:
        """The layers every function gets, by construct ID: Powertools' (``PowertoolsLayer``,
        unless left out), then AWS's OpenTelemetry layer (``OpenTelemetryLayer``) with
        ``tracing=OPENTELEMETRY``."""
        arns: dict[str, str] = {}
        if (powertools := self.powertools_layer_arn(scope)) is not None:
            arns["PowertoolsLayer"] = powertools
        if self.opentelemetry_layer_version is not None:
            version = self.opentelemetry_layer_version
            arns["OpenTelemetryLayer"] = opentelemetry_layer_arn(scope, version)
        return arns

    def apply_to(self, scope: IConstruct) -> FunctionDefaults:
        """Make these the defaults of every function created below ``scope``."""
        setattr(scope, _ATTRIBUTE, self)
        return self

    @staticmethod
    def of(scope: IConstruct) -> FunctionDefaults:
        """The defaults registered on the nearest enclosing scope, or the built-in ones."""
        for ancestor in reversed(scope.node.scopes):
            found = getattr(ancestor, _ATTRIBUTE, None)
            if isinstance(found, FunctionDefaults):
                return found
        return FunctionDefaults()
