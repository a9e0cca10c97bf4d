"""Request parts that record what a handler reads of them.

An event's ``queryStringParameters``, ``headers`` and their ``multiValue*`` twins become
:class:`RecordingMapping` objects: every lookup, present or not, is recorded by name, and
enumerating them records :data:`EVERY` (a handler that walks all headers reads them all).

The shop's router (``shop_common.http.Headers``) and Powertools (its
``CaseInsensitiveDict``) copy ``headers`` into a case-insensitive mapping;
:func:`follow_powertools_copies` makes those copies record into the same log. A copy it
does not know about enumerates the original, which records :data:`EVERY`, so a change to
either shows up as a failing test, never as a read that goes unseen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import api_gateway_proxy_event, common

from shop_common import http

#: Recorded when a handler enumerates a request part instead of looking names up.
EVERY = "*"


@dataclass
class Reads:
    """Names read from each request part: ``{"headers": {"origin"}, ...}``; header names
    are lower-cased (HTTP field names are case-insensitive)."""

    parts: dict[str, set[str]] = field(default_factory=dict)

    def add(self, part: str, name: str) -> None:
        self.parts.setdefault(part, set()).add(name)

    def of(self, *parts: str) -> set[str]:
        """Every name read from any of ``parts``."""
        return set().union(*(self.parts.get(part, set()) for part in parts))


class RecordingMapping(Mapping[str, Any]):
    """A request part holding ``values`` that records each name looked up in it.

    Always truthy: API Gateway sends ``null`` for a request without query strings, and a
    handler's ``params or {}`` would then read from a plain dict, unrecorded.
    """

    def __init__(self, part: str, values: Mapping[str, Any], reads: Reads, *, fold: bool):
        self._part = part
        self._fold = fold
        self._values = {self._name(k): v for k, v in values.items()}
        self.reads = reads

    def _name(self, name: str) -> str:
        return name.lower() if self._fold else name

    def record(self, name: str) -> str:
        """Record a lookup of ``name``; return it as stored."""
        stored = self._name(name)
        self.reads.add(self._part, stored)
        return stored

    def __getitem__(self, name: str) -> Any:
        return self._values[self.record(name)]

    def __iter__(self) -> Iterator[str]:
        self.reads.add(self._part, EVERY)
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __bool__(self) -> bool:
        return True

    def unrecorded(self) -> dict[str, Any]:
        """The values, for a copy that records its own lookups."""
        return dict(self._values)


class _RecordingCopy(common.CaseInsensitiveDict):
    """Powertools' case-insensitive copy of a recording mapping, still recording."""

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        self._origin = data if isinstance(data, RecordingMapping) else None
        data = data.unrecorded() if self._origin else data
        super().__init__(data, **kwargs)  # type: ignore[no-untyped-call]

    def _record(self, name: str) -> None:
        if self._origin is not None:
            self._origin.record(name)

    def get(self, k: str, default: Any = None) -> Any:
        self._record(k)
        return dict.get(self, k.lower(), default)

    def __getitem__(self, k: str) -> Any:
        self._record(k)
        return dict.__getitem__(self, k.lower())

    def __contains__(self, k: object) -> bool:
        self._record(str(k))
        return dict.__contains__(self, str(k).lower())

    def __iter__(self) -> Iterator[str]:
        self._record(EVERY)
        return super().__iter__()

    def keys(self) -> Any:
        self._record(EVERY)
        return super().keys()

    def items(self) -> Any:
        self._record(EVERY)
        return super().items()

    def values(self) -> Any:
        self._record(EVERY)
        return super().values()


class _RecordingHeaders(http.Headers):
    """The router's case-insensitive headers, still recording into their original."""

    def __init__(self, raw: Any = None) -> None:
        self._origin = raw if isinstance(raw, RecordingMapping) else None
        super().__init__(raw.unrecorded() if self._origin else raw)

    def _record(self, name: str) -> None:
        if self._origin is not None:
            self._origin.record(name)

    def __getitem__(self, name: str) -> str:
        self._record(name)
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        self._record(str(name))
        return super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        self._record(EVERY)
        return super().__iter__()


@contextmanager
def follow_powertools_copies() -> Iterator[None]:
    """Within the block, the router's and Powertools' header copies record into their
    originals."""
    with pytest.MonkeyPatch.context() as patch:
        for module in (common, api_gateway_proxy_event):
            patch.setattr(module, "CaseInsensitiveDict", _RecordingCopy)
        patch.setattr(http, "Headers", _RecordingHeaders)
        yield


def recording_event(
    event: dict[str, Any], reads: Reads, *, headers: Mapping[str, str]
) -> dict[str, Any]:
    """``event`` (a REST proxy event) with recording query strings and ``headers``."""
    query = event.get("queryStringParameters") or {}
    parts = {
        "queryStringParameters": (query, False),
        "multiValueQueryStringParameters": ({k: [v] for k, v in query.items()}, False),
        "headers": (headers, True),
        "multiValueHeaders": ({k: [v] for k, v in headers.items()}, True),
    }
    recorded = {
        part: RecordingMapping(part, values, reads, fold=fold)
        for part, (values, fold) in parts.items()
    }
    return {**event, **recorded}
