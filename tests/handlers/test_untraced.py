"""The tracer stand-in handlers get where the X-Ray SDK is not used: every decorator form
Powertools' ``Tracer`` offers leaves the function's behaviour as it was."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from shop_common.tracing import Untraced, make_tracer, sdk_tracing
from stacks.lambda_code import LAMBDAS_DIR


def test_decorators_bare_and_with_options_keep_behaviour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    tracer = make_tracer()
    assert isinstance(tracer, Untraced)

    @tracer.capture_lambda_handler
    def handler(event: dict[str, int], context: object) -> int:
        return event["n"] + 1

    @tracer.capture_method(capture_response=False)
    def double(n: int) -> int:
        return 2 * n

    @tracer.capture_method
    def fail() -> None:
        raise KeyError("kept")

    assert handler({"n": 1}, None) == 2
    assert double(4) == 8
    with pytest.raises(KeyError, match="kept"):
        fail()
    tracer.put_annotation("k", "v")
    tracer.put_metadata("k", {"v": 1})


_MADE = "from shop_common.tracing import make_tracer; print(type(make_tracer()).__module__)"


@pytest.mark.parametrize(("value", "traced"), [("true", False), ("1", False), ("false", True)])
def test_the_environment_decides(monkeypatch: pytest.MonkeyPatch, value: str, traced: bool) -> None:
    """In a fresh interpreter (Powertools' Tracer patches botocore process-wide)."""
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", value)
    assert sdk_tracing() is traced
    env = {**os.environ, "POWERTOOLS_SERVICE_NAME": "test", "PYTHONPATH": str(LAMBDAS_DIR)}
    made = subprocess.run(
        [sys.executable, "-c", _MADE], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    expected = "aws_lambda_powertools.tracing.tracer" if traced else "shop_common.tracing"
    assert made == expected
