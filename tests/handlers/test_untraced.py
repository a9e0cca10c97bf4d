"""The tracer stand-in handlers get where the X-Ray SDK is not used: every decorator form
Powertools' ``Tracer`` offers leaves the function's behaviour as it was."""

from __future__ import annotations

from typing import Any

import pytest

from shop_common.tracing import Untraced, make_tracer, sdk_tracing


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


@pytest.mark.parametrize(("value", "traced"), [("true", False), ("1", False), ("false", True)])
def test_the_environment_decides(monkeypatch: pytest.MonkeyPatch, value: str, traced: bool) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", value)
    assert sdk_tracing() is traced
    made: list[str] = []

    def sdk_tracer() -> Any:
        made.append("sdk")
        return Untraced()

    tracer = make_tracer(sdk_tracer)
    assert isinstance(tracer, Untraced)
    assert made == (["sdk"] if traced else [])
