"""The daemon's HTTP server on a real socket (uvicorn, as `launchguard run` serves it) against
slow clients: a client dripping its headers one byte at a time is disconnected at
`server.header_timeout` (on a new connection and on a kept-alive one) while other requests
are served at once; a body that stalls gets 408 at `server.body_timeout`. A query parameter
given twice is a 400 naming it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from daemons import HEALTHY, FakeSource, test_launch
from launchguard.config.server import ServerSettings
from launchguard.daemon import Daemon
from launchguard.daemon.service import bind, http_server
from launchguard.server import create_app

HEADER_TIMEOUT, BODY_TIMEOUT = 1.0, 1.0


@pytest.fixture
async def served() -> AsyncIterator[str]:
    """The API of a started daemon on 127.0.0.1, with 1 s header and body deadlines."""
    the = test_launch({"evaluation": {"lookback": "5m"}})
    daemon = Daemon(the, FakeSource(the, HEALTHY))
    await daemon.start(1_780_272_000.0)
    settings = ServerSettings(header_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT)
    server = http_server(create_app(daemon, settings, None), settings)
    sock = bind("127.0.0.1", 0)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    port = sock.getsockname()[1]
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


async def drip(writer: asyncio.StreamWriter, data: bytes, every: float) -> None:
    """Send `data` one byte every `every` seconds (the slow client); stops when cut off."""
    with contextlib.suppress(ConnectionError):
        for i in range(len(data)):
            writer.write(data[i : i + 1])
            await writer.drain()
            await asyncio.sleep(every)


async def closed(reader: asyncio.StreamReader, limit: float) -> tuple[float, bytes]:
    """When (monotonic seconds) the server closed the connection, and what it sent before."""
    got = b""
    async with asyncio.timeout(limit):
        while chunk := await reader.read(4096):
            got += chunk
    return time.monotonic(), got


SLOW_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 100 + b"\r\n\r\n"


@pytest.mark.parametrize(
    "kept_alive",
    [
        pytest.param(False, id="headers dripped on a new connection are cut off"),
        pytest.param(True, id="headers dripped after a first response are cut off"),
    ],
)
async def test_a_slowloris_client_is_cut_off_and_blocks_no_one(
    served: str, kept_alive: bool
) -> None:
    host, port = served.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    due_from = time.monotonic()
    if kept_alive:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        first = await reader.readuntil(b"ok\n")
        assert first.startswith(b"HTTP/1.1 200")
        due_from = time.monotonic()
    dripping = asyncio.create_task(drip(writer, SLOW_HEADERS, 0.1))
    try:
        async with httpx.AsyncClient(base_url=f"http://{served}", trust_env=False) as http:
            for _ in range(3):  # served at once while the slow client drips
                began = time.monotonic()
                assert (await http.get("/healthz")).status_code == 200
                assert time.monotonic() - began < 0.5
        at, got = await closed(reader, HEADER_TIMEOUT + 3)
    finally:
        dripping.cancel()
        writer.close()
    assert got == b""  # nothing answered: the request never completed
    # Cut off at the deadline, long before the 11 s the headers would take to arrive.
    assert HEADER_TIMEOUT - 0.1 < at - due_from < HEADER_TIMEOUT + 1.5


async def test_a_body_that_stalls_gets_408_at_the_body_timeout(served: str) -> None:
    host, port = served.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /api/v1/decisions/x/ack HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
    await writer.drain()
    sent = time.monotonic()
    try:
        at, got = await closed(reader, BODY_TIMEOUT + 3)
    finally:
        writer.close()
    assert got.startswith(b"HTTP/1.1 408")
    assert b"request body not received within 1 s" in got
    assert BODY_TIMEOUT - 0.1 < at - sent < BODY_TIMEOUT + 1.5
