"""Degraded evaluation: a rollback criterion inconclusive longer than `daemon.degraded_after`
makes the cycle report `inconclusive`; data coming back clears it."""

from __future__ import annotations

import pytest

from daemons import HEALTHY, FakeSource, test_launch
from launchguard import names
from launchguard.core.engine import InconclusiveSpan
from launchguard.core.frames import tick
from launchguard.daemon import Daemon
from launchguard.daemon.health import Health

AT = 1_780_272_000.0  # a grid time (multiple of 30 s)
NET = (("network", "trc20"),)


def span(start: float, end: float, criterion: str = "payout_stall") -> InconclusiveSpan:
    return InconclusiveSpan(criterion, NET, tick(start), tick(end))


@pytest.mark.parametrize(
    ("cycles", "at", "degraded_since"),
    [
        pytest.param(
            [(AT, AT, [span(AT, AT)]), (AT + 30, AT + 60, [span(AT + 30, AT + 60)])],
            AT + 60,
            None,
            id="inconclusive for 60 s of a 120 s allowance is not degraded",
        ),
        pytest.param(
            [(AT, AT, [span(AT, AT)]), (AT + 30, AT + 120, [span(AT + 30, AT + 120)])],
            AT + 120,
            AT,
            id="a run continued across cycles counts from its first time",
        ),
        pytest.param(
            [(AT, AT, [span(AT, AT)]), (AT + 30, AT + 150, [span(AT + 60, AT + 150)])],
            AT + 150,
            None,
            id="a clear time in between restarts the count",
        ),
        pytest.param(
            [(AT - 300, AT, [span(AT - 300, AT)])],
            AT,
            AT - 300,
            id="a replay at start counts from the run's true start",
        ),
        pytest.param(
            [(AT, AT + 300, [span(AT, AT + 240)])],
            AT + 300,
            None,
            id="a run that ended before the last time is over",
        ),
        pytest.param(
            [(AT, AT + 300, [span(AT, AT + 300, "slo_p95_made_up")])],
            AT + 300,
            None,
            id="only rollback criteria count",
        ),
    ],
)
def test_inconclusive_degrades_after_the_configured_time(
    cycles: list[tuple[float, float, list[InconclusiveSpan]]],
    at: float,
    degraded_since: float | None,
) -> None:
    health = Health(tick(120))
    for first, last, spans in cycles:
        health.evaluated(tick(first), tick(last), spans)
    degraded = health.degraded(tick(at))
    if degraded_since is None:
        assert degraded is None
    else:
        assert degraded is not None and degraded.reason == "inconclusive"
        assert degraded.since == tick(degraded_since)
        assert "payout_stall{network=trc20}" in degraded.detail


def test_a_failure_outranks_inconclusive_and_a_good_cycle_clears_it() -> None:
    health = Health(tick(60))
    health.evaluated(tick(AT - 600), tick(AT), [span(AT - 600, AT)])
    health.failed(tick(AT + 30), "unreachable: refused")
    health.failed(tick(AT + 60), "unreachable: refused")
    degraded = health.degraded(tick(AT + 60))
    assert degraded is not None and degraded.reason == "prometheus_unreachable"
    assert degraded.since == tick(AT + 30) and "refused" in degraded.detail
    health.evaluated(tick(AT + 90), tick(AT + 90), [])
    assert health.degraded(tick(AT + 90)) is None


async def test_the_daemon_reports_inconclusive_evaluation_and_clears_it_when_data_returns() -> None:
    the = test_launch({"evaluation": {"lookback": "0s"}, "daemon": {"degraded_after": "60s"}})
    source = FakeSource(the, {})  # Prometheus answers, but with no data at all
    daemon = Daemon(the, source)
    first = await daemon.start(AT)
    assert first.degraded is None  # inconclusive since AT only
    assert (await daemon.cycle(AT + 30)) is not None
    assert daemon.snapshot.degraded is None
    report = await daemon.cycle(AT + 60)
    assert report is not None and report.degraded is not None
    assert report.degraded.reason == "inconclusive" and report.degraded.since == tick(AT)
    assert daemon.snapshot.last_outcome == "degraded"
    assert daemon.metrics.registry.get_sample_value(names.EVALUATION_DEGRADED) == 1
    source.values = dict(HEALTHY)
    report = await daemon.cycle(AT + 90)
    assert report is not None and report.degraded is None
    assert daemon.snapshot.last_outcome == "ok"
    assert daemon.metrics.registry.get_sample_value(names.EVALUATION_DEGRADED) == 0


async def test_no_new_grid_time_means_no_cycle() -> None:
    the = test_launch()
    source = FakeSource(the, HEALTHY)
    daemon = Daemon(the, source)
    await daemon.start(AT + 10)
    calls = source.calls
    assert await daemon.cycle(AT + 29.9) is None
    assert source.calls == calls
    assert await daemon.cycle(AT + 30) is not None
