"""No silent cycle: an exception anywhere in a cycle (fetch, core, recording, a sink, the
scheduled Go/No-Go) ends it as `error`: counted in /metrics, shown by /readyz and the
status, reported as degraded evaluation, and the open decisions are still re-posted to a
real Alertmanager with a fresh `endsAt`, so an open rollback never lapses while the daemon
is sick. The first clean cycle recovers.

The daemon reads a fake source (a sev1 incident open: one full rollback to keep alive);
the faults are injected where a real component cannot produce them: a bug in the code.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from daemons import HEALTHY, FakeSource, RecordingSink, per_network, test_launch
from launchguard import names
from launchguard.config.server import ServerSettings
from launchguard.daemon import Daemon
from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
)
from launchguard.server import create_app
from launchguard.sinks import AlertmanagerSink


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Sick:
    """A daemon with a sev1 open, a real Alertmanager sink and a recording sink, and the
    ways to break it (each `break_*` makes the next cycles raise at that stage)."""

    def __init__(self, am: AlertmanagerServer, monkeypatch: pytest.MonkeyPatch) -> None:
        the = test_launch({"evaluation": {"lookback": "5m"}})
        self.clock = Clock(the.interval * (time.time() // the.interval))
        self.source = FakeSource(the, {**HEALTHY, "sev1_open": [({}, 1.0)]})
        self.alertmanager = AlertmanagerSink(
            the.config.alertmanager,
            interval=the.interval,
            networks=the.networks,
            urls=[am.url],
            clock=self.clock,
        )
        self.recorder = RecordingSink()
        self.daemon = Daemon(the, self.source, [self.alertmanager, self.recorder], clock=self.clock)
        self.monkeypatch = monkeypatch

    async def cycle(self) -> Any:
        self.clock.now += self.daemon.launch.interval
        return await self.daemon.cycle(self.clock.now)

    def break_fetch(self) -> None:
        async def boom(*_args: object) -> object:
            raise ValueError("could not convert string to float: 'NaN?'")

        self.monkeypatch.setattr(self.source, "query_range", boom)

    def break_core(self) -> None:
        def boom(*_args: object) -> object:
            raise OverflowError("cannot convert float infinity to integer")

        self.monkeypatch.setattr("launchguard.evaluate.evaluate_span", boom)  # the driver's core

    def break_record(self) -> None:
        def boom(*_args: object) -> None:
            raise KeyError("slo")

        self.monkeypatch.setattr(self.daemon.metrics, "state", boom)

    def break_sink(self) -> None:
        self.recorder.fail = True

    def break_alert_texts(self) -> None:
        def boom(*_args: object) -> object:
            raise KeyError("evidence")

        self.monkeypatch.setattr("launchguard.sinks.alert_bodies.notify.texts", boom)

    def break_gonogo(self) -> None:
        async def boom(*_args: object) -> object:
            raise ZeroDivisionError("division by zero")

        self.monkeypatch.setattr(self.daemon.gonogo, "due", lambda *_a, **_k: True)
        self.monkeypatch.setattr(self.daemon.gonogo, "assess", boom)

    def repair(self) -> None:
        self.monkeypatch.undo()
        self.recorder.fail = False


def unix(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def samples(daemon: Daemon, name: str, **labels: str) -> float:
    value = daemon.metrics.registry.get_sample_value(name, labels)
    return value or 0.0


STAGES: list[Any] = [
    pytest.param("fetch", Sick.break_fetch, 0, id="a bug in the fetch degrades the same cycle"),
    pytest.param("core", Sick.break_core, 0, id="an overflow in the core degrades the same cycle"),
    pytest.param("record", Sick.break_record, 1, id="a bug in recording degrades the next cycle"),
    pytest.param("sink", Sick.break_sink, 1, id="a sink raising degrades the next cycle"),
    pytest.param("gonogo", Sick.break_gonogo, 1, id="a Go/No-Go bug degrades the next cycle"),
]


@pytest.mark.parametrize(("stage", "inject", "late"), STAGES)
async def test_an_exception_ends_the_cycle_as_error_and_keeps_the_rollback_alive(
    alertmanager: AlertmanagerServer,
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
    inject: Callable[[Sick], None],
    late: int,
) -> None:
    sick = Sick(alertmanager, monkeypatch)
    daemon = sick.daemon
    await daemon.start(sick.clock.now)
    [sev1] = daemon.snapshot.open
    app = create_app(daemon, ServerSettings(), None)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as api:
        assert (await api.get("/readyz")).status_code == 200
        [before] = alertmanager.alerts(decision_id=sev1.id)

        inject(sick)
        reports = [await sick.cycle() for _ in range(3)]
        # Degraded from the cycle that raised (fetch, core) or the one after (later stages),
        # with one `since` for the whole episode.
        degraded = [r.degraded for r in reports]
        assert all(d is None for d in degraded[:late])
        assert {(d.reason, d.since) for d in degraded[late:]} == {  # type: ignore[union-attr]
            ("evaluation_error", reports[0].at)
        }
        assert all(r.transitions == () for r in reports)
        assert all([d.id for d in r.open] == [sev1.id] for r in reports)

        assert samples(daemon, names.CYCLES, outcome="error") == 3
        assert samples(daemon, names.CYCLE_ERRORS, stage=stage) == 3
        assert samples(daemon, names.EVALUATION_DEGRADED) == 1
        ready = await api.get("/readyz")
        assert ready.status_code == 503 and stage in ready.text
        status = (await api.get("/api/v1/status")).json()
        assert status["evaluation"]["outcome"] == "error"
        assert status["evaluation"]["error"].startswith(f"{stage}: ")
        assert "\n" not in status["evaluation"]["error"]
        assert status["degraded"]["reason"] == "evaluation_error"
        assert [d["id"] for d in status["decisions"]] == [sev1.id]

        # The open rollback is still active in Alertmanager, its endsAt moved on each cycle,
        # and the degraded alert is there beside it.
        [during] = alertmanager.alerts(decision_id=sev1.id)
        assert during["status"]["state"] == "active"
        ahead = daemon.launch.config.alertmanager.ends_at_cycles * daemon.launch.interval
        assert unix(during["endsAt"]) == sick.clock.now + ahead > unix(before["endsAt"])
        assert alertmanager.alerts(alertname=names.ALERT_DEGRADED)

        sick.repair()
        recovered = [await sick.cycle() for _ in range(late + 1)]
        assert recovered[-1].degraded is None
        assert daemon.snapshot.last_outcome == "ok"
        assert (await api.get("/readyz")).status_code == 200
        assert samples(daemon, names.EVALUATION_DEGRADED) == 0
        assert samples(daemon, names.CYCLES, outcome="error") == 3


async def test_a_decision_whose_texts_fail_to_render_is_still_posted_and_the_cycle_errs(
    alertmanager: AlertmanagerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sick = Sick(alertmanager, monkeypatch)
    daemon = sick.daemon
    await daemon.start(sick.clock.now)
    sick.break_alert_texts()
    sick.source.values["passthrough_p95"] = per_network(2000.0)  # SLO breaches open
    report = await sick.cycle()
    opened = [t.decision for t in report.transitions if t.event == "opened"]
    assert len(opened) == 2
    assert daemon.snapshot.last_outcome == "error"
    assert "texts of decision" in daemon.snapshot.last_error
    assert samples(daemon, names.CYCLE_ERRORS, stage="sink") == 1
    for d in opened:  # posted with plain texts, every label in place
        [alert] = alertmanager.alerts(decision_id=d.id)
        assert alert["labels"]["criterion"] == d.criterion
        assert "could not be rendered" in alert["annotations"]["description"]
    after = await sick.cycle()
    assert after is not None and after.degraded is not None
    assert after.degraded.reason == "evaluation_error"


async def test_a_failing_rebuild_is_retried_each_cycle_and_ready_only_once_it_succeeds(
    alertmanager: AlertmanagerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sick = Sick(alertmanager, monkeypatch)
    sick.break_core()
    first = await sick.daemon.start(sick.clock.now)
    second = await sick.cycle()
    assert first.open == () and second is not None
    assert second.degraded is not None and second.degraded.since == first.at
    assert not sick.daemon.snapshot.ready
    assert "no successful evaluation yet" in sick.daemon.snapshot.not_ready_reason
    sick.repair()
    third = await sick.cycle()
    assert third is not None and third.degraded is None and len(third.open) == 1
    assert sick.daemon.snapshot.ready


async def test_a_hanging_prometheus_ends_the_rebuild_at_the_cycle_deadline_and_it_is_retried(
    alertmanager: AlertmanagerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sick = Sick(alertmanager, monkeypatch)
    daemon = sick.daemon
    daemon.cycle_timeout = 0.3
    healthy = sick.source.query_range

    async def hang(*_args: object) -> object:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    monkeypatch.setattr(sick.source, "query_range", hang)
    began = time.monotonic()
    first = await daemon.start(sick.clock.now)
    assert time.monotonic() - began < 2.0
    assert first.degraded is not None and first.degraded.reason == "prometheus_unreachable"
    assert daemon.snapshot.last_outcome == "failed" and not daemon.snapshot.ready
    assert samples(daemon, names.QUERY_ERRORS, kind="timeout") == 1
    monkeypatch.setattr(sick.source, "query_range", healthy)
    second = await sick.cycle()
    assert second is not None and second.degraded is None and len(second.open) == 1
    assert daemon.snapshot.ready


async def test_a_restart_while_prometheus_fails_keeps_the_open_rollback_alive(
    alertmanager: AlertmanagerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Sick(alertmanager, monkeypatch)
    await before.daemon.start(before.clock.now)
    [sev1] = before.daemon.snapshot.open
    await before.daemon.close()
    [posted] = alertmanager.alerts(decision_id=sev1.id)

    after = Sick(alertmanager, monkeypatch)  # the restarted daemon: Prometheus down
    after.clock.now = before.clock.now + 90
    after.source.fail = True
    first = await after.daemon.start(after.clock.now)
    assert first.open == () and not first.rebuilt and not after.daemon.snapshot.ready
    [kept] = alertmanager.alerts(decision_id=sev1.id)  # its endsAt moved on
    ahead = after.daemon.launch.config.alertmanager.ends_at_cycles * after.daemon.launch.interval
    assert unix(kept["endsAt"]) == after.clock.now + ahead > unix(posted["endsAt"])
    assert kept["annotations"] == posted["annotations"] and kept["labels"] == posted["labels"]
    after.source.fail = False
    rebuilt = await after.cycle()
    # (The fake's sev1 has no start: the replay opens it at the lookback's start.)
    assert rebuilt is not None and rebuilt.rebuilt
    assert [d.criterion for d in rebuilt.open] == ["sev1"]
    await after.daemon.close()


async def test_a_core_raising_midway_loses_no_transition(
    alertmanager: AlertmanagerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The core raises after its per-time loop opened a decision: the cycle errs with the
    book as it was, and the next cycle announces the opening (not silently already open)."""
    sick = Sick(alertmanager, monkeypatch)
    sick.source.values["sev1_open"] = [({}, 0.0)]
    await sick.daemon.start(sick.clock.now)
    assert sick.daemon.snapshot.open == ()
    sick.source.values["sev1_open"] = [({}, 1.0)]

    def boom(*_args: object) -> object:
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr("launchguard.core.sla.apply", boom)  # after the opening was applied
    failed = await sick.cycle()
    assert failed is not None and failed.transitions == () and failed.open == ()
    sick.repair()
    report = await sick.cycle()
    assert report is not None
    assert [(t.event, t.decision.criterion) for t in report.transitions] == [("opened", "sev1")]
    assert sick.recorder.announced() == [("opened", report.transitions[0].decision.id)]
