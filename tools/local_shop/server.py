"""The local backend's HTTP server: the storefront's files, its ``config.json``, the shop
API (under ``/<stage>/``) and the ingest stand-in (under ``/ingest/``), on 127.0.0.1.

The page is served from ``http://127.0.0.1:<port>`` and calls the API at
``http://localhost:<port>``: another origin, so the browser applies CORS as it does to the
deployed API, with the headers the template's preflight answers allow.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tools.local_shop.gateway import Answer

_FILE = re.compile(r"^/([A-Za-z0-9_.-]+)$")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

#: (method, path, query, headers, body) -> Answer
Route = Callable[[str, str, dict[str, str], dict[str, str], bytes], Answer]


class ShopServer:
    """Serves ``site_dir`` and ``config`` at ``/``, and ``routes`` by path prefix."""

    def __init__(
        self,
        site_dir: Path,
        config: Callable[[], dict[str, Any]],
        routes: dict[str, Route],
        site_headers: dict[str, str],
    ) -> None:
        self.site_dir = site_dir
        self.config = config
        self.routes = routes
        self.site_headers = site_headers
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=10)

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        url = urlsplit(target)
        for prefix, route in self.routes.items():
            if url.path.startswith(prefix):
                query = dict(parse_qsl(url.query, keep_blank_values=True))
                return route(method, url.path[len(prefix) - 1 :], query, headers, body)
        if method not in ("GET", "HEAD"):
            return Answer(405, {"Allow": "GET, HEAD"})
        if url.path == "/config.json":
            text = json.dumps(self.config()).encode()
            return Answer(200, {"Content-Type": _TYPES[".json"], **self.site_headers}, text)
        name = "index.html" if url.path == "/" else None
        found = _FILE.match(url.path)
        if found is not None:
            name = found.group(1)
        path = self.site_dir / name if name else None
        if path is None or not path.is_file():
            return Answer(404, {"Content-Type": "text/plain"}, b"Not found")
        content_type = _TYPES.get(path.suffix, "application/octet-stream")
        return Answer(200, {"Content-Type": content_type, **self.site_headers}, path.read_bytes())

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                return  # quiet: tests and the sandbox print what matters

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = dict(self.headers.items())
                answer = server.answer(self.command, self.path, headers, body)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            # http.server's names for the handler of each method.
            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve  # noqa: N815
            do_OPTIONS = do_HEAD = _serve  # noqa: N815

        return Handler
