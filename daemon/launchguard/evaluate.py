"""The drivers shared by `check`, `backtest`, `gonogo` and the daemon: fetch a span's
signals, run the core."""

from __future__ import annotations

import math
from dataclasses import dataclass

from launchguard.config.domain import Launch
from launchguard.core import calendar
from launchguard.core.decisions import Decision
from launchguard.core.engine import Outcome, evaluate_span, grid
from launchguard.core.frames import tick
from launchguard.core.gonogo import Assessment, assess
from launchguard.interfaces import PrometheusSource
from launchguard.reports.fetch import fetch_signals
from launchguard.signals import fetch


@dataclass(frozen=True)
class SpanResult:
    outcome: Outcome
    start: float
    end: float
    step: float
    times: int
    requests: int
    warnings: tuple[str, ...]


async def run_span(
    source: PrometheusSource, launch: Launch, start: float, end: float, step: float
) -> SpanResult:
    """Evaluate start, start+step, … ≤ end (unix seconds), replaying `lookback` before start
    so decisions already open at `start` keep their true opened_at."""
    times = grid(start, end, step, launch.lookback)
    fetched = await fetch(source, launch, times)
    outcome = evaluate_span(launch, fetched.frames, times, tick(start))
    return SpanResult(outcome, start, end, step, len(times), fetched.requests, fetched.warnings)


async def assess_gonogo(
    source: PrometheusSource, launch: Launch, at: float, window: float
) -> Assessment:
    """The Go/No-Go at `at` over the `window` seconds before it: the window (plus lookback)
    fetched once per signal, evaluated by the core, assessed."""
    start = at - window
    times = grid(start, at, launch.interval, launch.lookback)
    fetched = await fetch(source, launch, times)
    incidents = launch.config.plan.gonogo.incidents_signal
    extra = await fetch_signals(source, launch, {incidents: (start, at, launch.interval)})
    frames = {**fetched.frames, **extra}
    outcome = evaluate_span(launch, frames, times, tick(start))
    return assess(launch, frames, times, outcome.decisions, outcome.verdicts, start)


def scheduled_gonogo_time(launch: Launch) -> float | None:
    """The plan's Go/No-Go (T+24 h of canary by default) on the evaluation grid: the first
    interval boundary at or after it, as the daemon's cycles fall; None without a calendar."""
    at = calendar.scheduled_gonogo(launch)
    if at is None:
        return None
    return math.ceil(at / launch.interval) * launch.interval


async def scheduled_promotion(
    source: PrometheusSource, launch: Launch, start: float, end: float
) -> Decision | None:
    """The `promote` decision of the scheduled Go/No-Go when it falls in [`start`, `end`]
    (unix seconds) and recommends promotion; None otherwise."""
    at = scheduled_gonogo_time(launch)
    if at is None or not start <= at <= end:
        return None
    assessment = await assess_gonogo(source, launch, at, launch.config.plan.gonogo.window)
    return assessment.decision
