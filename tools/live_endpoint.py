"""A loopback stand-in for a WebSocket stage's connections management API.

boto3's ``apigatewaymanagementapi`` client, given ``endpoint_url=<server>/<stage>``, sends
``PostToConnection`` as ``POST /<stage>/@connections/<url-encoded connection id>`` with the
message as the body. This server records each message per connection, answers 410
(``GoneException``) for connections marked gone and 403 (``ForbiddenException``, which
botocore does not retry) for connections marked failing, like API Gateway does.

    with ConnectionsEndpoint(stage="live") as endpoint:
        client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint.callback_url)
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_PATH_MARK = "/@connections/"


class ConnectionsEndpoint:
    """The server, its recordings and which connections are gone or failing."""

    def __init__(self, stage: str = "live", delay_seconds: float = 0.0) -> None:
        self.stage = stage
        #: How long each post takes to answer (a remote endpoint's latency).
        self.delay_seconds = delay_seconds
        #: The most posts that were in flight at once.
        self.max_in_flight = 0
        self._in_flight = 0
        self.gone: set[str] = set()
        self.failing: set[str] = set()
        self.received: dict[str, list[bytes]] = defaultdict(list)
        #: Every request as (method, path), for checking what the client sent.
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def callback_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/{self.stage}"

    def __enter__(self) -> ConnectionsEndpoint:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def delivered(self) -> dict[str, list[Any]]:
        """Messages received per connection, decoded from JSON."""
        with self._lock:
            return {c: [json.loads(m) for m in ms] for c, ms in self.received.items()}

    def _answer(self, method: str, path: str, body: bytes) -> tuple[int, str | None]:
        with self._lock:
            self.requests.append((method, path))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.delay_seconds:
                time.sleep(self.delay_seconds)
            return self._result(method, path, body)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _result(self, method: str, path: str, body: bytes) -> tuple[int, str | None]:
        prefix = f"/{self.stage}{_PATH_MARK}"
        if method != "POST" or not path.startswith(prefix):
            return 404, "NotFoundException"
        connection_id = urllib.parse.unquote(path[len(prefix) :])
        if connection_id in self.gone:
            return 410, "GoneException"
        if connection_id in self.failing:
            return 403, "ForbiddenException"
        with self._lock:
            self.received[connection_id].append(body)
        return 200, None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                status, error = endpoint._answer("POST", self.path, self.rfile.read(length))
                payload = json.dumps({"message": error}).encode() if error else b""
                self.send_response(status)
                if error:
                    self.send_header("x-amzn-ErrorType", error)
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: ARG002
                return  # quiet: tests and the benchmark read the recordings instead

        return Handler
