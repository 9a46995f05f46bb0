"""The live daemon takes the decisions `backtest` takes over the same times, with the same
ids; a restart rebuilds the open ones (true opened_at) without announcing them again.

The daemon is driven with explicit times over a backfilled launch day on a real Prometheus,
cycle by cycle, with catch-up spans of uneven length (as after missed grid times).
"""

from __future__ import annotations

from typing import Any

import pytest

from daemons import (
    HOUR,
    LENGTH,
    MINUTE,
    RecordingSink,
    anchor,
    day,
    ramp_from,
    step_at,
    writer_for,
)
from launchguard.config.domain import Launch
from launchguard.core.decisions import Decision
from launchguard.core.frames import tick
from launchguard.daemon import Daemon
from launchguard.evaluate import run_span
from launchguard.output.jsonout import decision_json
from launchguard.prometheus import PrometheusClient

from conftest import MakePrometheus
from factories import launch
from launchday import Network

pytestmark = pytest.mark.prometheus

START = anchor()
T1 = START + 3 * HOUR
STEP = 30.0
JUMPS = (1, 1, 3, 17, 2, 40, 1, 9, 25, 4)  # grid steps per cycle, repeated


def incident_day() -> Any:
    """trc20 slow from T1 for 2 h with a growing queue (a partial rollback that resolves),
    and a sev1 open from T1 + 1 h for 10 min (a full rollback)."""
    grow = ramp_from(T1, 10.0, 2.0)
    slow = Network(
        "trc20",
        passthrough_seconds=step_at(T1, 240.0, 2000.0, T1 + 2 * HOUR),
        queue=lambda t: grow(t) if t < T1 + HOUR else 5.0,
    )
    sev1 = step_at(T1 + HOUR, 0.0, 1.0, T1 + HOUR + 10 * MINUTE)
    return writer_for(day(START, networks=(Network("erc20"), slow), sev1_open=sev1))


def the_launch(prometheus_url: str) -> Launch:
    return launch({"prometheus": {"url": prometheus_url}})


def reported(decisions: list[Decision], start: float) -> list[dict[str, Any]]:
    """As backtest reports them: open at some time ≥ start, sorted like the book sorts."""
    kept = [d for d in decisions if d.resolved_at is None or d.resolved_at >= tick(start)]
    kept.sort(key=lambda d: (d.opened_at, d.criterion, d.scope))
    return [decision_json(d) for d in kept]


async def drive(daemon: Daemon, start: float, end: float) -> None:
    """Cycles from after `start` to `end`, jumping JUMPS grid steps at a time."""
    t, i = start, 0
    while t < end:
        t = min(end, t + JUMPS[i % len(JUMPS)] * STEP)
        i += 1
        report = await daemon.cycle(t)
        assert (report is not None and report.degraded is None) or report.degraded.reason != (
            "prometheus_unreachable"
        )


def book_decisions(daemon: Daemon) -> list[Decision]:
    assert daemon.book is not None
    return daemon.book.decisions()


async def test_daemon_cycles_take_the_decisions_backtest_takes_with_the_same_ids(
    make_prometheus: MakePrometheus,
) -> None:
    prom = make_prometheus(incident_day())
    the = the_launch(prom.url)
    begin, end = T1 + 30 * MINUTE, START + LENGTH
    async with PrometheusClient(the.prometheus) as client:
        sink = RecordingSink()
        daemon = Daemon(the, client, [sink])
        first = await daemon.start(begin)
        await drive(daemon, begin, end)
        expected = (await run_span(client, the, begin, end, STEP)).outcome.decisions

    # At start, the partial rollback opened before `begin` is handed over, not announced.
    assert first.transitions == ()
    assert {d.criterion for d in first.open} == {"passthrough_rollback", "passthrough_p95"}
    assert all(d.opened_at < tick(begin) for d in first.open)
    got = reported(book_decisions(daemon), begin)
    assert got == [decision_json(d) for d in expected]
    assert {d["criterion"] for d in got} >= {"passthrough_rollback", "sev1"}
    # Every transition after the start is announced exactly once, in time order.
    announced = sink.announced()
    assert len(announced) == len(set(announced))
    opened_after = {d.id for d in expected if d.opened_at > tick(begin)}
    resolved_after = {d.id for d in expected if d.resolved_at is not None}
    assert {i for e, i in announced if e == "opened"} == opened_after
    assert {i for e, i in announced if e == "resolved"} == resolved_after


async def test_a_restart_rebuilds_open_decisions_with_their_ids_and_announces_only_new_ones(
    make_prometheus: MakePrometheus,
) -> None:
    prom = make_prometheus(incident_day())
    the = the_launch(prom.url)
    begin, restart, end = T1 + 5 * MINUTE, T1 + HOUR + 5 * MINUTE, T1 + 3 * HOUR
    async with PrometheusClient(the.prometheus) as client:
        before, after = RecordingSink(), RecordingSink()
        first = Daemon(the, client, [before])
        await first.start(begin)
        await drive(first, begin, restart)
        open_at_restart = {d.id: d.opened_at for d in first.snapshot.open}
        mark = len(before.announced())

        second = Daemon(the, client, [after])  # a new process: nothing kept in memory
        rebuilt = await second.start(restart)
        await drive(first, restart, end)
        await drive(second, restart, end)

    assert open_at_restart, "the scenario has decisions open at the restart"
    assert {d.id: d.opened_at for d in rebuilt.open} == open_at_restart
    assert rebuilt.transitions == ()
    # After the restart both processes announce the same transitions, nothing twice.
    assert after.announced() == before.announced()[mark:]
    assert reported(book_decisions(second), restart) == reported(book_decisions(first), restart)


async def test_decisions_that_resolved_while_the_daemon_was_down_are_resolved_at_restart(
    make_prometheus: MakePrometheus,
) -> None:
    prom = make_prometheus(incident_day())
    the = the_launch(prom.url)
    # The sev1 (T1 + 1 h … + 10 min) opens during the first run and resolves 15 min after it
    # clears while the daemon is down, and so does the pass-through rollback (its queue
    # stops growing at T1 + 1 h). A process that never went down is the oracle.
    begin, crash, restart = T1 + 5 * MINUTE, T1 + HOUR + 5 * MINUTE, T1 + HOUR + 40 * MINUTE
    async with PrometheusClient(the.prometheus) as client:
        before, after = RecordingSink(), RecordingSink()
        first = Daemon(the, client, [before])
        await first.start(begin)
        await drive(first, begin, crash)
        announced_open = {d.id for d in first.snapshot.open}
        mark = len(before.announced())
        await drive(first, crash, restart)
        second = Daemon(the, client, [after], announced_open=announced_open)
        rebuilt = await second.start(restart)
        quiet = Daemon(the, client, [])  # no journal: nothing known of a previous run
        forgetful = await quiet.start(restart)

    resolved_meanwhile = {i: e for e, i in before.announced()[mark:] if e == "resolved"}
    sev1 = next(d.id for d in first.snapshot.resolved if d.criterion == "sev1")
    assert sev1 in resolved_meanwhile and sev1 in announced_open
    # The restart announces exactly the resolves the first run would have, nothing else,
    # with the resolution times the uninterrupted run took.
    late = {t.decision.id: t.decision.resolved_at for t in rebuilt.transitions}
    assert [t.event for t in rebuilt.transitions] == ["resolved"] * len(late)
    assert set(late) == set(resolved_meanwhile)
    kept = {d.id: d.resolved_at for d in first.snapshot.resolved}
    assert late == {i: kept[i] for i in late}
    assert sorted(after.announced()) == sorted(("resolved", i) for i in late)
    assert forgetful.transitions == ()
