"""Argument checks shared by the patterns.

Every check raises a ``ValueError`` (or ``TypeError``) whose message names the
argument, the bad value and what is allowed, so that a mistake Python can catch
never surfaces as a jsii stack trace. Values that are unresolved CDK tokens are
skipped: they are only known at deploy time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

import aws_cdk as cdk
from constructs import IConstruct

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_token(value: Any) -> bool:
    """True when ``value`` is (or contains) an unresolved CDK token."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return cdk.Token.is_unresolved(value)
    if isinstance(value, str):
        return cdk.Token.is_unresolved(value)
    return False


def check_range(
    name: str,
    value: float | None,
    minimum: float,
    maximum: float,
    unit: str = "",
) -> None:
    """Raise ``ValueError`` unless ``minimum <= value <= maximum`` (``None`` passes)."""
    if value is None or is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    if not minimum <= value <= maximum:
        suffix = f" {unit}" if unit else ""
        raise ValueError(
            f"{name} must be between {minimum:g} and {maximum:g}{suffix}, got {value!r}"
        )


def check_duration(
    name: str,
    value: cdk.Duration | None,
    minimum_seconds: float,
    maximum_seconds: float,
) -> None:
    """Raise ``ValueError`` unless a ``Duration`` lies within the bounds (``None`` passes)."""
    if value is None:
        return
    if not isinstance(value, cdk.Duration):
        raise TypeError(
            f"{name} must be an aws_cdk.Duration, got {value!r} ({type(value).__name__})"
        )
    if value.is_unresolved():
        return
    millis = value.to_milliseconds()
    if millis % 1000:
        raise ValueError(
            f"{name} must be a whole number of seconds, got {_number(millis)} ms "
            f"({value.to_human_string()})"
        )
    seconds = millis / 1000
    if not minimum_seconds <= seconds <= maximum_seconds:
        raise ValueError(
            f"{name} must be between {_number(minimum_seconds)} and "
            f"{_number(maximum_seconds)} seconds, got {_number(seconds)} seconds"
        )


def _number(value: float) -> str:
    """``value`` without exponent notation: whole numbers as integers."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def check_choice(name: str, value: str, allowed: Iterable[str]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``allowed``."""
    options = sorted(allowed)
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}; got {value!r}")


def check_emails(name: str, emails: Iterable[str]) -> tuple[str, ...]:
    """Return the addresses as a tuple; raise ``ValueError`` on one that is not an e-mail."""
    if isinstance(emails, str):
        raise TypeError(f"{name} must be a sequence of addresses, not a single string")
    result = tuple(emails)
    for address in result:
        if not isinstance(address, str) or not _EMAIL.match(address):
            raise ValueError(f"{name} contains {address!r}, which is not an e-mail address")
    return result


def check_instance(name: str, value: Any, expected: type) -> None:
    """Raise ``TypeError`` unless ``value`` is an instance of ``expected``."""
    if not isinstance(value, expected):
        raise TypeError(
            f"{name} must be a {expected.__module__}.{expected.__qualname__}, "
            f"got {value!r} ({type(value).__name__})"
        )


_T = TypeVar("_T")


def cfn_child(construct: IConstruct, cfn_type: type[_T]) -> _T:
    """The L1 resource ``cfn_type`` behind ``construct`` (its default child), or a
    ``TypeError`` saying what is there instead (an escape hatch may have replaced it).
    A real error, not an ``assert``, so it holds under ``python -O``."""
    child = construct.node.default_child
    if not isinstance(child, cfn_type):
        raise TypeError(
            f"{construct.node.path} must hold a {cfn_type.__name__} as its default child, "
            f"found {type(child).__name__}"
        )
    return child


def present(value: _T | None, what: str) -> _T:
    """``value``, or a ``ValueError`` naming ``what`` is missing (never an ``assert``)."""
    if value is None:
        raise ValueError(f"{what} is required here and was not given")
    return value


_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def check_stage_name(name: str, value: str) -> None:
    """Raise ``ValueError`` unless API Gateway accepts ``value`` as a stage name: 1 to 128
    letters, digits, hyphens or underscores."""
    if not isinstance(value, str) or not _STAGE_NAME.match(value):
        raise ValueError(f"{name} must be 1 to 128 letters, digits, '-' or '_', got {value!r}")
