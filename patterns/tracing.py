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
``OFF``        No tracing (nor its IAM permissions).
=============  ==========================================================================

OpenTelemetry (the ADOT layer or the OpenTelemetry SDK) is not offered yet: see the README.
"""

from __future__ import annotations

import enum

from aws_cdk import aws_lambda as lambda_


class TracingMode(enum.Enum):
    """How a ``ServerlessFunction`` is traced (see the module's table).

    Default (``FunctionDefaults.tracing``): ``XRAY_SDK``, the behaviour before modes existed.
    """

    XRAY_SDK = "xray-sdk"
    LAMBDA = "lambda"
    OFF = "off"

    @property
    def lambda_tracing(self) -> lambda_.Tracing:
        """Lambda's own tracing setting for this mode."""
        return lambda_.Tracing.DISABLED if self is TracingMode.OFF else lambda_.Tracing.ACTIVE

    @property
    def sdk_in_function(self) -> bool:
        """Whether the function's code records subsegments itself (Powertools' Tracer)."""
        return self is TracingMode.XRAY_SDK

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
