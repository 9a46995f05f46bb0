"""Acceptance: every scenario of the library, backfilled into a real Prometheus and run
through `launchguard backtest --format json`, decides what its `NAME.expected.yaml` says.

All scenarios share one Prometheus (`scenariolibrary`), each at its own time; the series
keep their METRICS.md names. A mismatch fails with the expected-versus-actual decision table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from launchguard.sim.expected import ROLLBACK_KINDS, Actual, compare, load_expected
from launchguard.sim.scenario import load_scenario
from launchguard.sim.servers import PrometheusServer
from scenariolibrary import NAMES, serve_library

from launchdays import backtest, unix

pytestmark = pytest.mark.prometheus


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PrometheusServer, dict[str, float]]]:
    server, starts = serve_library(tmp_path_factory.mktemp("scenarios"))
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
