"""One fixture per real component, registered in conftest.py (STYLE: real components).

- `make_prometheus(write, **options)`: a real Prometheus serving the history `write(writer)`
  writes (promtool backfills it first), stopped at teardown; `serve_prometheus(write,
  workdir)` is the same as a context manager, for module-scoped fixtures;
- `make_backend` / `backend` (tests/backends.py): the same on every backend (Prometheus,
  VictoriaMetrics), one run per backend;
- `receiver` and `alertmanager`: a webhook receiver and a real Alertmanager routing every
  alert to it;
- `browser`: headless Chromium, for the warroom page tests.

Missing binaries fail the test, they never skip it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, async_playwright

from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
    WebhookReceiver,
    webhook_config,
)
from launchguard.harness.servers import PrometheusServer
from launchguard.sim.openmetrics import OpenMetricsWriter
from warroom_browser import ARGS, CHROMIUM

from backends import start_backend

HistoryWriter = Callable[[OpenMetricsWriter], None]
MakePrometheus = Callable[..., PrometheusServer]
"""`(write: HistoryWriter, **PrometheusServer options) -> started PrometheusServer`."""


def start_prometheus(write: HistoryWriter, workdir: Path, **options: Any) -> PrometheusServer:
    """The history `write` writes, backfilled into a Prometheus under `workdir`, started."""
    server = start_backend("prometheus", write, workdir, **options)
    assert isinstance(server, PrometheusServer)
    return server


@contextlib.contextmanager
def serve_prometheus(
    write: HistoryWriter, workdir: Path, **options: Any
) -> Iterator[PrometheusServer]:
    server = start_prometheus(write, workdir, **options)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_prometheus(tmp_path: Path) -> Iterator[MakePrometheus]:
    """Factory: history writer → started Prometheus serving that history (stopped at teardown).

    Keyword arguments go to `PrometheusServer` (`retention`, `config`, `extra_args`, …).
    Each call gets its own directory, so one test may start several servers.
    """
    servers: list[PrometheusServer] = []

    def make(write: HistoryWriter, **options: Any) -> PrometheusServer:
        servers.append(start_prometheus(write, tmp_path / f"prometheus-{len(servers)}", **options))
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A webhook receiver on loopback recording what Alertmanager sends it."""
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def alertmanager(receiver: WebhookReceiver) -> Iterator[AlertmanagerServer]:
    """A real Alertmanager routing every alert to `receiver`."""
    with AlertmanagerServer(webhook_config(receiver.url)) as am:
        yield am


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright."""
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()
