"""Shared fixtures.

`make_prometheus(write, **server_options)` gives a real Prometheus on loopback
serving a history written by `write(writer)`:

    @pytest.mark.prometheus
    def test_something(make_prometheus: MakePrometheus) -> None:
        def history(w: OpenMetricsWriter) -> None:
            w.gauge("clubgate_payout_queue_depth", "queue", [({"network": "trc20"}, points)])

        prometheus = make_prometheus(history)
        prometheus.query_range("clubgate_payout_queue_depth", start, end, 30)

The history is written to `tmp_path`, backfilled with promtool, and the server is
stopped at teardown. Histories must end before now (Prometheus serves backfilled
blocks older than its head); ending an hour or more before `time.time()` is safe.
Missing `prometheus`/`promtool` binaries fail the test, they never skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from launchguard.harness.servers import ComponentError, PrometheusServer, backfill, require_binary
from launchguard.sim.openmetrics import OpenMetricsWriter, write_openmetrics

from backends import backend, make_backend  # noqa: F401  (fixtures: every backend)

HistoryWriter = Callable[[OpenMetricsWriter], None]
MakePrometheus = Callable[..., PrometheusServer]
"""`(write: HistoryWriter, **PrometheusServer options) -> started PrometheusServer`."""


@pytest.fixture
def make_prometheus(tmp_path: Path) -> Iterator[MakePrometheus]:
    """Factory: history writer → started Prometheus serving that history (stopped at teardown).

    Keyword arguments go to `PrometheusServer` (`retention`, `config`, `extra_args`, …).
    Each call gets its own file and data dir, so one test may start several servers.
    """
    servers: list[PrometheusServer] = []

    def make(write: HistoryWriter, **options: Any) -> PrometheusServer:
        try:
            require_binary("promtool")
            require_binary("prometheus")
        except ComponentError as exc:
            pytest.fail(str(exc), pytrace=False)
        n = len(servers)
        history = write_openmetrics(tmp_path / f"history-{n}.om", write)
        data_dir = tmp_path / f"prometheus-{n}"
        backfill(history, data_dir)
        server = PrometheusServer(data_dir, **options)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def _structlog_defaults() -> Iterator[None]:
    """CLI tests configure structlog globally; every test starts from its defaults."""
    import structlog

    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
