"""Type checks of every argument of a public constructor, from its annotations.

``@checked`` on a constructor (or ``check_fields`` in a dataclass's ``__post_init__``)
raises ``TypeError`` naming our argument, the value given and the type expected, before
anything reaches jsii: a bucket where a stream belongs, a key ARN string where an
``IKey`` belongs, a float where AWS needs a whole number. AWS interfaces are checked
against what the object implements on the jsii side (imported resources included), not
by their Python class. Unresolved tokens pass where their kind (string, number, list) does.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import functools
import inspect
import os
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import aws_cdk as cdk

_F = TypeVar("_F", bound=Callable[..., Any])
_NONE = type(None)


def checked(function: _F) -> _F:
    """Check every argument of ``function`` against its annotation before it runs."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        hints = _hints(function)
        for name, value in bound.arguments.items():
            if name in hints and name not in ("self", "scope"):
                check_type(name, value, hints[name])
        return function(*args, **kwargs)

    # Documentation and ``inspect.signature`` show the real parameters, not ``*args``.
    wrapper.__signature__ = signature  # type: ignore[attr-defined]
    return typing.cast(_F, wrapper)


def check_fields(instance: Any, context: str = "") -> None:
    """Check every field of a dataclass ``instance`` against its annotation; ``context``
    (e.g. ``usage plan Partner``) starts the message."""
    hints = _hints(type(instance))
    for field in dataclasses.fields(instance):
        check_type(field.name, getattr(instance, field.name), hints[field.name], context)


_HINTS: dict[Any, dict[str, Any]] = {}


def _hints(owner: Any) -> dict[str, Any]:
    if owner not in _HINTS:
        _HINTS[owner] = typing.get_type_hints(owner)
    return _HINTS[owner]


def check_type(name: str, value: Any, hint: Any, context: str = "") -> None:
    """Raise ``TypeError`` unless ``value`` fits ``hint``, naming ``name`` and ``value``."""
    problem = _mismatch(name, value, hint)
    if problem is not None:
        where, expected, bad = problem
        prefix = f"{context}: " if context else ""
        message = f"{prefix}{where} must be {expected}, got {bad!r} ({type(bad).__name__})"
        if _outside_choices(bad, hint):
            raise ValueError(message)  # the right kind of value, not one of the choices
        raise TypeError(message)


def _outside_choices(value: Any, hint: Any) -> bool:
    """Whether ``hint`` is (optionally) a ``Literal`` whose choices share ``value``'s type."""
    arms = (
        typing.get_args(hint)
        if typing.get_origin(hint) in (typing.Union, types.UnionType)
        else (hint,)
    )
    choices = [
        choice
        for arm in arms
        if typing.get_origin(arm) is typing.Literal
        for choice in typing.get_args(arm)
    ]
    return bool(choices) and all(type(choice) is type(value) for choice in choices)


def describe(hint: Any) -> str:
    """``hint`` in words: ``aws_cdk.aws_kinesis.IStream or None``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(arg) for arg in typing.get_args(hint))
    if hint is _NONE:
        return "None"
    args = [arg for arg in typing.get_args(hint) if arg is not Ellipsis]
    if origin in (dict, collections.abc.Mapping) and len(args) == 2:
        return f"a mapping of {_bare(args[0])} to {_bare(args[1])}"
    if origin in (list, tuple, collections.abc.Sequence):
        return f"a sequence (not a single string) of {_bare(args[0]) if args else 'values'}"
    if origin is not None:
        return str(hint)
    if hint in (int, float):
        return "a whole number (int)" if hint is int else "a number"
    name = _bare(hint)
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


def _bare(hint: Any) -> str:
    """A type's public name: ``str``, ``aws_cdk.aws_s3.IBucket``, ``patterns.Route``."""
    if typing.get_origin(hint) is not None or not isinstance(hint, type):
        return describe(hint)
    module = hint.__module__
    if module == "builtins":
        return hint.__name__
    if module.startswith("patterns"):
        return f"patterns.{hint.__qualname__}"
    return f"{module}.{hint.__qualname__}"


def _mismatch(name: str, value: Any, hint: Any) -> tuple[str, str, Any] | None:
    """``None`` when ``value`` fits; else (where, what was expected, the offending value)."""
    if hint is Any or hint is object:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        problems = [_mismatch(name, value, arg) for arg in args]
        if any(p is None for p in problems):
            return None
        # One container type matched but an element did not: report the element.
        deep = [p for p in problems if p is not None and p[0] != name]
        return deep[0] if deep else (name, describe(hint), value)
    if origin is typing.Literal:
        return None if value in args else (name, describe(hint), value)
    if origin is not None:
        return _container_mismatch(name, value, hint, origin, args)
    return None if _fits(value, hint) else (name, describe(hint), value)


def _container_mismatch(
    name: str, value: Any, hint: Any, origin: Any, args: tuple[Any, ...]
) -> tuple[str, str, Any] | None:
    if origin is type:
        return None if isinstance(value, type) else (name, describe(hint), value)
    if isinstance(origin, type) and issubclass(origin, os.PathLike):
        return None if isinstance(value, os.PathLike) else (name, describe(hint), value)
    if origin in (collections.abc.Callable,):
        return None if callable(value) else (name, describe(hint), value)
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, collections.abc.Mapping):
            return (name, describe(hint), value)
        key_hint, value_hint = args or (Any, Any)
        for key, item in value.items():
            problem = _mismatch(f"{name} key", key, key_hint) or _mismatch(
                f"{name}[{key!r}]", item, value_hint
            )
            if problem is not None:
                return problem
        return None
    if origin in (list, tuple, collections.abc.Sequence):
        if isinstance(value, (str, bytes)) or not isinstance(value, collections.abc.Sequence):
            if _is_token_list(value):
                return None
            return (name, describe(hint), value)
        item_hint = args[0] if args else Any
        for index, item in enumerate(value):
            problem = _mismatch(f"{name}[{index}]", item, item_hint)
            if problem is not None:
                return problem
        return None
    return None


def _is_token_list(value: Any) -> bool:
    return isinstance(value, list) and cdk.Token.is_unresolved(value)


def _fits(value: Any, hint: Any) -> bool:
    if hint is _NONE:
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (
            isinstance(value, float) and cdk.Token.is_unresolved(value)
        )
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if not isinstance(hint, type):
        return True
    if getattr(hint, "_is_protocol", False) and getattr(hint, "__jsii_type__", None):
        return getattr(hint, "__jsii_type__", None) in jsii_types(value)
    if issubclass(hint, enum.Enum):
        return isinstance(value, hint)
    return isinstance(value, hint)


def jsii_types(value: Any) -> set[str]:
    """The jsii type names ``value`` is or implements (classes, interfaces, their bases)."""
    delegates = value.__dict__.get("_delegates") if hasattr(value, "__dict__") else None
    if delegates is not None:
        return set().union(*(jsii_types(d) for d in delegates))
    found: set[str] = set()
    for cls in type(value).__mro__:
        for kind in (cls, *getattr(cls, "__jsii_ifaces__", ())):
            for base in getattr(kind, "__mro__", (kind,)):
                name = base.__dict__.get("__jsii_type__") if hasattr(base, "__dict__") else None
                if isinstance(name, str):
                    found.add(name)
    return found
