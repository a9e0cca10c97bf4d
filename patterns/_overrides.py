"""Escape hatches (``*_props``) that cannot silently undo a secure default.

Each pattern merges its ``*_props`` mapping last into the CDK construct it wraps. Before
merging, every key a pattern guards is checked: an override that keeps the property
secure (a stronger TLS policy, a customer-managed key) is taken; one that weakens it
(``enforce_ssl=False``), or that replaces what the pattern builds from its own arguments
(``deploy_options``, ``default_behavior``), raises a ``ValueError`` naming the argument,
the key, the value and what to do instead. Keys a pattern does not guard pass through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Guard:
    """What an override of one key may be: ``accepts(value)`` says, ``reason`` tells."""

    accepts: Callable[[Any], bool]
    reason: str  # why a refused value is refused, and what to do instead


def use_argument(*arguments: str) -> Guard:
    """A key the pattern sets from its own arguments: the override is always refused."""
    names = " or ".join(f"{a}=" for a in arguments)
    return Guard(lambda _value: False, f"the pattern sets it from {names}; pass that instead")


def only(allowed: str, *values: Any) -> Guard:
    """A key whose override must equal one of ``values`` (described by ``allowed``)."""
    return Guard(lambda value: any(value == v for v in values), weakens(allowed))


def weakens(allowed: str) -> str:
    """The reason of a guard on a secure default: what it may be instead."""
    return f"it would weaken a secure default of the pattern (allowed: {allowed})"


def refuse(reason: str) -> Guard:
    """A key the pattern owns outright (what to do instead is in ``reason``)."""
    return Guard(lambda _value: False, reason)


def each(guard: Guard) -> Guard:
    """A key holding a mapping or a sequence whose every item ``guard`` must accept."""

    def accepts(value: Any) -> bool:
        items: Iterable[Any] = value.values() if isinstance(value, Mapping) else value
        return all(guard.accepts(item) for item in items)

    return Guard(accepts, f"for every item, {guard.reason}")


def merged(
    argument: str,
    props: Mapping[str, Any],
    overrides: Mapping[str, Any] | None,
    guards: Mapping[str, Guard],
) -> dict[str, Any]:
    """``props`` updated with ``overrides``, each guarded key checked first."""
    if overrides is None:
        return dict(props)
    if not isinstance(overrides, Mapping):
        raise TypeError(
            f"{argument} must be a mapping of keyword arguments, got {type(overrides).__name__}"
        )
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise TypeError(f"{argument} keys must be strings, got {key!r}")
        guard = guards.get(key)
        if guard is not None and not guard.accepts(value):
            raise ValueError(f"{argument}={{{key!r}: {value!r}}} is refused: {guard.reason}")
    return {**props, **overrides}
