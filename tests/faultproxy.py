"""A fault-injecting HTTP proxy on loopback in front of a real Prometheus.

It runs its own asyncio loop in a thread, so sync tests, async tests and the benchmarks
drive it alike; `proxy.set(mode, **parameters)` switches what the next requests get:

| mode        | answer                                                                  |
|-------------|-------------------------------------------------------------------------|
| `pass`      | Prometheus' own answer                                                  |
| `http500`   | HTTP 500 with a plain-text body                                         |
| `http503`   | HTTP 503 with a plain-text body                                         |
| `garbage`   | HTTP 200 with a body that is not JSON                                   |
| `bad_shape` | HTTP 200, valid JSON, `status: success`, but `result` is not a list     |
| `nan`, `+inf`, `-inf`, `1e308` | Prometheus' answer with every sample value replaced  |
| `empty`     | Prometheus' answer with an empty `result`                               |
| `slow`      | Prometheus' answer after `slow_seconds`                                 |
| `drip`      | Prometheus' answer, one byte (status line and headers included) every  |
|             | `drip_seconds`                                                          |
| `huge`      | HTTP 200, a valid matrix of `huge_bytes` bytes, chunked (no length)     |
| `echo_auth` | HTTP 500 whose JSON error echoes the request's `Authorization` header   |
| `reset`     | the connection closed without an answer                                 |

`only` restricts the fault to requests whose PromQL contains that text (one signal's query);
the others pass. Nothing is buffered for `huge`: the body is generated as it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

import httpx

VALUES = {"nan": "NaN", "+inf": "+Inf", "-inf": "-Inf", "1e308": "1e+308"}
"""Value modes → the sample value Prometheus' JSON would carry."""

MODES = (
    "pass",
    "http500",
    "http503",
    "garbage",
    "bad_shape",
    *VALUES,
    "empty",
    "slow",
    "drip",
    "huge",
    "echo_auth",
    "reset",
)

_REASONS = {200: "OK", 502: "Bad Gateway", 500: "Internal Server Error", 503: "Service Unavailable"}
_CHUNK = 64 * 1024


class FaultProxy:
    """See the module docstring. `requests` counts requests, `faulted` those given a fault."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.mode = "pass"
        self.only: str | None = None
        self.slow_seconds = 5.0
        self.drip_seconds = 1.0
        self.huge_bytes = 300 * 1024 * 1024
        self.requests = 0
        self.faulted = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._client: httpx.AsyncClient | None = None

    def set(self, mode: str, *, only: str | None = None, **parameters: float) -> None:
        """Switch to `mode` (one of MODES); `parameters` set `slow_seconds`, `drip_seconds`
        or `huge_bytes`. Takes effect for requests that arrive after the call."""
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of {MODES}")
        for name, value in parameters.items():
            if name not in ("slow_seconds", "drip_seconds", "huge_bytes"):
                raise TypeError(f"unknown fault parameter {name!r}")
            setattr(self, name, value)
        self.only, self.mode = only, mode

    def start(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._open(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _open(self) -> None:
        self._client = httpx.AsyncClient(base_url=self.upstream, trust_env=False, timeout=60.0)
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    async def _close(self) -> None:
        assert self._server is not None and self._client is not None
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._client.aclose()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the proxy stops
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {
            k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:] if x)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests += 1
        mode = self.mode
        if mode != "pass" and self.only is not None and self.only not in _query(target, body):
            mode = "pass"
        if mode != "pass":
            self.faulted += 1
        if mode == "reset":
            return
        if mode == "huge":
            await _send_huge(writer, int(self.huge_bytes))
            return
        if mode == "slow" and await _gone(reader, self.slow_seconds):
            return  # the client gave up: nothing to forward (no load on Prometheus)
        status, content = await self._answer(mode, method, target, body, headers)
        response = _response(status, content)
        if mode == "drip":
            await _drip(reader, writer, response, self.drip_seconds)
            return
        writer.write(response)
        await writer.drain()

    async def _answer(
        self, mode: str, method: str, target: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, bytes]:
        if mode in ("http500", "http503"):
            return int(mode[4:]), b"upstream failure injected by the fault proxy"
        if mode == "garbage":
            return 200, b"<html>this is not the API you want{"
        if mode == "bad_shape":
            shape = {"status": "success", "data": {"resultType": "matrix", "result": {"x": 1}}}
            return 200, json.dumps(shape).encode()
        if mode == "echo_auth":
            echoed = headers.get("authorization", "")
            error = {"status": "error", "errorType": "internal", "error": f"denied: {echoed}"}
            return 500, json.dumps(error).encode()
        assert self._client is not None
        content_type = {"content-type": headers.get("content-type", "")}
        try:
            upstream = await self._client.request(
                method, target, content=body, headers=content_type
            )
        except httpx.TransportError as exc:
            return 502, f"fault proxy: upstream unreachable: {exc!r}".encode()
        if mode in VALUES or mode == "empty":
            return upstream.status_code, _rewrite(upstream.content, VALUES.get(mode))
        return upstream.status_code, upstream.content


def _query(target: str, body: bytes) -> str:
    """The PromQL of a request (form body or URL parameters), or ''."""
    form = parse_qs(body.decode("utf-8", "replace")) or parse_qs(urlsplit(target).query)
    return form.get("query", [""])[0]


_SAMPLE = re.compile(rb'(\[-?[0-9.e+]+,)"[^"]*"\]')  # [<time>,"<value>"] of a vector or matrix
_RESULT_TYPE = re.compile(rb'"resultType":"([a-z]+)"')


def _rewrite(content: bytes, value: str | None) -> bytes:
    """The answer with every sample value set to `value` (None: an empty result). Regular
    expressions, not a JSON round trip: the proxy must stay faster than the daemon's cycle."""
    if value is not None:
        return _SAMPLE.sub(rb'\1"' + value.encode() + rb'"]', content)
    kind = _RESULT_TYPE.search(content)
    if kind is None:
        return content
    return b'{"status":"success","data":{"resultType":"%s","result":[]}}' % kind.group(1)


def _response(status: int, content: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'X')}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(content)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + content


async def _gone(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Waits `seconds`; True as soon as the client closes its end (it sends nothing more)."""
    try:
        await asyncio.wait_for(reader.read(1), seconds)
    except TimeoutError:
        return False
    return True


async def _drip(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, response: bytes, seconds: float
) -> None:
    for i in range(len(response)):
        writer.write(response[i : i + 1])
        await writer.drain()
        if await _gone(reader, seconds):
            return


async def _send_huge(writer: asyncio.StreamWriter, size: int) -> None:
    """A valid matrix of about `size` bytes (one-point series), chunked, generated as sent."""
    writer.write(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    )
    item = b'{"metric":{"network":"n%09d"},"values":[[1700000000,"1"]]}'
    per_chunk = _CHUNK // len(item % 0)
    sent = await _chunk(writer, b'{"status":"success","data":{"resultType":"matrix","result":[')
    first = 0
    while sent < size and not writer.is_closing():
        items = b",".join(item % n for n in range(first, first + per_chunk))
        sent += await _chunk(writer, items if first == 0 else b"," + items)
        first += per_chunk
    if writer.is_closing():
        return
    await _chunk(writer, b"]}}")
    writer.write(b"0\r\n\r\n")
    with contextlib.suppress(ConnectionError):
        await writer.drain()


async def _chunk(writer: asyncio.StreamWriter, data: bytes) -> int:
    writer.write(b"%x\r\n%s\r\n" % (len(data), data))
    await writer.drain()
    return len(data)
