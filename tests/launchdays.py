"""Launch-day histories for the integration tests, anchored to a clock-free time grid.

`anchor()` picks a START far enough in the past for Prometheus to serve the backfilled
history; every scenario is described relative to START and T1 (START + 3 h).
"""

from __future__ import annotations

import calendar
import contextlib
import io
import json
import time
from collections.abc import Callable
from typing import Any

from launchguard.cli import main
from launchguard.harness.servers import PrometheusServer
from launchguard.sim.openmetrics import OpenMetricsWriter
from launchguard.sim.timeline import ValueAt, linear, piecewise

import launchday
from launchday import LaunchDay, Network, Pair, const

HOUR, MINUTE = 3600.0, 60.0
LENGTH = 7 * HOUR


def anchor() -> float:
    """START: a 30-minute boundary such that the 7-hour day ends ≥ 1 h before now."""
    end = time.time() - 1.5 * HOUR
    return (end // 1800) * 1800 - LENGTH


def settled_pairs(start: float) -> list[Pair]:
    return [
        Pair("erc20", "e-settled", const(0.0), const(start)),
        Pair("trc20", "t-settled", const(0.0), const(start)),
    ]


def day(start: float, **changes: Any) -> LaunchDay:
    """A healthy day from `start` for 7 hours, with `changes` applied."""
    base: dict[str, Any] = {"start": start, "end": start + LENGTH, "pairs": settled_pairs(start)}
    base.update(changes)
    return LaunchDay(**base)


def network(name: str, **changes: Any) -> Network:
    return Network(name, **changes)


def step_at(t: float, before: float, after: float, until: float | None = None) -> ValueAt:
    """`before` until `t`, then `after` (then `before` again from `until`)."""
    points = [(0.0, before), (t, after)]
    if until is not None:
        points.append((until, before))
    return piecewise(points)


def ramp_from(t: float, base: float, per_minute: float) -> ValueAt:
    """Flat at `base` until `t`, then growing by `per_minute` (negative drains)."""
    return linear([(0.0, base), (t, base), (t + 10 * HOUR, base + per_minute * 600)])


def writer_for(d: LaunchDay) -> Callable[[OpenMetricsWriter], None]:
    return lambda w: launchday.write(d, w)


def backtest(prom: PrometheusServer, start: float, end: float, *extra: str) -> dict[str, Any]:
    """Run `launchguard backtest --format json` in-process; return the parsed JSON."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "backtest",
                "--prometheus",
                prom.url,
                "--start",
                str(int(start)),
                "--end",
                str(int(end)),
                "--format",
                "json",
                *extra,
            ]
        )
    assert code == 0, out.getvalue()
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def rfc(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def unix(text: str) -> float:
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


def of_kind(doc: dict[str, Any], *kinds: str) -> list[dict[str, Any]]:
    return [d for d in doc["decisions"] if d["kind"] in kinds]


def rollbacks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return of_kind(doc, "partial_rollback", "full_rollback")
