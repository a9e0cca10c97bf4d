"""The WebSocket API, locally: a real WebSocket server on 127.0.0.1 that runs the
``$connect`` authorizer and the routes' handler in this process with API Gateway's
WebSocket event shapes, and sends what ``PostToConnection`` posts (:meth:`post`).

A connect is refused 401 when an identity source is missing (before the authorizer, as
API Gateway does), 403 when the authorizer denies, and with the route's status when
``$connect`` answers other than 2XX. ``$default`` answers that carry a body are sent back
on the socket (the API's route response). A closed socket runs ``$disconnect``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

Invoke = Callable[[Mapping[str, Any]], Any]


class ConnectionGoneError(LookupError):
    """No open socket has this connection id (``PostToConnection`` answers 410)."""


def new_connection_id() -> str:
    """An id shaped like API Gateway's (12 random bytes, base64)."""
    return base64.b64encode(os.urandom(12)).decode()


class WebSocketApi:
    """The server; ``url`` is ``ws://127.0.0.1:<port>/<stage>``."""

    def __init__(
        self,
        *,
        authorizer: Invoke,
        routes: Invoke,
        api_id: str,
        stage: str,
        identity_sources: tuple[str, ...],
    ) -> None:
        self.authorizer = authorizer
        self.routes = routes
        self.api_id = api_id
        self.stage = stage
        self.query_sources = tuple(
            s.removeprefix("route.request.querystring.")
            for s in identity_sources
            if s.startswith("route.request.querystring.")
        )
        self.open: dict[str, ServerConnection] = {}
        #: Connects refused, as (status, reason), for tests and the person's log.
        self.refused: list[tuple[int, str]] = []
        self._ids: dict[Any, tuple[str, dict[str, str], str]] = {}
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="websocket-api", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/{self.stage}"

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the WebSocket server did not start")

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await serve(
                self._serve, "127.0.0.1", 0, process_request=self._handshake, ping_interval=None
            )
            self.port = next(iter(self._server.sockets)).getsockname()[1]
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def _context(self, route: str, connection_id: str) -> dict[str, Any]:
        kinds = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}
        return {
            "routeKey": route,
            "eventType": kinds.get(route, "MESSAGE"),
            "connectionId": connection_id,
            "stage": self.stage,
            "apiId": self.api_id,
            "domainName": f"127.0.0.1:{self.port}",
            "requestId": new_connection_id(),
            "requestTimeEpoch": int(time.time() * 1000),
            "connectedAt": int(time.time() * 1000),
        }

    async def _handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urllib.parse.urlsplit(request.path)
        if url.path.rstrip("/") != f"/{self.stage}":
            return connection.respond(404, "Not found\n")
        query = dict(urllib.parse.parse_qsl(url.query))
        headers = dict(request.headers.raw_items())
        if any(not query.get(name) for name in self.query_sources):
            self.refused.append((401, "identity source missing"))
            return connection.respond(401, "Unauthorized\n")
        connection_id = new_connection_id()
        method_arn = (
            f"arn:aws:execute-api:us-east-1:123456789012:{self.api_id}/{self.stage}/$connect"
        )
        decision = await asyncio.to_thread(
            self.authorizer,
            {
                "type": "REQUEST",
                "methodArn": method_arn,
                "headers": headers,
                "queryStringParameters": query,
                "requestContext": self._context("$connect", connection_id),
            },
        )
        statements = (decision or {}).get("policyDocument", {}).get("Statement", [])
        if not statements or any(s.get("Effect") != "Allow" for s in statements):
            self.refused.append((403, "authorizer denied"))
            return connection.respond(403, "Forbidden\n")
        context = self._context("$connect", connection_id)
        context["authorizer"] = {"principalId": decision.get("principalId")}
        answer = await asyncio.to_thread(
            self.routes,
            {
                "requestContext": context,
                "headers": headers,
                "queryStringParameters": query,
                "isBase64Encoded": False,
            },
        )
        status = int((answer or {}).get("statusCode", 200))
        if not 200 <= status < 300:
            self.refused.append((status, "$connect refused"))
            return connection.respond(status, "Connect refused\n")
        self._ids[connection.id] = (connection_id, headers, str(decision.get("principalId")))
        return None

    async def _serve(self, connection: ServerConnection) -> None:
        connection_id, _, _ = self._ids.pop(connection.id)
        self.open[connection_id] = connection
        try:
            async for frame in connection:
                body = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
                answer = await asyncio.to_thread(
                    self.routes,
                    {
                        "requestContext": self._context("$default", connection_id),
                        "body": body,
                        "isBase64Encoded": False,
                    },
                )
                reply = (answer or {}).get("body")
                if reply is not None:
                    await connection.send(str(reply))
        except ConnectionClosed:
            pass
        finally:
            self.open.pop(connection_id, None)
            await asyncio.to_thread(
                self.routes,
                {
                    "requestContext": self._context("$disconnect", connection_id),
                    "isBase64Encoded": False,
                },
            )

    def post(self, connection_id: str, data: bytes) -> None:
        """Send ``data`` to an open socket (``ConnectionGoneError`` when there is none)."""
        connection = self.open.get(connection_id)
        if connection is None:
            raise ConnectionGoneError(connection_id)
        text = data.decode("utf-8", "replace")
        try:
            asyncio.run_coroutine_threadsafe(connection.send(text), self._loop).result(10)
        except ConnectionClosed as error:
            raise ConnectionGoneError(connection_id) from error

    def drop_all(self) -> int:
        """Close every open socket from the server's side (as API Gateway does at its idle
        timeout or 2-hour limit); ``$disconnect`` runs for each. Returns how many."""
        sockets = list(self.open.values())
        for connection in sockets:
            asyncio.run_coroutine_threadsafe(
                connection.close(1001, "Going away"), self._loop
            ).result(10)
        return len(sockets)
