"""Prometheus failing mid-run freezes the decisions: nothing opens or resolves while it
fails, the report says `prometheus_unreachable` at once, and the next good cycle catches up
the missed grid times (resolving at the same time a backtest would).

Faults a real Prometheus cannot produce on demand (500s, garbage, slowness, resets) come
from a proxy on loopback in front of it; "stopped" stops the real server and starts it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from daemons import (
    MINUTE,
    RecordingSink,
    anchor,
    day,
    step_at,
    test_launch,
    writer_for,
)
from faultproxy import FaultProxy
from launchguard import names
from launchguard.config.loader import deep_merge
from launchguard.core.frames import tick
from launchguard.daemon import Daemon
from launchguard.harness.servers import PrometheusServer, free_port
from launchguard.prometheus import PrometheusClient

from conftest import MakePrometheus

pytestmark = pytest.mark.prometheus

START = anchor()
T1 = START + 3 * 3600.0
SEV1 = writer_for(day(START, sev1_open=step_at(T1, 0.0, 1.0, T1 + 10 * MINUTE)))
RESOLVES_AT = T1 + 25 * MINUTE  # clear from T1 + 10 min, resolved 15 min later


async def _frozen_then_caught_up(
    daemon: Daemon,
    sink: RecordingSink,
    break_it: Callable[[], Awaitable[None]],
    repair: Callable[[], Awaitable[None]],
) -> None:
    await daemon.start(T1 - 5 * MINUTE)
    await daemon.cycle(T1 + 20 * MINUTE)
    opened = [i for e, i in sink.announced() if e == "opened"]
    [sev1] = [d for d in daemon.snapshot.open if d.criterion == "sev1"]
    assert sev1.id in opened
    before = daemon.snapshot
    await break_it()
    # Two cycles while Prometheus fails, the second after the time the decision would resolve.
    for at in (T1 + 22 * MINUTE, T1 + 26 * MINUTE):
        report = await daemon.cycle(at)
        assert report is not None
        assert report.degraded is not None and report.degraded.reason == "prometheus_unreachable"
        assert report.degraded.since == tick(T1 + 22 * MINUTE)
        assert report.transitions == ()
        assert report.open == before.open
        assert daemon.snapshot.evaluated_to == before.evaluated_to
        assert daemon.snapshot.last_outcome == "failed"
    await repair()
    report = await daemon.cycle(T1 + 30 * MINUTE)
    assert report is not None and report.degraded is None
    resolved = [t.decision for t in report.transitions if t.event == "resolved"]
    assert sev1.id in [d.id for d in resolved]
    assert next(d for d in resolved if d.id == sev1.id).resolved_at == tick(RESOLVES_AT)
    assert len(sink.announced()) == len(set(sink.announced()))
    registry = daemon.metrics.registry
    assert registry.get_sample_value(names.CYCLES, {"outcome": "failed"}) == 2
    assert registry.get_sample_value(names.EVALUATION_DEGRADED) == 0


@pytest.mark.parametrize(
    ("mode", "kind", "overrides", "slow_seconds"),
    [
        pytest.param("http500", "http", {}, 0, id="500s from Prometheus freeze the decisions"),
        pytest.param("garbage", "bad_response", {}, 0, id="garbage JSON freezes the decisions"),
        pytest.param("reset", "unreachable", {}, 0, id="dropped connections freeze the decisions"),
        pytest.param(
            "slow",
            "timeout",
            {"prometheus": {"timeout": "1s"}},
            3.0,
            id="answers slower than the request timeout freeze the decisions",
        ),
        pytest.param(
            "slow",
            "timeout",
            {"prometheus": {"timeout": "30s"}, "daemon": {"cycle_timeout": "1.5s"}},
            4.0,
            id="a cycle slower than the cycle timeout is abandoned and freezes the decisions",
        ),
    ],
)
async def test_a_failing_prometheus(
    make_prometheus: MakePrometheus,
    mode: str,
    kind: str,
    overrides: dict[str, object],
    slow_seconds: float,
) -> None:
    prom = make_prometheus(SEV1)
    proxy = FaultProxy(prom.url).start()
    try:
        the = test_launch(deep_merge(overrides, {"prometheus": {"url": proxy.url}}))
        async with PrometheusClient(the.prometheus) as client:
            sink = RecordingSink()
            daemon = Daemon(the, client, [sink])

            async def break_it() -> None:
                proxy.set(mode, slow_seconds=slow_seconds)

            async def repair() -> None:
                proxy.set("pass")

            await _frozen_then_caught_up(daemon, sink, break_it, repair)
            errors = daemon.metrics.registry.get_sample_value(names.QUERY_ERRORS, {"kind": kind})
            assert errors == 2
    finally:
        proxy.stop()


async def test_prometheus_stopped_mid_run_freezes_the_decisions_until_it_returns(
    make_prometheus: MakePrometheus,
) -> None:
    prom: PrometheusServer = make_prometheus(SEV1, port=free_port())
    the = test_launch({"prometheus": {"url": prom.url}})
    async with PrometheusClient(the.prometheus) as client:
        sink = RecordingSink()
        daemon = Daemon(the, client, [sink])

        async def stop() -> None:
            prom.stop()

        async def start() -> None:
            prom.start()

        await _frozen_then_caught_up(daemon, sink, stop, start)


async def test_a_failing_sink_does_not_stop_the_cycle_or_the_other_sinks(
    make_prometheus: MakePrometheus,
) -> None:
    prom = make_prometheus(SEV1)
    the = test_launch({"prometheus": {"url": prom.url}})
    async with PrometheusClient(the.prometheus) as client:
        broken, working = RecordingSink("broken", fail=True), RecordingSink("working")
        daemon = Daemon(the, client, [broken, working])
        await daemon.start(T1 - 5 * MINUTE)
        report = await daemon.cycle(T1 + MINUTE)
    assert report is not None and [t.event for t in report.transitions] == ["opened"]
    assert working.announced() == [("opened", report.transitions[0].decision.id)]
    failures = daemon.metrics.registry.get_sample_value(names.SINK_FAILURES, {"sink": "broken"})
    assert failures == 2
