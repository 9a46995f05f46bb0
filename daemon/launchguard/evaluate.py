"""The driver shared by `check` and `backtest`: fetch a span's signals, run the core."""

from __future__ import annotations

from dataclasses import dataclass

from launchguard.config.domain import Launch
from launchguard.core.engine import Outcome, evaluate_span, grid
from launchguard.core.frames import tick
from launchguard.interfaces import PrometheusSource
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
