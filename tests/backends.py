"""The Prometheus-compatible backends the contract tests run on (STYLE 9), as fixtures.

`make_backend(write)` is `make_prometheus(write)` for every backend: the history written
by `write(writer)` loaded into a real server on loopback, started, stopped at teardown.
The `backend` fixture is parametrized, so a test asking for `make_backend` runs once
per backend, with ids `prometheus` and `victoriametrics`:

    def test_something(make_backend: MakeBackend) -> None:
        server = make_backend(history)
        backtest(server, start, end)            # anything with .url and .query_range

Prometheus gets its history backfilled with promtool before it starts; VictoriaMetrics
gets it through its import API after it starts (`tests/victoria.py`). Missing
binaries fail the test, they never skip it. Registered in conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from launchguard.harness.servers import ComponentError, PrometheusServer, backfill, require_binary
from launchguard.sim.openmetrics import OpenMetricsWriter, write_openmetrics

from victoria import VictoriaMetricsServer, require_victoria_metrics

Backend = PrometheusServer | VictoriaMetricsServer
MakeBackend = Callable[..., Backend]
"""`(write: HistoryWriter, **server options) -> started server serving that history`."""

BACKENDS = (
    pytest.param("prometheus", marks=pytest.mark.prometheus, id="prometheus"),
    pytest.param("victoriametrics", marks=pytest.mark.victoriametrics, id="victoriametrics"),
)


def require_backend(name: str) -> None:
    """Fails the test (never skips it) when backend `name`'s binaries are not installed."""
    try:
        if name == "prometheus":
            require_binary("promtool")
            require_binary("prometheus")
        else:
            require_victoria_metrics()
    except ComponentError as exc:
        pytest.fail(str(exc), pytrace=False)


def start_backend(
    name: str, write: Callable[[OpenMetricsWriter], None], workdir: Path, **options: Any
) -> Backend:
    """Writes the history under `workdir`, loads it into backend `name`, starts it."""
    require_backend(name)
    workdir.mkdir(parents=True, exist_ok=True)
    history = write_openmetrics(workdir / "history.om", write)
    if name == "prometheus":
        backfill(history, workdir / "data")
        return PrometheusServer(workdir / "data", **options).start()
    server = VictoriaMetricsServer(workdir / "data", **options).start()
    try:
        server.import_openmetrics(history)
    except ComponentError:
        server.stop()
        raise
    return server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend's name: `prometheus` or `victoriametrics`."""
    name: str = request.param
    return name


@pytest.fixture
def make_backend(backend: str, tmp_path: Path) -> Iterator[MakeBackend]:
    """Factory: history writer → started server of the current `backend` (stopped at teardown).

    Keyword arguments go to the server class (`PrometheusServer` or
    `VictoriaMetricsServer`). Each call gets its own directory.
    """
    servers: list[Backend] = []

    def make(write: Callable[[OpenMetricsWriter], None], **options: Any) -> Backend:
        server = start_backend(backend, write, tmp_path / f"{backend}-{len(servers)}", **options)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
