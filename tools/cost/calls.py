"""Recording the AWS calls a handler makes, and DynamoDB's request units for each.

Every call any boto3 client of this process sends (whenever the client was created) is
recorded at the wire: ``BaseClient._make_request`` sees the serialized request and the
parsed response before boto3's resource layer turns them into Python values. moto's
``ConsumedCapacity`` is a constant (it does not look at item sizes), so the units are
computed here from the items as DynamoDB bills them:

- reads: 4 KB units of the whole items read (a projection does not make them smaller:
  a projected read is issued again, unrecorded, for the sizes), half a unit for an
  eventually consistent read, a Query's or Scan's items summed before rounding, each
  item of a batch rounded on its own, a transaction x2;
- writes: 1 KB units of the larger of the item before and after the write (read back from
  the emulator around the call, unrecorded), also for a failed condition, plus one write
  per global secondary index whose keys the item holds, a transaction x2.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

_READ, _WRITE = 4096, 1024
_STATE = threading.local()


@dataclass(frozen=True)
class Call:
    """One AWS call: service, operation, its request (wire form) and DynamoDB units."""

    service: str
    operation: str
    request: dict[str, Any]
    rru: float = 0.0
    wru: float = 0.0


@dataclass
class Recording:
    """The calls made inside :func:`recording`, in order."""

    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def operations(self) -> Counter[tuple[str, str]]:
        """Calls per (service, operation)."""
        return Counter((c.service, c.operation) for c in self.calls)

    def units(self) -> tuple[float, float]:
        """DynamoDB (read units, write units) of every call."""
        return sum(c.rru for c in self.calls), sum(c.wru for c in self.calls)


def attribute_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one attribute value (wire form, ``{"S": "..."}``)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner) * 3 // 4 if isinstance(inner, str) else len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + attribute_size(v) for k, v in inner.items())
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: dict[str, Any] | None) -> int:
    """Bytes of an item: its attribute names and values."""
    return sum(len(k.encode()) + attribute_size(v) for k, v in (item or {}).items())


def read_units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / _READ)) * (1.0 if consistent else 0.5)


def write_units(size: int) -> float:
    return float(max(1, math.ceil(size / _WRITE)))


class _Tables:
    """Key schemas and indexes of the emulator's tables, and items read back unrecorded."""

    def __init__(self) -> None:
        import boto3

        # A plain client: a resource's own client would marshal the typed keys again.
        self._client = boto3.session.Session().client("dynamodb")
        self._described: dict[str, dict[str, Any]] = {}

    def table(self, name: str) -> dict[str, Any]:
        if name not in self._described:
            _STATE.off = True
            try:
                self._described[name] = dict(self._client.describe_table(TableName=name)["Table"])
            finally:
                _STATE.off = False
        return self._described[name]

    def key_of(self, name: str, item: dict[str, Any]) -> dict[str, Any]:
        return {k["AttributeName"]: item[k["AttributeName"]] for k in self.table(name)["KeySchema"]}

    def current(self, name: str, key: dict[str, Any]) -> dict[str, Any] | None:
        _STATE.off = True
        try:
            found = self._client.get_item(TableName=name, Key=key, ConsistentRead=True)
        finally:
            _STATE.off = False
        return found.get("Item")

    def unprojected(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """The read again, unrecorded, with every attribute of the items it reads."""
        again = {k: v for k, v in request.items() if k not in ("ProjectionExpression", "Select")}
        used = " ".join(
            str(v) for k, v in again.items() if k.endswith("Expression") and isinstance(v, str)
        )
        names = {k: v for k, v in again.pop("ExpressionAttributeNames", {}).items() if k in used}
        if names:
            again["ExpressionAttributeNames"] = names
        method = {"GetItem": "get_item", "Query": "query", "Scan": "scan"}[operation]
        _STATE.off = True
        try:
            found: dict[str, Any] = getattr(self._client, method)(**again)
        finally:
            _STATE.off = False
        return found

    def index_writes(self, name: str, items: list[dict[str, Any] | None]) -> float:
        """Write units on the indexes that hold the item before or after."""
        units = 0.0
        for index in self.table(name).get("GlobalSecondaryIndexes", []):
            keys = [k["AttributeName"] for k in index["KeySchema"]]
            held = [i for i in items if i and all(k in i for k in keys)]
            units += write_units(max(item_size(i) for i in held)) * len(held) if held else 0.0
        return units


def _projected(request: dict[str, Any]) -> bool:
    return "ProjectionExpression" in request or request.get("Select") not in (
        None,
        "ALL_ATTRIBUTES",
    )


def _write_units(tables: _Tables, name: str, before: Any, after: Any) -> float:
    size = max(item_size(before), item_size(after))
    return write_units(size) + tables.index_writes(name, [before, after])


def _dynamodb(
    tables: _Tables, operation: str, request: dict[str, Any], send: Any
) -> tuple[Any, float, float]:
    """Send the request; return (botocore's (http, parsed) result, read units, write units)."""
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        name = request["TableName"]
        key = request.get("Key") or tables.key_of(name, request["Item"])
        before = tables.current(name, key)
        try:
            response = send()
        finally:
            after = tables.current(name, key)
        return response, 0.0, _write_units(tables, name, before, after)
    if operation == "TransactWriteItems":
        changes = []
        for entry in request["TransactItems"]:
            ((kind, part),) = entry.items()
            key = part.get("Key") or tables.key_of(part["TableName"], part["Item"])
            changes.append((kind, part["TableName"], key, tables.current(part["TableName"], key)))
        response = send()
        wru = 0.0
        for kind, name, key, before in changes:
            after = tables.current(name, key)
            one = _write_units(tables, name, before, after)
            wru += 2 * (write_units(item_size(before)) if kind == "ConditionCheck" else one)
        return response, 0.0, wru
    if operation == "BatchWriteItem":
        wru = 0.0
        for name, requests in request["RequestItems"].items():
            for entry in requests:
                put = entry.get("PutRequest", {}).get("Item")
                key = entry.get("DeleteRequest", {}).get("Key") or tables.key_of(name, put or {})
                wru += _write_units(tables, name, tables.current(name, key), put)
        return send(), 0.0, wru
    result = send()
    response = result[1]
    consistent = bool(request.get("ConsistentRead"))
    if operation == "GetItem":
        item = tables.unprojected(operation, request).get("Item") if _projected(request) else None
        size = item_size(item or response.get("Item"))
        return result, read_units(size, consistent), 0.0
    if operation in ("Query", "Scan"):
        items = response.get("Items", [])
        if _projected(request):  # DynamoDB bills the whole items it reads
            items = tables.unprojected(operation, request).get("Items", [])
        size = sum(item_size(i) for i in items)
        return result, read_units(size, consistent), 0.0
    if operation == "BatchGetItem":
        rru = 0.0
        for name, items in response.get("Responses", {}).items():
            strong = bool(request["RequestItems"][name].get("ConsistentRead"))
            found = {json.dumps(tables.key_of(name, i), sort_keys=True): i for i in items}
            for key in request["RequestItems"][name]["Keys"]:
                rru += read_units(item_size(found.get(json.dumps(key, sort_keys=True))), strong)
        return result, rru, 0.0
    if operation == "TransactGetItems":
        sizes = [item_size(r.get("Item")) for r in response.get("Responses", [])]
        return result, sum(2 * read_units(s, True) for s in sizes), 0.0
    return result, 0.0, 0.0


@contextmanager
def recording() -> Iterator[Recording]:
    """Record every AWS call of this process (all threads) made within the block."""
    log = Recording()
    original = BaseClient._make_request  # type: ignore[attr-defined]
    tables: list[_Tables] = []

    def make_request(
        self: BaseClient, operation_model: Any, request_dict: Any, context: Any
    ) -> Any:
        def send() -> Any:
            return original(self, operation_model, request_dict, context)

        if getattr(_STATE, "off", False):
            return send()
        service = self.meta.service_model.service_name
        body = request_dict.get("body") or b""
        request = json.loads(body) if service == "dynamodb" and body else {}
        if service == "dynamodb":
            _STATE.off = True
            try:
                if not tables:
                    tables.append(_Tables())
            finally:
                _STATE.off = False
            checker = tables[0]
            response, rru, wru = _dynamodb(checker, operation_model.name, request, send)
        else:
            response, rru, wru = send(), 0.0, 0.0
            request = _summary(request_dict)
        log.add(Call(service, operation_model.name, request, rru, wru))
        return response

    BaseClient._make_request = make_request  # type: ignore[attr-defined]
    try:
        yield log
    finally:
        BaseClient._make_request = original  # type: ignore[attr-defined]


def _summary(request_dict: dict[str, Any]) -> dict[str, Any]:
    """What the cost model needs of a non-DynamoDB request: its body's size."""
    body = request_dict.get("body") or b""
    return {"body_bytes": len(body) if isinstance(body, bytes | str) else 0}
