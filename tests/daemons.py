"""Helpers of the daemon and server tests: a recording sink, waiting on conditions with a
deadline, a live exporter on loopback (the fault-injecting proxy in front of Prometheus is
tests/faultproxy.py)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, start_http_server

from launchguard.config.domain import Launch
from launchguard.interfaces import DELIVERED, CycleReport, Delivery
from launchguard.prometheus import PrometheusUnreachable, QueryResult, Series
from launchguard.sim.openmetrics import OpenMetricsWriter
from launchguard.sim.timeline import ValueAt, linear, piecewise

import launchday
from factories import launch
from launchday import LaunchDay, Pair, const

# The shipped config with what the live tests need: no journal key, no 25 h guardrail read.
LIVE: dict[str, Any] = {
    "journal": {"enabled": False},
    "plan": {"volume_guardrail": {"enabled": False}},
    "prometheus": {"timeout": "5s", "retries": 0, "backoff": 0},
}


def test_launch(overrides: Mapping[str, Any] | None = None) -> Launch:
    """The shipped defaults with LIVE and `overrides` deep-merged on top."""
    from launchguard.config.loader import deep_merge

    return launch(deep_merge(LIVE, overrides or {}))


test_launch.__test__ = False  # type: ignore[attr-defined]


@dataclass
class RecordingSink:
    """A sink keeping every report it was given; `fail` makes deliveries raise."""

    name: str = "recording"
    reports: list[CycleReport] = field(default_factory=list)
    closed: bool = False
    fail: bool = False
    first: bool = False

    async def deliver(self, report: CycleReport) -> Delivery:
        if self.fail:
            raise RuntimeError("sink down")
        self.reports.append(report)
        return DELIVERED

    async def close(self) -> None:
        self.closed = True

    def announced(self) -> list[tuple[str, str]]:
        """(event, decision id) of every transition delivered, in order."""
        return [(t.event, t.decision.id) for r in self.reports for t in r.transitions]


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:`port` (it can be bound)."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


async def eventually(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool],
    timeout: float,
    what: str,
    poll: float = 0.05,
) -> None:
    """Poll `check` until it is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(poll)


class Exporter:
    """A prometheus-client exporter on loopback with `clubgate_incidents_open{severity}`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.incidents = Gauge(
            "clubgate_incidents_open", "open incidents", ["severity"], registry=self.registry
        )
        self.incidents.labels("sev1").set(0)
        self.server, self.thread = start_http_server(0, "127.0.0.1", registry=self.registry)
        self.port = self.server.server_port

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def scrape_config(*targets: str, interval: str = "1s") -> str:
    """A Prometheus config scraping `targets` every `interval`."""
    listed = ", ".join(f"'{t}'" for t in targets)
    return (
        f"global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\n"
        f"scrape_configs:\n  - job_name: live\n    static_configs:\n      - targets: [{listed}]\n"
    )


# --- launch-day histories (like launchdays.py, without importing the CLI) ------------------

HOUR, MINUTE = 3600.0, 60.0
LENGTH = 7 * HOUR


def anchor() -> float:
    """A 30-minute boundary such that a 7-hour day from it ends ≥ 1.5 h before now."""
    end = time.time() - 1.5 * HOUR
    return (end // 1800) * 1800 - LENGTH


def step_at(t: float, before: float, after: float, until: float | None = None) -> ValueAt:
    """`before` until `t`, then `after` (then `before` again from `until`)."""
    points = [(0.0, before), (t, after)]
    if until is not None:
        points.append((until, before))
    return piecewise(points)


def ramp_from(t: float, base: float, per_minute: float) -> ValueAt:
    """Flat at `base` until `t`, then growing by `per_minute`."""
    return linear([(0.0, base), (t, base), (t + 10 * HOUR, base + per_minute * 600)])


def day(start: float, **changes: Any) -> LaunchDay:
    """A healthy 7-hour day from `start` (settled trust pairs), with `changes` applied."""
    pairs = [
        Pair("erc20", "e-settled", const(0.0), const(start)),
        Pair("trc20", "t-settled", const(0.0), const(start)),
    ]
    base: dict[str, Any] = {"start": start, "end": start + LENGTH, "pairs": pairs}
    base.update(changes)
    return LaunchDay(**base)


def writer_for(d: LaunchDay) -> Callable[[OpenMetricsWriter], None]:
    return lambda w: launchday.write(d, w)


# --- a PrometheusSource without Prometheus (server and health tests) -----------------------

Labels = Mapping[str, str]


class FakeSource:
    """Answers each signal's query with constant series: `values[signal]` is a list of
    (labels, value); signals not listed answer no series. `fail` raises as if unreachable."""

    def __init__(self, the: Launch, values: Mapping[str, list[tuple[Labels, float]]]) -> None:
        self.by_query = {s.query: s.name for s in the.signals.values()}
        self.values = dict(values)
        self.fail = False
        self.calls = 0

    async def query_range(self, expr: str, start: float, end: float, step: float) -> QueryResult:
        self.calls += 1
        if self.fail:
            raise PrometheusUnreachable("cannot reach fake")
        times = [start + k * step for k in range(round((end - start) / step) + 1)]
        series = tuple(
            Series(dict(labels), tuple((t, value) for t in times))
            for labels, value in self.values.get(self.by_query.get(expr, ""), [])
        )
        return QueryResult(series, ())


def per_network(value: float) -> list[tuple[Labels, float]]:
    return [({"network": "erc20"}, value), ({"network": "trc20"}, value)]


HEALTHY: dict[str, list[tuple[Labels, float]]] = {
    "passthrough_p95": per_network(120.0),
    "eod_p95": per_network(1500.0),
    "payout_queue": per_network(3.0),
    "payouts_completed": per_network(40.0),
    "eod_unsettled": [
        ({"network": "erc20", "pair": "e1"}, 0.0),
        ({"network": "trc20", "pair": "t1"}, 0.0),
    ],
    "eod_cutoff": [
        ({"network": "erc20", "pair": "e1"}, 1_780_000_000.0),
        ({"network": "trc20", "pair": "t1"}, 1_780_000_000.0),
    ],
    "webhook_success": [({}, 1.0)],
    "dead_letter": [({}, 0.0)],
    "sev1_open": [({}, 0.0)],
    "volume_cap": [({}, 0.3)],
}
