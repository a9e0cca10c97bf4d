"""The two AWS APIs a CodeDeploy traffic hook calls, served on a loopback port over HTTP.

moto cannot run a Lambda function without Docker and has no
``PutLifecycleEventHookExecutionStatus``: this server answers Lambda's ``Invoke`` (REST,
``POST /2015-03-31/functions/<name>/invocations``) by running a registered handler in
this process, and CodeDeploy's JSON 1.1 call by recording it, so the hook's real boto3
clients are exercised over the wire.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[dict[str, Any]], Any]
_INVOKE = "/2015-03-31/functions/"
_REPORT = "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"


@dataclass
class DeployServices:
    """What the hook did: invocations per function ARN, reports to CodeDeploy."""

    endpoint: str = ""
    functions: dict[str, Handler] = field(default_factory=dict)
    denied: set[str] = field(default_factory=set)
    invocations: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reports: list[dict[str, str]] = field(default_factory=list)


def _handler_class(services: DeployServices) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read what was recorded instead."""

        def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path.startswith(_INVOKE):
                name = urllib.parse.unquote(self.path[len(_INVOKE) :].split("/")[0])
                self._invoke(name, json.loads(body))
            elif self.headers.get("X-Amz-Target") == _REPORT:
                services.reports.append(json.loads(body))
                self._reply(
                    200,
                    {
                        "lifecycleEventHookExecutionId": json.loads(body)[
                            "lifecycleEventHookExecutionId"
                        ]
                    },
                )
            else:
                self._reply(400, {"__type": "UnknownOperationException"})

        def _invoke(self, name: str, event: dict[str, Any]) -> None:
            if name in services.denied:
                self._reply(
                    403,
                    {"Type": "User", "message": f"not authorized to invoke {name}"},
                    {"X-Amzn-ErrorType": "AccessDeniedException"},
                )
                return
            services.invocations.append((name, event))
            try:
                result = services.functions[name](event)
            except Exception as error:
                self._reply(
                    200,
                    {"errorMessage": str(error), "errorType": type(error).__name__},
                    {"X-Amz-Function-Error": "Unhandled"},
                )
                return
            self._reply(200, result)

    return Handler


@contextmanager
def deploy_services() -> Iterator[DeployServices]:
    """Serve on 127.0.0.1 with a free port until the block ends."""
    services = DeployServices()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(services))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    services.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield services
    finally:
        server.shutdown()
        server.server_close()
