"""The histories the benchmark backfills, and the launch configs that read them.

Two histories, both ending about an hour before now on a 30 s boundary (Prometheus serves
backfilled blocks only when they are older than its head):

- `week`: the default 2 networks, a few trust pairs and partners, 7 days plus the
  evaluation lookback, with one incident of every rollback criterion on the way;
- `fleet`: 200 networks and 1,000 trust pairs over a short span, to show that the number
  of requests of an evaluation does not grow with the number of scopes.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from launchguard.config.domain import Launch, to_domain
from launchguard.config.loader import deep_merge, default_text, parse
from launchguard.sim.openmetrics import OpenMetricsWriter
from launchguard.sim.timeline import ValueAt, linear, piecewise

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/launchday.py
from launchday import LaunchDay, Network, Pair, const, write

STEP = 30.0  # seconds: the history's sample interval and the evaluation step
HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY
CUTOFF_OF_DAY = 16 * HOUR  # trust pairs' daily cut-off, seconds after the history's start
REQUEST_TIMEOUT = 120.0  # seconds: a 7-day chunk must not time out on a loaded 2-core box


def history_end(now: float) -> float:
    """About an hour before `now` (unix seconds), on a `STEP` boundary."""
    return math.floor((now - HOUR) / STEP) * STEP


def launch_for(url: str, **overrides: Any) -> Launch:
    """The shipped default config pointed at `url`, with `overrides` deep-merged over it."""
    raw = yaml.safe_load(default_text())
    raw = deep_merge(raw, {"prometheus": {"url": url, "timeout": REQUEST_TIMEOUT}})
    raw = deep_merge(raw, overrides)
    return to_domain(parse(raw, "<benchmark>"))


@dataclass(frozen=True)
class Week:
    """The 7-day backtest span [start, end] (every time evaluated has history, lookback
    included) and the history's own [history_start, end]."""

    history_start: float
    start: float
    end: float
    day: LaunchDay

    @property
    def times(self) -> int:
        return int((self.end - self.start) // STEP) + 1


def week(end: float, lookback: float) -> Week:
    """7 days of evaluation times ending at `end`, history from `lookback` + 1 h before.

    Incidents (hours after the backtest's start): sev1 open 20 min on day 1; trc20
    pass-through at 2,400 s with its queue growing on day 2; erc20 payouts stalled on
    day 4; a trust pair left unsettled 3 h after its cut-off on day 5; webhooks failing
    with the dead letter growing on day 6.
    """
    start = end - WEEK + STEP  # 20,160 evaluation times
    h0 = start - lookback - HOUR

    def at(days: float, hours: float) -> float:
        return start + days * DAY + hours * HOUR

    def bump(days: float, hours: float, length: float, low: float, high: float) -> ValueAt:
        a = at(days, hours)
        return piecewise([(h0, low), (a, high), (a + length * HOUR, low)])

    def ramp(days: float, hours: float, length: float, low: float, high: float) -> ValueAt:
        a = at(days, hours)
        b = a + length * HOUR
        return linear([(h0, low), (a, low), (b, high), (b + STEP, low)])

    trc20 = Network(
        "trc20",
        passthrough_seconds=bump(2, 10, 2, 240.0, 2400.0),
        queue=ramp(2, 10, 2, 10.0, 80.0),
    )
    erc20 = Network(
        "erc20",
        completed_per_step=bump(4, 3, 1, 20.0, 0.0),
        queue=ramp(4, 3, 1, 10.0, 60.0),
    )
    late = _cutoff(h0)(at(5, 20))  # the cut-off of day 5
    pairs = [
        Pair("erc20", "usdt-eur", unsettled=_unsettled(h0, None), cutoff=_cutoff(h0)),
        Pair("trc20", "usdt-eur", unsettled=_unsettled(h0, None), cutoff=_cutoff(h0)),
        Pair("trc20", "usdt-pln", unsettled=_unsettled(h0, late), cutoff=_cutoff(h0)),
    ]
    day = LaunchDay(
        start=h0,
        end=end,
        step=STEP,
        networks=(erc20, trc20),
        pairs=pairs,
        partners=("acme", "globex", "initech"),
        webhook_failure_per_step=bump(6, 14, 1, 0.0, 5.0),
        dead_letter=ramp(6, 14, 1, 0.0, 30.0),
        sev1_open=bump(1, 8, 1 / 3, 0.0, 1.0),
    )
    return Week(h0, start, end, day)


def _cutoff(h0: float) -> ValueAt:
    """The latest daily cut-off at or before t (unix seconds)."""
    first = h0 + CUTOFF_OF_DAY - DAY
    return lambda t: first + math.floor((t - first) / DAY) * DAY


def _unsettled(h0: float, late_cutoff: float | None) -> ValueAt:
    """2 sessions for 40 min after each cut-off; after `late_cutoff`, 4 sessions for 3 h."""
    cutoff = _cutoff(h0)

    def value(t: float) -> float:
        last = cutoff(t)
        if last == late_cutoff:
            return 4.0 if t - last < 3 * HOUR else 0.0
        return 2.0 if t - last < 40 * 60 else 0.0

    return value


@dataclass(frozen=True)
class Fleet:
    networks: tuple[str, ...]
    pairs: int
    start: float
    end: float
    day: LaunchDay


def fleet(end: float, span: float, networks: int, pairs: int) -> Fleet:
    """`networks` networks and `pairs` trust pairs spread over them, `span` seconds long.

    Every network is healthy except for trust settlement: one pair in 50 keeps a session
    unsettled since a cut-off an hour before the history starts (so eod_unsettled fires on
    a few networks and the evaluation builds evidence for them, as it would in a launch).
    """
    names = tuple(f"net{i:03d}" for i in range(networks))
    start = end - span
    cutoff = const(start - HOUR)
    day = LaunchDay(
        start=start,
        end=end,
        step=STEP,
        networks=tuple(Network(n) for n in names),
        pairs=tuple(
            Pair(names[i % networks], f"pair{i:04d}", const(float(i % 50 == 0)), cutoff)
            for i in range(pairs)
        ),
        partners=("acme", "globex", "initech"),
    )
    return Fleet(names, pairs, start, end, day)


def writer_of(day: LaunchDay) -> Callable[[OpenMetricsWriter], None]:
    return lambda w: write(day, w)
