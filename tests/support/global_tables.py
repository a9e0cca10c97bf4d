"""DynamoDB global tables across regions, on one moto server, as each consistency mode
behaves: a loopback proxy in front of moto that boto3 clients of every region talk to.

moto keeps one backend per region and no replication. The proxy reads each request's
region (SigV4 credential scope) and table, and:

- for a table in **STRONG** mode (multi-Region strong consistency), sends every region's
  request to the one copy in the table's home region: each read sees the latest write and
  each conditional write is decided once, for all regions, which is what MRSC promises;
- for an **EVENTUAL** table, sends it to the caller's own region's copy: writes reach the
  other regions only when :meth:`GlobalTables.replicate` runs (the replication lag), and
  then the later write of an item wins, as DynamoDB's last-writer-wins does;
- on request, answers a STRONG table's next writes with ``ReplicatedWriteConflictException``
  (HTTP 409), what MRSC returns when another region writes the same item at the same time.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3

_SCOPE = re.compile(r"(Credential=[^/]+/\d{8}/)([a-z0-9-]+)(/dynamodb/)")
_WRITES = ("PutItem", "UpdateItem", "DeleteItem")


@dataclass
class GlobalTables:
    """Global tables by name: consistency mode and home region; the proxy's endpoint."""

    upstream: str
    modes: Mapping[str, str]
    home: str
    regions: tuple[str, ...]
    endpoint: str = ""
    conflicts: dict[str, int] = field(default_factory=dict)
    conflicts_sent: int = 0

    def region_for(self, table: str | None, caller: str) -> str:
        """The region whose copy serves a request of ``caller`` to ``table``."""
        return self.home if table and self.modes.get(table) == "STRONG" else caller

    def client(self, region: str) -> Any:
        """A DynamoDB client of ``region`` that goes straight to moto (no proxy)."""
        return boto3.client("dynamodb", region_name=region, endpoint_url=self.upstream)

    def create(self, definition: Mapping[str, Any], table: str) -> None:
        """Create ``table`` in every region that holds a copy of it."""
        copies = [self.home] if self.modes[table] == "STRONG" else list(self.regions)
        for region in copies:
            client = self.client(region)
            client.create_table(TableName=table, **definition)
            client.get_waiter("table_exists").wait(TableName=table)

    def items(self, table: str, region: str) -> list[dict[str, Any]]:
        """Every item of ``region``'s copy of ``table`` (DynamoDB JSON)."""
        pages = self.client(self.region_for(table, region)).get_paginator("scan")
        return [item for page in pages.paginate(TableName=table) for item in page["Items"]]

    def replicate(self, table: str, key: tuple[str, ...]) -> None:
        """Let replication of an EVENTUAL table catch up: every region ends with every item,
        the item written last (by region order, a stand-in for the later timestamp)
        winning where two regions wrote the same key."""
        merged: dict[tuple[str, ...], dict[str, Any]] = {}
        for region in self.regions:
            for item in self.items(table, region):
                merged[tuple(json.dumps(item[k], sort_keys=True) for k in key)] = item
        for region in self.regions:
            client = self.client(region)
            for item in merged.values():
                client.put_item(TableName=table, Item=item)


def _handler_class(tables: GlobalTables) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read the tables instead."""

        def _send(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            operation = str(self.headers.get("X-Amz-Target", "")).rsplit(".", 1)[-1]
            table = json.loads(body or b"{}").get("TableName")
            if operation in _WRITES and tables.conflicts.get(table, 0) > 0:
                tables.conflicts[table] -= 1
                tables.conflicts_sent += 1
                error = {
                    "__type": "com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException",
                    "message": "Another Region wrote this item at the same time",
                }
                self._send(
                    409, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(error).encode()
                )
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            match = _SCOPE.search(headers.get("Authorization", ""))
            if match:
                target = tables.region_for(table, match.group(2))
                headers["Authorization"] = _SCOPE.sub(
                    rf"\g<1>{target}\g<3>", headers["Authorization"]
                )
            request = urllib.request.Request(
                tables.upstream + self.path, data=body, headers=headers, method="POST"
            )
            try:
                with urllib.request.urlopen(request) as response:
                    self._send(response.status, dict(response.headers), response.read())
            except urllib.error.HTTPError as error:
                self._send(error.code, dict(error.headers), error.read())

    return Proxy


@contextmanager
def global_tables(
    upstream: str, *, modes: Mapping[str, str], home: str, regions: tuple[str, ...]
) -> Iterator[GlobalTables]:
    """The proxy on a free loopback port in front of moto at ``upstream``."""
    tables = GlobalTables(upstream=upstream, modes=dict(modes), home=home, regions=regions)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(tables))
    tables.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tables
    finally:
        server.shutdown()
        server.server_close()
