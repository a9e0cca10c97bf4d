"""The HTTP side of the local live backend, on one loopback port:

- ``POST /<stage>/@connections/<id>``: the WebSocket stage's connections management API,
  as the broadcaster's boto3 ``apigatewaymanagementapi`` client calls it; 200 when sent
  to the open socket, 410 ``GoneException`` when there is none;
- ``GET /live-token``: the shop API's route, running the real issuer with API Gateway's
  REST proxy event; the Cognito authorizer is stood in for by reading the claims of the
  ``Authorization`` JWT *without checking its signature* (401 without one);
- ``GET /<file>``: the storefront folder (the dashboard), and ``/config.json`` pointing
  the page at this backend.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tools.local_live.websocket import ConnectionGoneError

_MARK = "/@connections/"


def unverified_claims(authorization: str | None) -> dict[str, Any] | None:
    """The payload of a JWT, unchecked (the local stand-in for the Cognito authorizer)."""
    parts = (authorization or "").removeprefix("Bearer ").split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) and claims.get("sub") else None


def proxy_event(path: str, headers: Mapping[str, str], claims: dict[str, Any]) -> dict[str, Any]:
    """API Gateway's REST proxy event of a GET of ``path`` by a Cognito-verified caller."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": dict(headers),
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "pathParameters": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": "GET",
            "stage": "local",
            "authorizer": {"claims": claims},
        },
        "body": None,
        "isBase64Encoded": False,
    }


class HttpApi:
    """The server (see the module); ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(
        self,
        *,
        stage: str,
        post: Callable[[str, bytes], None],
        issuer: Callable[[Mapping[str, Any]], Any],
        site: Path,
        config: Callable[[], dict[str, Any]],
    ) -> None:
        self.stage = stage
        self.post = post
        self.issuer = issuer
        self.site = site.resolve()
        self.config = config
        #: Posts answered, as (connection id, status).
        self.posts: list[tuple[str, int]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def callback_url(self) -> str:
        return f"{self.url}/{self.stage}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _management(self, path: str, body: bytes) -> tuple[int, dict[str, Any] | None]:
        prefix = f"/{self.stage}{_MARK}"
        if not path.startswith(prefix):
            return 404, {"message": "NotFoundException"}
        connection_id = urllib.parse.unquote(path[len(prefix) :])
        try:
            self.post(connection_id, body)
        except ConnectionGoneError:
            self.posts.append((connection_id, 410))
            return 410, {"message": "GoneException"}
        self.posts.append((connection_id, 200))
        return 200, None

    def _file(self, path: str) -> tuple[int, bytes, str]:
        if path == "/config.json":
            return 200, json.dumps(self.config()).encode(), "application/json"
        name = path.lstrip("/") or "dashboard.html"
        target = (self.site / name).resolve()
        if self.site not in target.parents or not target.is_file():
            return 404, b"Not found\n", "text/plain"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".js":
            kind = "text/javascript"
        return 200, target.read_bytes(), kind

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(
                self, status: int, body: bytes, headers: Mapping[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                status, error = api._management(self.path, self.rfile.read(length))
                headers = {}
                if error:
                    headers = {
                        "x-amzn-ErrorType": error["message"],
                        "Content-Type": "application/json",
                    }
                self._send(status, json.dumps(error).encode() if error else b"", headers)

            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                if path == "/live-token":
                    self._token()
                    return
                status, body, kind = api._file(path)
                self._send(status, body, {"Content-Type": kind, "Cache-Control": "no-store"})

            def _token(self) -> None:
                claims = unverified_claims(self.headers.get("Authorization"))
                if claims is None:
                    refusal = json.dumps({"message": "Unauthorized"}).encode()
                    self._send(401, refusal, {"Content-Type": "application/json"})
                    return
                headers = dict(self.headers.items())
                answer = api.issuer(proxy_event("/live-token", headers, claims))
                out = {k: v[0] for k, v in (answer.get("multiValueHeaders") or {}).items()}
                text = str(answer.get("body") or "")
                raw = base64.b64decode(text) if answer.get("isBase64Encoded") else text.encode()
                self._send(int(answer["statusCode"]), raw, out)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: ARG002
                return

        return Handler


def local_id_token(subject: str, **claims: Any) -> str:
    """An unsigned JWT with ``sub`` (what :func:`unverified_claims` accepts locally; a real
    API Gateway refuses it)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'sub': subject, **claims})}.local"
