"""Lambda's event filtering, for the patterns our mappings use: which records a mapping's
``FilterCriteria`` lets through to the function.

A record passes when it matches any filter; it matches a pattern when, for every key of
the pattern, the record has the key and its value matches: a nested object recursively,
a list of literals by equality with one of them. The content-filtering operators
(``prefix``, ``numeric``, ``exists`` ...) are refused rather than guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def mapping_filters(template: Mapping[str, Any], function_prefix: str) -> list[dict[str, Any]]:
    """The filter patterns of the one event source mapping whose function's logical id
    starts with ``function_prefix``."""
    (mapping,) = _mappings(template, lambda ref: ref.startswith(function_prefix))
    return list(criteria_patterns(mapping))


def handler_mapping(template: Mapping[str, Any], handler: str) -> tuple[str, dict[str, Any]]:
    """The logical id of the one function whose ``Handler`` is ``handler``, and the
    properties of its one event source mapping."""
    resources = template["Resources"]
    (function_id,) = [
        k
        for k, r in resources.items()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == handler
    ]
    (mapping,) = _mappings(template, lambda ref: ref == function_id)
    return function_id, mapping


def _mappings(
    template: Mapping[str, Any], of_function: Callable[[str], bool]
) -> list[dict[str, Any]]:
    """The event source mappings (properties) whose function (logical id) is chosen;
    ``ValueError`` unless there is exactly one."""
    found = []
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        props = resource["Properties"]
        function = props["FunctionName"]
        ref = function.get("Ref", "") if isinstance(function, dict) else str(function)
        if of_function(ref):
            found.append(props)
    if len(found) != 1:
        raise ValueError(f"expected one event source mapping, found {len(found)}")
    return found


def criteria_patterns(mapping: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """The filter patterns of one event source mapping's properties (none: every record)."""
    criteria = mapping.get("FilterCriteria") or {"Filters": []}
    return tuple(json.loads(f["Pattern"]) for f in criteria["Filters"])


def passes(record: Mapping[str, Any], patterns: Sequence[Mapping[str, Any]]) -> bool:
    """Whether Lambda hands ``record`` to the function (no filters: every record)."""
    return not patterns or any(_matches(record, pattern) for pattern in patterns)


def _matches(value: Any, pattern: Mapping[str, Any]) -> bool:
    if not isinstance(value, Mapping):
        return False
    for key, wanted in pattern.items():
        if key not in value:
            return False
        if isinstance(wanted, Mapping):
            if not _matches(value[key], wanted):
                return False
            continue
        for literal in wanted:
            if isinstance(literal, Mapping):
                raise NotImplementedError(f"filter operator {literal} is not modelled here")
        if value[key] not in wanted:
            return False
    return True
