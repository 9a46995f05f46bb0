"""Acceptance: every scenario of the library, backfilled into a real Prometheus and run
through `launchguard backtest --format json`, decides what its `NAME.expected.yaml` says.

All scenarios share one Prometheus, each at its own time (never overlapping, and 6 h apart
so no backtest's lookback sees another scenario); the series keep their METRICS.md names.
A mismatch fails with the expected-versus-actual decision table.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from launchguard.sim.expected import ROLLBACK_KINDS, Actual, compare, load_expected
from launchguard.sim.generator import write_history
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.scenario import Scenario, list_scenarios, load_scenario
from launchguard.sim.servers import PrometheusServer, backfill

from launchdays import backtest, unix

pytestmark = pytest.mark.prometheus

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


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PrometheusServer, dict[str, float]]]:
    root = tmp_path_factory.mktemp("scenarios")
    scenarios = {name: load_scenario(name) for name in NAMES}
    starts = placements(scenarios, time.time() - 1.5 * 3600)
    data = root / "data"

    def prepare(name: str) -> Path:
        s, start = scenarios[name], starts[name]
        return write_openmetrics(
            root / f"{name}.om", lambda w: write_history(s, start, start + s.duration, w)
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        files = list(pool.map(prepare, NAMES))
    for i, file in enumerate(files):
        backfill(file, data / f"part-{i}")  # promtool wants an empty or own output dir
    blocks = data / "tsdb"
    blocks.mkdir()
    for part in data.glob("part-*"):
        for block in part.iterdir():
            block.rename(blocks / block.name)
    server = PrometheusServer(blocks).start()
    yield server, starts
    server.stop()


def actual_of(doc: dict[str, Any], start: float) -> tuple[list[Actual], list[Any]]:
    decisions = [
        Actual(
            d["criterion"],
            d["scope"],
            unix(d["opened_at"]) - start,
            None if d["resolved_at"] is None else unix(d["resolved_at"]) - start,
        )
        for d in doc["decisions"]
        if d["kind"] in ROLLBACK_KINDS
    ]
    spans = [
        (s["criterion"], s["scope"], unix(s["from"]) - start, unix(s["to"]) - start)
        for s in doc["inconclusive"]
    ]
    return decisions, spans


@pytest.mark.parametrize("name", NAMES)
def test_scenario_decides_what_its_expected_file_says(
    library: tuple[PrometheusServer, dict[str, float]], name: str
) -> None:
    server, starts = library
    scenario, start = load_scenario(name), starts[name]
    doc = backtest(server, start + scenario.backtest_from, start + scenario.duration)
    decisions, spans = actual_of(doc, start)
    table = compare(load_expected(name), decisions, spans)
    assert not table, f"scenario {name}: decisions differ from {name}.expected.yaml\n" + "\n".join(
        table
    )


def test_the_library_has_a_scenario_for_every_rollback_criterion_and_quiet_ones() -> None:
    expected = {name: load_expected(name) for name in NAMES}
    criteria = {d.criterion for e in expected.values() for d in e.decisions}
    assert criteria >= {
        "passthrough_rollback",
        "payout_stall",
        "eod_unsettled",
        "webhook_rollback",
        "sev1",
        "all_networks",
    }
    quiet = [name for name, e in expected.items() if not e.decisions]
    assert len(NAMES) >= 12 and len(quiet) >= 5
