"""Exponential back-off with full jitter on throttling (a plain function, no AWS)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from shop_common.retry import is_throttling, with_backoff


def error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "CreateSnapshot")


class Flaky:
    """Raises the given errors in turn, then returns ``"done"``."""

    def __init__(self, *errors: ClientError) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_throttling_is_retried_with_exponentially_growing_jittered_waits() -> None:
    waits: list[float] = []
    bounds: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        bounds.append((low, high))
        return high / 2

    call = Flaky(error("RequestLimitExceeded"), error("Throttling"), error("ThrottlingException"))
    result = with_backoff(
        call, base_seconds=0.5, cap_seconds=1.5, sleep=waits.append, jitter=jitter
    )

    assert result == "done"
    assert call.calls == 4
    assert bounds == [(0.0, 0.5), (0.0, 1.0), (0.0, 1.5)]
    assert waits == [0.25, 0.5, 0.75]


def test_other_errors_are_not_retried() -> None:
    call = Flaky(error("AccessDenied"))
    with pytest.raises(ClientError, match="AccessDenied"):
        with_backoff(call, sleep=lambda _: None)
    assert call.calls == 1


def test_the_last_throttling_error_propagates_after_the_attempts() -> None:
    call = Flaky(*(error("Throttling") for _ in range(5)))
    with pytest.raises(ClientError, match="Throttling"):
        with_backoff(call, attempts=3, sleep=lambda _: None)
    assert call.calls == 3


def test_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="attempts must be at least 1"):
        with_backoff(Flaky(), attempts=0)


def test_is_throttling() -> None:
    assert is_throttling(error("SlowDown"))
    assert not is_throttling(error("InvalidVolume.NotFound"))
    assert not is_throttling(ValueError("Throttling"))
