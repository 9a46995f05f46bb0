"""The daemon as a process: HTTP server and evaluation schedule in one event loop.

The schedule is an APScheduler `AsyncIOScheduler` interval job on the wall-clock grid
(start_date a multiple of the interval), `max_instances=1` and `coalesce=True`: a cycle
that overruns makes the next fire time skip, and the skipped grid times are evaluated by
the next cycle in one span. SIGTERM/SIGINT stop the schedule, let the running cycle finish
within `daemon.shutdown_timeout` (else cancel it: the decision book is only changed
between awaits, so a cancelled cycle leaves it as before), close the sinks, stop uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import structlog
import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from starlette.types import ASGIApp

from launchguard.config.server import ServerSettings
from launchguard.core.frames import seconds
from launchguard.daemon.loop import Daemon
from launchguard.httpguard import with_header_timeout

_log = structlog.get_logger("launchguard.daemon")
JOB_ID = "evaluation"


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: the service owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def http_server(app: ASGIApp, settings: ServerSettings) -> uvicorn.Server:
    """uvicorn for `app`, its h11 protocol with the header deadline of `settings`, without
    signal handling of its own (`serve(sockets=[...])` runs it)."""
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        http=with_header_timeout(settings.header_timeout),
    )
    return _EmbeddedServer(config)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (OSError when it cannot be bound)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def schedule(daemon: Daemon, first_after: float) -> AsyncIOScheduler:
    """A started scheduler running `daemon.cycle` on the grid, first after `first_after`."""
    interval = daemon.launch.interval
    start = (first_after // interval + 1) * interval
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def job() -> None:
        try:
            await daemon.cycle()
        except Exception:  # the loop must survive a bug in one cycle; it is logged
            _log.exception("cycle crashed")

    scheduler.add_job(
        job,
        IntervalTrigger(seconds=interval, start_date=datetime.fromtimestamp(start, UTC)),
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(interval)),
    )
    scheduler.start()
    return scheduler


async def run_service(
    daemon: Daemon,
    app: ASGIApp,
    sock: socket.socket,
    stop: asyncio.Event | None = None,
    *,
    handle_signals: bool = True,
) -> None:
    """Serve `app` on `sock` and evaluate on schedule until `stop` is set (or, with
    `handle_signals`, SIGTERM/SIGINT arrives); then shut down cleanly."""
    stop = stop if stop is not None else asyncio.Event()
    loop = asyncio.get_running_loop()
    if handle_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    server = http_server(app, daemon.launch.config.server)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    timeout = daemon.launch.config.daemon.shutdown_timeout
    scheduler: AsyncIOScheduler | None = None
    try:
        rebuild = asyncio.create_task(daemon.start())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({rebuild, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if rebuild.done():
            report = rebuild.result()
            _log.info("started", open=len(report.open), listen=_address(sock))
            scheduler = schedule(daemon, seconds(report.at))
            await stopping
        else:
            rebuild.cancel()
        _log.info("stopping")
    finally:
        if scheduler is not None:
            scheduler.pause()
            await _finish_cycle(daemon, timeout)
            scheduler.shutdown(wait=False)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await daemon.close()
        server.should_exit = True
        await serving
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        _log.info("stopped")


async def _finish_cycle(daemon: Daemon, timeout: float) -> None:
    """Wait for the running cycle to finish, up to `timeout` seconds (then it is cancelled
    by the scheduler's shutdown)."""
    try:
        async with asyncio.timeout(timeout), daemon.idle():
            return
    except TimeoutError:
        _log.warning("running cycle abandoned at shutdown", timeout_seconds=timeout)


def _address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"{host}:{port}"
