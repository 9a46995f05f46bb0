"""The whole scenario library loaded into one real backend: Prometheus or VictoriaMetrics.

Every scenario sits at its own time (never overlapping, and 6 h apart so no backtest's
lookback sees another scenario); the series keep their METRICS.md names. Histories end
≥ 1.5 h before now, so Prometheus serves them from backfilled blocks; VictoriaMetrics gets
the same files through its import API (`tests/victoria.py`).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from launchguard.harness.servers import ComponentError, PrometheusServer, backfill
from launchguard.sim.generator import write_history
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.scenario import Scenario, list_scenarios, load_scenario

from backends import Backend, require_backend
from victoria import VictoriaMetricsServer

NAMES = [name for name, _ in list_scenarios()]
SEPARATION = 6 * 3600.0  # > the 6 h lookback plus the longest offset a criterion reads


def placements(scenarios: dict[str, Scenario], last_end: float) -> dict[str, float]:
    """name → start (unix seconds): back to back from `last_end` backwards, 30-min aligned."""
    out, end = {}, last_end
    for name in reversed(sorted(scenarios)):
        start = (end - scenarios[name].duration) // 1800 * 1800
        out[name] = start
        end = start - SEPARATION
    return out


def write_library(root: Path) -> tuple[list[Path], dict[str, float]]:
    """Every scenario's history as an OpenMetrics file under `root` (in `NAMES` order), and
    each scenario's start (unix seconds)."""
    scenarios = {name: load_scenario(name) for name in NAMES}
    starts = placements(scenarios, time.time() - 1.5 * 3600)

    def prepare(name: str) -> Path:
        s, start = scenarios[name], starts[name]
        return write_openmetrics(
            root / f"{name}.om", lambda w: write_history(s, start, start + s.duration, w)
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        files = list(pool.map(prepare, NAMES))
    return files, starts


def serve_library(root: Path) -> tuple[PrometheusServer, dict[str, float]]:
    """A started Prometheus serving every scenario of the library (data under `root`), and
    each scenario's start (unix seconds). The caller stops the server."""
    files, starts = write_library(root)
    data = root / "data"
    for i, file in enumerate(files):
        backfill(file, data / f"part-{i}")  # promtool wants an empty or own output dir
    blocks = data / "tsdb"
    blocks.mkdir()
    for part in data.glob("part-*"):
        for block in part.iterdir():
            block.rename(blocks / block.name)
    return PrometheusServer(blocks).start(), starts


def serve_library_on(backend: str, root: Path) -> tuple[Backend, dict[str, float]]:
    """`serve_library` on `backend` (`prometheus` or `victoriametrics`): the started server
    and each scenario's start (unix seconds). Missing binaries fail the test."""
    require_backend(backend)
    if backend == "prometheus":
        return serve_library(root)
    files, starts = write_library(root)
    server = VictoriaMetricsServer(root / "data").start()
    try:
        # One import per file: each is searchable once its force_flush returns.
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(server.import_openmetrics, files))
    except ComponentError:
        server.stop()
        raise
    return server, starts
