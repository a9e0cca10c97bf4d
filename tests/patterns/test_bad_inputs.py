"""Every bad input named: a table of mistakes over every public constructor.

Each mistake must raise at construction the exception its row says, with a message naming
our argument and showing the bad value; each valid edge must be accepted. Besides the
hand-written rows (``bad_inputs_cases``), every parameter of every public constructor gets
generated rows: an object of no AWS kind at all, an AWS object of another kind (a topic
where a bucket belongs), a float where AWS needs a whole number, a string for a flag.
"""

from __future__ import annotations

import enum
import inspect
import itertools
import typing
from collections.abc import Callable, Iterator
from typing import Any

import aws_cdk as cdk
import pytest

import patterns
from tests.patterns import bad_inputs_cases as cases

_IDS = itertools.count()
_SKIPPED = {"self", "scope", "construct_id"}


class _Wrong:
    """An object of no kind any argument accepts."""

    def __repr__(self) -> str:
        return "<wrong kind of object>"


def _stack() -> cdk.Stack:
    app = cdk.App()
    env = cdk.Environment(account=cases.ACCOUNT, region=cases.REGION)
    return cdk.Stack(app, f"Case{next(_IDS)}", env=env)


def _call(name: str, stack: cdk.Stack, change: cases.Build) -> Any:
    baseline = cases.BASELINES[name]
    arguments = {**baseline.build(stack), **change(stack)}
    target = getattr(patterns, name)
    if baseline.scoped:
        return target(stack, "Subject", **arguments)
    return target(**arguments)


def _callables() -> list[str]:
    """Public constructors and functions (enums of choices, like ``TracingMode``, are
    values, checked where they are passed)."""
    return [
        n
        for n in patterns.__all__
        if callable(getattr(patterns, n))
        and not (
            isinstance(getattr(patterns, n), type) and issubclass(getattr(patterns, n), enum.Enum)
        )
    ]


def _parameters(name: str) -> dict[str, Any]:
    target = getattr(patterns, name)
    function = target.__init__ if inspect.isclass(target) else target
    hints = typing.get_type_hints(inspect.unwrap(function))
    return {
        p.name: hints[p.name]
        for p in inspect.signature(function).parameters.values()
        if p.name not in _SKIPPED and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def _other_aws_object(hint: Any) -> tuple[str, Any] | None:
    text = str(hint)
    if "aws_cdk" not in text and "patterns." not in text:
        return None
    for module, make in (
        ("aws_sns", cases.topic),
        ("aws_s3", cases.bucket),
        ("aws_sqs", cases.queue),
    ):
        if module not in text:
            return module, make
    return None


def _setting(argument: str, value: Any) -> cases.Build:
    def change(_stack: cdk.Stack) -> cases.Args:
        return {argument: value}

    return change


def _made(argument: str, make: Callable[[cdk.Stack], Any]) -> cases.Build:
    def change(stack: cdk.Stack) -> cases.Args:
        return {argument: make(stack)}

    return change


def _generated() -> Iterator[Any]:
    for name in _callables():
        for argument, hint in _parameters(name).items():
            args = typing.get_args(hint)
            yield pytest.param(
                cases.Mistake(
                    name, _setting(argument, _Wrong()), argument, "wrong kind of object", TypeError
                ),
                id=f"{name}-{argument}-wrong-object",
            )
            other = _other_aws_object(hint)
            if other is not None:
                module, make = other
                yield pytest.param(
                    cases.Mistake(name, _made(argument, make), argument, module, TypeError),
                    id=f"{name}-{argument}-{module}",
                )
            if (hint is int or int in args) and float not in args:
                yield pytest.param(
                    cases.Mistake(name, _setting(argument, 2.5), argument, "2.5", TypeError),
                    id=f"{name}-{argument}-float",
                )
            if hint is bool or (bool in args and str not in args):
                yield pytest.param(
                    cases.Mistake(name, _setting(argument, "yes"), argument, "'yes'", TypeError),
                    id=f"{name}-{argument}-string-flag",
                )


_WRITTEN = [
    pytest.param(m, id=f"{m.construct}-{m.argument}-{m.label or m.shown[:30]}")
    for m in cases.MISTAKES
]
_GENERATED = list(_generated())


@pytest.mark.parametrize("mistake", _WRITTEN + _GENERATED)
def test_mistake_is_named_at_construction(mistake: cases.Mistake) -> None:
    stack = _stack()
    with pytest.raises(mistake.error) as raised:
        _call(mistake.construct, stack, mistake.change)
    assert type(raised.value) is mistake.error, raised.value
    message = str(raised.value)
    assert mistake.argument in message, message
    assert mistake.shown in message, message


@pytest.mark.parametrize(
    "edge", [pytest.param(e, id=f"{e.construct}-{e.label}") for e in cases.VALID_EDGES]
)
def test_valid_edge_is_accepted(edge: cases.Edge) -> None:
    _call(edge.construct, _stack(), edge.change)


@pytest.mark.parametrize("name", _callables())
def test_baseline_is_accepted(name: str) -> None:
    _call(name, _stack(), lambda _s: {})


def test_every_public_constructor_has_cases() -> None:
    """A new public construct needs a baseline and hand-written mistakes to pass."""
    names = set(_callables())
    assert names == set(cases.BASELINES), "every public callable needs a baseline"
    written = {m.construct for m in cases.MISTAKES} | {e.construct for e in cases.VALID_EDGES}
    assert sorted(names - written) == [], "constructs without hand-written cases"
    assert len(_WRITTEN) + len(_GENERATED) >= 500
