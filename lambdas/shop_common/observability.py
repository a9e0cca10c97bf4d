"""The one place handlers get their Powertools ``Logger``, tracer and ``Metrics``.

Service name, namespace and log level come from the environment that
``FunctionDefaults`` sets (``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_METRICS_NAMESPACE``,
``POWERTOOLS_LOG_LEVEL``); whether the X-Ray SDK is imported at all, from
``POWERTOOLS_TRACE_DISABLED`` (see :mod:`shop_common.tracing`).
"""

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics

from shop_common.tracing import make_tracer

logger = Logger()
tracer = make_tracer()
metrics = Metrics()

__all__ = ["logger", "metrics", "tracer"]
