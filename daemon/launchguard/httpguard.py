"""What the daemon's HTTP server refuses before a handler runs: slow clients (a deadline on
a request's headers, in the protocol, and on its body), bodies over the size limit, and
query parameters given twice.

uvicorn reads a request's headers without a deadline (its keep-alive timer stops at the
first byte), so a client sending one byte a second holds a connection forever: the h11
protocol here closes a connection whose next request's headers are not complete
`header_timeout` seconds after the connection or the previous response. The body is
read by the `RequestGuard` middleware within `body_timeout` (408 otherwise).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The API's error body: `{"error": message}`."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def repeated_parameter(query: bytes) -> tuple[str, int] | None:
    """The first query parameter given more than once, and how many times; None if none."""
    counts: dict[str, int] = {}
    for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        counts[name] = counts.get(name, 0) + 1
    return next(((n, c) for n, c in counts.items() if c > 1), None)


class RequestGuard:
    """ASGI middleware: a repeated query parameter is a 400 naming it; a body over
    `max_bytes` a 413 (whether Content-Length says so or it streams past the limit); a
    body not complete `body_timeout` seconds after the headers a 408."""

    def __init__(self, app: ASGIApp, max_bytes: int, body_timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        repeated = repeated_parameter(scope.get("query_string", b""))
        if repeated is not None:
            name, times = repeated
            message = f"{name}: given {times} times; give it once"
            await error(400, message)(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await self._body(receive)
        except TimeoutError:
            message = f"request body not received within {self.body_timeout:g} s"
            await error(408, message, {"Connection": "close"})(scope, receive, send)
            return
        if body is None:  # the client went away
            return
        if len(body) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _body(self, receive: Receive) -> bytes | None:
        """The whole body, or as much as shows it is over the limit; None on disconnect."""
        body, more = b"", True
        while more and len(body) <= self.max_bytes:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
        return body

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = f"request body larger than {self.max_bytes} bytes (server.max_request_bytes)"
        await error(413, limit)(scope, receive, send)


class HeaderDeadlineH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's headers (`header_timeout`
    seconds, set by `with_header_timeout`): past it, the connection is closed."""

    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._awaited: Any = None
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self._header_timer is not None and self.cycle is not self._awaited:
            self._disarm()  # the next request's headers are in

    def on_response_complete(self) -> None:
        finished = self.cycle
        super().on_response_complete()  # may start a pipelined request already received
        if not self.transport.is_closing() and self.cycle is finished:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._awaited = self.cycle  # headers are due for the request after this one
        self._header_timer = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expired(self) -> None:
        self._header_timer = None
        if self.cycle is self._awaited and not self.transport.is_closing():
            self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderDeadlineH11]:
    """The protocol class for uvicorn's `http=` with this header deadline."""
    return type("HeaderDeadlineH11", (HeaderDeadlineH11,), {"header_timeout": seconds})
