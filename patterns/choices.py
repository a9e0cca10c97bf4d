"""The string choices of the library's arguments, as ``Literal`` types.

mypy (or any type checker) catches a typo such as ``default_auth="IAM"`` before synthesis;
at construction the same sets are checked and a value outside them raises a ``ValueError``
that lists them. Each set below is the one the patterns check against.
"""

from __future__ import annotations

import typing
from typing import Literal

#: How a route (or an API by default) authorizes callers.
AuthType = Literal["none", "iam", "cognito", "lambda"]
#: The table grant a route's function gets.
TableAccess = Literal["none", "read", "write", "read_write"]
#: API Gateway cache cluster sizes, in GB.
CacheSize = Literal["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"]
#: Kinds of Lambda authorizer: ``token`` reads one header, ``request`` sees the request.
AuthorizerType = Literal["token", "request"]
#: Periods of a usage plan's quota.
QuotaPeriod = Literal["DAY", "WEEK", "MONTH"]
#: How Route 53 chooses between regional API records.
RoutingPolicy = Literal["latency", "failover"]
#: Roles of a failover record.
FailoverRole = Literal["primary", "secondary"]
#: Application log levels of Lambda's JSON logs.
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
#: A Step Functions workflow's type: durable (up to a year, exactly-once) or high-volume
#: (up to five minutes, at-least-once, synchronous starts).
WorkflowType = Literal["STANDARD", "EXPRESS"]
#: How an AppSync API authorizes callers: Cognito user pool tokens, SigV4 (IAM), an API
#: key, or a Lambda authorizer.
GraphqlAuth = Literal["user_pool", "iam", "api_key", "lambda"]
#: What AppSync writes to CloudWatch Logs per field resolution.
FieldLogLevel = Literal["NONE", "ERROR", "INFO", "DEBUG", "ALL"]
#: AppSync cache instance types.
GraphqlCacheType = Literal[
    "SMALL", "MEDIUM", "LARGE", "XLARGE", "LARGE_2X", "LARGE_4X", "LARGE_8X", "LARGE_12X"
]
#: What AppSync caches: whole requests, or the resolvers that ask for it.
GraphqlCaching = Literal["FULL_REQUEST_CACHING", "PER_RESOLVER_CACHING"]


def values(choice: object) -> tuple[str, ...]:
    """The strings a ``Literal`` choice allows, in their written order."""
    return tuple(typing.get_args(choice))
