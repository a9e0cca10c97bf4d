"""``TracingMode``: how a function's traces are made, and what each mode costs.

=============  ==========================================================================
``XRAY_SDK``   Lambda's active tracing plus Powertools' ``Tracer`` on the AWS X-Ray SDK:
               a subsegment for each AWS SDK call (DynamoDB, Kinesis, S3...) and for each
               method the handler decorates. The X-Ray SDKs are in maintenance mode since
               25 February 2026 and reach **end of support on 25 February 2027**. Importing
               the SDK is the largest part of a handler's cold start (about 120 ms).
``LAMBDA``     Lambda's active tracing alone: the service records the invocation (and
               API Gateway's segment, where the API traces, connects to it); nothing is
               imported into the function (``POWERTOOLS_TRACE_DISABLED=true``), so calls
               from the function to other services are not shown as subsegments. Depends
               on no SDK past its end of support.
``OPENTELEMETRY``  Lambda's active tracing plus AWS's OpenTelemetry layer for Python (ADOT
               with Application Signals, ``AWSOpenTelemetryDistroPython``), started by
               ``AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument``: spans for the invocation and
               each AWS SDK call (botocore's instrumentation), sent over UDP to the X-Ray
               daemon that active tracing runs beside the function, so it needs the same
               IAM permissions and network as ``LAMBDA``. Application Signals metrics go to
               the function's own log as EMF. The layer's version differs per region, so it
               is given (``FunctionDefaults.opentelemetry_layer_version``), never guessed.
               Depends on the OpenTelemetry Python SDK and ADOT, not on the X-Ray SDK.
``OFF``        No tracing (nor its IAM permissions).
=============  ==========================================================================
"""

from __future__ import annotations

import enum

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

#: The name of AWS's OpenTelemetry (ADOT, Application Signals) layer for Python: one layer
#: for Python 3.10-3.14 on arm64 and x86_64.
OPENTELEMETRY_LAYER_NAME = "AWSOpenTelemetryDistroPython"
#: The account that publishes it in the regions below (the project's release workflow);
#: other regions have an account each: pass their layer in ``layers`` instead.
OPENTELEMETRY_LAYER_ACCOUNT = "615299751070"
OPENTELEMETRY_LAYER_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1",
        "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
        "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
        "eu-north-1", "sa-east-1",
    }
)  # fmt: skip
#: The wrapper script in the layer that starts the function under OpenTelemetry.
OPENTELEMETRY_WRAPPER = "/opt/otel-instrument"


class TracingMode(enum.Enum):
    """How a ``ServerlessFunction`` is traced (see the module's table).

    Default (``FunctionDefaults.tracing``): ``XRAY_SDK``, the behaviour before modes existed.
    """

    XRAY_SDK = "xray-sdk"
    LAMBDA = "lambda"
    OPENTELEMETRY = "opentelemetry"
    OFF = "off"

    @property
    def lambda_tracing(self) -> lambda_.Tracing:
        """Lambda's own tracing setting for this mode."""
        return lambda_.Tracing.DISABLED if self is TracingMode.OFF else lambda_.Tracing.ACTIVE

    @property
    def sdk_in_function(self) -> bool:
        """Whether the function's code records subsegments itself (Powertools' Tracer)."""
        return self is TracingMode.XRAY_SDK

    @property
    def environment(self) -> dict[str, str]:
        """The function's environment for this mode."""
        variables = {}
        if not self.sdk_in_function:
            # Powertools' Tracer records nothing, and code that checks this (as the
            # reference app's handlers do) never imports the X-Ray SDK.
            variables["POWERTOOLS_TRACE_DISABLED"] = "true"
        if self is TracingMode.OPENTELEMETRY:
            variables["AWS_LAMBDA_EXEC_WRAPPER"] = OPENTELEMETRY_WRAPPER
        return variables

    @classmethod
    def parse(cls, value: object, *, argument: str = "tracing") -> TracingMode:
        """``value`` as a mode: a ``TracingMode``, its value (``"lambda"``), or one of CDK's
        ``Tracing.ACTIVE`` (the X-Ray SDK, as before modes existed) and ``DISABLED``."""
        if isinstance(value, TracingMode):
            return value
        if value == lambda_.Tracing.ACTIVE:
            return TracingMode.XRAY_SDK
        if value == lambda_.Tracing.DISABLED:
            return TracingMode.OFF
        modes = {mode.value: mode for mode in TracingMode}
        if isinstance(value, str) and value in modes:
            return modes[value]
        error = ValueError if isinstance(value, (str, lambda_.Tracing)) else TypeError
        raise error(
            f"{argument} must be a TracingMode ({', '.join(sorted(modes))}) or "
            f"Tracing.ACTIVE/Tracing.DISABLED; got {value!r}"
        )


def opentelemetry_layer_arn(scope: IConstruct, version: int) -> str:
    """ARN of version ``version`` of :data:`OPENTELEMETRY_LAYER_NAME` in the scope's region
    (``${AWS::Region}`` in an environment-agnostic stack); ``ValueError`` for a known
    region that AWS serves from another account."""
    stack = cdk.Stack.of(scope)
    region = stack.region
    if not cdk.Token.is_unresolved(region) and region not in OPENTELEMETRY_LAYER_REGIONS:
        raise ValueError(
            f"tracing=opentelemetry: the {OPENTELEMETRY_LAYER_NAME} layer of region {region!r} "
            f"is not published by account {OPENTELEMETRY_LAYER_ACCOUNT}; add that region's "
            "layer in layers= and set the AWS_LAMBDA_EXEC_WRAPPER yourself, or use "
            f"one of {', '.join(sorted(OPENTELEMETRY_LAYER_REGIONS))}"
        )
    return stack.format_arn(
        service="lambda",
        account=OPENTELEMETRY_LAYER_ACCOUNT,
        resource="layer",
        resource_name=f"{OPENTELEMETRY_LAYER_NAME}:{version}",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
