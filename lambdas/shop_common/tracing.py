"""The handlers' tracer: Powertools' ``Tracer`` only where the function traces with the
X-Ray SDK; otherwise a stand-in with the same decorators that imports nothing.

Powertools' ``Tracer()`` imports ``aws_xray_sdk.core`` even when tracing is disabled
(about 120 ms of a cold start). With ``TracingMode.LAMBDA`` or ``OFF``,
``FunctionDefaults`` sets ``POWERTOOLS_TRACE_DISABLED=true``: Lambda still traces each
invocation, and the decorated handlers run unchanged, untraced by the SDK.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer


def sdk_tracing() -> bool:
    """Whether this function records subsegments with the X-Ray SDK."""
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("true", "1")


class Untraced:
    """Powertools ``Tracer``'s decorators and annotations, doing nothing."""

    def capture_lambda_handler(self, lambda_handler: Any = None, **_: Any) -> Any:
        return self._decorate(lambda_handler)

    def capture_method(self, method: Any = None, **_: Any) -> Any:
        return self._decorate(method)

    def put_annotation(self, key: str, value: Any) -> None:
        """Annotations need a segment of the function's own; there is none."""

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        """Metadata needs a segment of the function's own; there is none."""

    @staticmethod
    def _decorate(function: Any) -> Any:
        if function is None:  # called with options: @tracer.capture_method(capture_response=False)
            return lambda f: f
        return function


def make_tracer() -> Tracer:
    """Powertools' ``Tracer`` when :func:`sdk_tracing`, else an :class:`Untraced`."""
    if not sdk_tracing():
        return cast("Tracer", Untraced())
    from aws_lambda_powertools import Tracer

    return Tracer()
