"""The acceptance scenarios of tests/test_backtest_prometheus.py on every backend.

The scenarios of test_backtest_prometheus.py run there on every backend. Here the
same launch days go to Prometheus and VictoriaMetrics side by side: the decisions (ids,
times, evidence) must be identical, and the one documented difference, how soon a hole in
the data is seen, is pinned per backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from test_backtest_prometheus import FROM, START, T1, TO, piecewise_queue

from backends import MakeBackend, start_backend
from launchday import LaunchDay, Pair, const
from launchdays import (
    HOUR,
    MINUTE,
    backtest,
    day,
    network,
    ramp_from,
    settled_pairs,
    step_at,
    unix,
    writer_for,
)

pytestmark = pytest.mark.victoriametrics


HOLE = (T1, T1 + 30 * MINUTE)


def holey_day() -> LaunchDay:
    nets = tuple(
        network(n, passthrough_seconds=const(2000.0), queue=const(50.0)) for n in ("erc20", "trc20")
    )
    return day(START, networks=nets, gaps=[HOLE])


SCENARIOS = [
    pytest.param(
        day(
            START,
            networks=(
                network("erc20"),
                network(
                    "trc20",
                    passthrough_seconds=step_at(T1, 240.0, 2000.0, T1 + 2 * HOUR),
                    queue=piecewise_queue(T1 + HOUR),
                ),
            ),
        ),
        True,
        id="a slow network rolls back with the same p95 evidence on both",
    ),
    pytest.param(
        day(
            START,
            sev1_open=step_at(T1, 0.0, 1.0, T1 + HOUR),
            networks=tuple(
                network(
                    n, completed_per_step=step_at(at, 20.0, 0.0), queue=ramp_from(at, 10.0, 1.0)
                )
                for n, at in (("erc20", T1), ("trc20", T1 + 10 * MINUTE))
            ),
        ),
        True,
        id="stalls, the escalation and a sev1 open and resolve at the same times on both",
    ),
    pytest.param(
        day(
            START,
            webhook_success_per_step=step_at(T1, 50.0, 40.0, T1 + HOUR),
            webhook_failure_per_step=step_at(T1, 0.0, 10.0, T1 + HOUR),
            dead_letter=ramp_from(T1, 0.0, 3.0),
            pairs=[
                *settled_pairs(START),
                Pair("trc20", "t-stuck", step_at(T1, 0.0, 5.0), const(T1)),
            ],
        ),
        True,
        id="webhook and EOD rollbacks carry the same evidence on both",
    ),
    pytest.param(holey_day(), False, id="a hole in the data never rolls back on either"),
]


def decisions_on(name: str, launch_day: LaunchDay, workdir: Path) -> dict[str, Any]:
    server = start_backend(name, writer_for(launch_day), workdir / name)
    try:
        return backtest(server, FROM, TO)
    finally:
        server.stop()


@pytest.mark.prometheus
@pytest.mark.victoriametrics
@pytest.mark.parametrize(("launch_day", "rolls_back"), SCENARIOS)
def test_both_backends_take_identical_decisions(
    launch_day: LaunchDay, rolls_back: bool, tmp_path: Path
) -> None:
    on_prometheus = decisions_on("prometheus", launch_day, tmp_path)
    on_victoria = decisions_on("victoriametrics", launch_day, tmp_path)
    assert on_prometheus["decisions"] == on_victoria["decisions"]
    kinds = {d["kind"] for d in on_prometheus["decisions"]}
    assert bool(kinds & {"partial_rollback", "full_rollback"}) == rolls_back


HOLE_SEEN_AFTER = {"prometheus": 5 * MINUTE, "victoriametrics": 30.0}
"""Seconds from the start of a hole to the first inconclusive evaluation, at 30 s steps."""


def test_a_hole_turns_inconclusive_after_the_backends_lookback(
    make_backend: MakeBackend, backend: str
) -> None:
    # Prometheus keeps the last sample for its 5-minute lookback delta; VictoriaMetrics'
    # range queries stop about one sample interval after it (docs/backends.md, staleness).
    doc = backtest(make_backend(writer_for(holey_day())), FROM, TO)
    spans = [s for s in doc["inconclusive"] if s["criterion"] == "passthrough_rollback"]
    assert spans
    for s in spans:
        assert unix(s["from"]) == HOLE[0] + HOLE_SEEN_AFTER[backend], s
