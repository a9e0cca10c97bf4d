"""Exponential back-off with full jitter for AWS calls that the service throttles."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.config import Config
from botocore.exceptions import ClientError

T = TypeVar("T")

#: Error codes AWS services return when a caller is throttled.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "SlowDown",
        "SnapshotCreationPerVolumeRateExceeded",
    }
)
#: botocore without its own retries, so :func:`with_backoff` is the only retry layer.
NO_SDK_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def is_throttling(error: Exception) -> bool:
    """Whether ``error`` is an AWS throttling error."""
    return (
        isinstance(error, ClientError)
        and error.response.get("Error", {}).get("Code") in THROTTLING_CODES
    )


def with_backoff(
    call: Callable[[], T],
    *,
    attempts: int = 6,
    base_seconds: float = 0.2,
    cap_seconds: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[float, float], float] = random.uniform,
) -> T:
    """Run ``call``; on throttling wait ``uniform(0, min(cap, base * 2**n))`` and retry.

    Other errors propagate at once; the last throttling error propagates after
    ``attempts`` tries ("full jitter": concurrent callers spread out instead of
    retrying in lock-step).
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    for attempt in range(attempts):
        try:
            return call()
        except ClientError as error:
            if not is_throttling(error) or attempt == attempts - 1:
                raise
            sleep(jitter(0.0, min(cap_seconds, base_seconds * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover
