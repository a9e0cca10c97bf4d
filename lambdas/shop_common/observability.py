"""The one place handlers get their Powertools ``Logger``, ``Tracer`` and ``Metrics``.

Service name, namespace and log level come from the environment that
``FunctionDefaults`` sets (``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_METRICS_NAMESPACE``,
``POWERTOOLS_LOG_LEVEL``).
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()

__all__ = ["logger", "metrics", "tracer"]
