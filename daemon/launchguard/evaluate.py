"""The one driver of evaluation, for the daemon's cycles and for `check`, `backtest` and
`gonogo`: which grid times to evaluate, fetch their signals (`signals.fetch`), run the pure
core (`core.engine.evaluate_span`) on what was fetched, and the Go/No-Go over its window.
The commands parse and print; the daemon schedules, keeps the decision book and delivers."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from launchguard.checklist_eval import checklist_status
from launchguard.config.domain import Launch
from launchguard.core import calendar
from launchguard.core.decisions import Decision, DecisionBook
from launchguard.core.engine import Outcome, evaluate_span, grid
from launchguard.core.frames import Tick, seconds, tick
from launchguard.core.gonogo import Assessment, assess
from launchguard.coverage import Coverage, NoData, measure
from launchguard.interfaces import PrometheusSource
from launchguard.output.table import no_data_message
from launchguard.output.timefmt import in_zone
from launchguard.reports.fetch import fetch_signals
from launchguard.signals import Fetched, fetch, used_signals


@dataclass(frozen=True)
class SpanResult:
    outcome: Outcome
    start: float
    end: float
    step: float
    times: int
    requests: int
    warnings: tuple[str, ...]
    coverage: Coverage | None = None  # set when the range was cut to the data's end


def cycle_times(launch: Launch, at: Tick, last: Tick | None) -> list[Tick]:
    """The grid times a daemon cycle at `at` evaluates: the lookback horizon up to `at` when
    nothing was evaluated yet (`last` None: what `run_span(at, at)` evaluates), else the grid
    times after `last`, at most `daemon.max_catch_up` back."""
    if last is None:
        return grid(seconds(at), seconds(at), launch.interval, launch.lookback)
    step = tick(launch.interval)
    cap = tick(launch.config.daemon.max_catch_up) // step * step
    first = max(last + step, at - cap)
    return grid(seconds(first), seconds(at), launch.interval)


async def fetch_times(source: PrometheusSource, launch: Launch, times: list[Tick]) -> Fetched:
    """Every signal the evaluation of `times` reads, one range each; raises the source's
    errors (`PrometheusError`, `SignalQueryError`)."""
    return await fetch(source, launch, times)


def run_core(
    launch: Launch,
    fetched: Fetched,
    times: list[Tick],
    report_from: Tick,
    book: DecisionBook | None = None,
) -> Outcome:
    """The core over the fetched frames (`evaluate_span`): `book` advanced in place, or a new
    one replayed from the first time when None."""
    return evaluate_span(launch, fetched.frames, times, report_from, book)


async def run_span(
    source: PrometheusSource, launch: Launch, start: float, end: float, step: float
) -> SpanResult:
    """Evaluate start, start+step, … ≤ end (unix seconds), replaying `lookback` before start
    so decisions already open at `start` keep their true opened_at."""
    times = grid(start, end, step, launch.lookback)
    fetched = await fetch_times(source, launch, times)
    outcome = run_core(launch, fetched, times, tick(start))
    return SpanResult(outcome, start, end, step, len(times), fetched.requests, fetched.warnings)


async def run_range(
    source: PrometheusSource, launch: Launch, start: float, end: float, step: float
) -> SpanResult:
    """`run_span` up to where the data ends (its `coverage`); `NoData` when the range holds
    no sample of the signals the evaluation reads."""
    covered = await measure(source, launch, used_signals(launch), start, end, step)
    if covered.evaluated_to is None:
        raise NoData(no_data_message(covered))
    result = await run_span(source, launch, start, covered.evaluated_to, step)
    return replace(result, requests=result.requests + 2, coverage=covered)


async def run_backtest(
    source: PrometheusSource, launch: Launch, start: float, end: float, step: float
) -> SpanResult:
    """`run_range` (up to where the data ends) plus the `promote` decision of the scheduled
    Go/No-Go when it falls in the evaluated range and recommends promotion."""
    result = await run_range(source, launch, start, end, step)
    last = result.coverage.evaluated_to if result.coverage else end
    promote = await scheduled_promotion(source, launch, start, last or end)
    if promote is None:
        return result
    decisions = sorted([*result.outcome.decisions, promote], key=lambda d: d.opened_at)
    return replace(result, outcome=replace(result.outcome, decisions=decisions))


async def assess_gonogo(
    source: PrometheusSource, launch: Launch, at: float, window: float
) -> Assessment:
    """The Go/No-Go at `at` over the `window` seconds before it: the window (plus lookback)
    fetched once per signal, evaluated by the core, assessed."""
    start = at - window
    times = grid(start, at, launch.interval, launch.lookback)
    fetched = await fetch_times(source, launch, times)
    incidents = launch.config.plan.gonogo.incidents_signal
    extra = await fetch_signals(source, launch, {incidents: (start, at, launch.interval)})
    frames = {**fetched.frames, **extra}
    outcome = evaluate_span(launch, frames, times, tick(start))
    # The checklist at the decision time (nothing without T0); no sign-offs known here yet.
    checklist = await checklist_status(source, launch, at)
    return assess(
        launch,
        frames,
        times,
        outcome.decisions,
        outcome.verdicts,
        start,
        in_zone(launch),
        checklist,
    )


async def assess_gonogo_in_data(
    source: PrometheusSource, launch: Launch, at: float, window: float
) -> tuple[Assessment, Coverage]:
    """`assess_gonogo` at `at`, or at the data's end when the window's data stops earlier (the
    window keeps its start); `NoData` when the window holds no sample of its signals."""
    start = at - window
    signals = {*used_signals(launch), launch.config.plan.gonogo.incidents_signal}
    covered = await measure(source, launch, signals, start, at, launch.interval)
    if covered.evaluated_to is None:
        raise NoData(no_data_message(covered))
    last = covered.evaluated_to
    return await assess_gonogo(source, launch, last, last - start), covered


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
