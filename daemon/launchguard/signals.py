"""Fetch the config's signals for a span of evaluation times, one range per signal.

Each signal is fetched once over the whole span, extended back by the largest offset the
criteria read it at, so "the value 15 minutes earlier" is a lookup in the same series.
An offset that is not a whole number of steps gets one more range, shifted by the offset.
All requests of a span run concurrently.

Facts (a support ticket's registration and stage times, DESIGN §2) are read once, at the
span's last time, as the last value each series had at any time of the span: a ticket the
helpdesk exporter stopped exporting after it closed keeps its times.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from launchguard.concurrency import gather_or_cancel
from launchguard.config.domain import Launch
from launchguard.core.criteria import operand_offsets
from launchguard.core.domains import screen
from launchguard.core.frames import Frames, Tick, frame_from_points, seconds, tick
from launchguard.interfaces import PrometheusSource
from launchguard.prometheus import PrometheusBadQuery, QueryResult


@dataclass(frozen=True)
class RangeRequest:
    signal: str
    query: str
    start: float
    end: float
    step: float


# A fact's subquery step is never coarser than this (seconds): inside Prometheus' default
# 5-minute lookback, so a series present for this long anywhere in the span is seen.
FACT_STEP_MAX = 240.0


def fact_signals(launch: Launch) -> set[str]:
    """The support tickets' timestamps: facts that never change once set."""
    support = launch.config.support
    return {support.created_signal, support.stage_signal}


def detail_signals(launch: Launch) -> set[str]:
    """Signals read at the last time only: details shown (e.g. webhook success per partner)
    and the facts."""
    shown = {s.detail_signal for s in launch.slos.values() if s.detail_signal is not None}
    return shown | fact_signals(launch)


def promql_seconds(value: float) -> str:
    """A PromQL duration: whole seconds ('3600s'), else milliseconds ('1500ms')."""
    ms = round(value * 1000)
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def fact_request(launch: Launch, name: str, first: float, last: float, step: float) -> RangeRequest:
    """The request reading fact signal `name` over [first, last] (unix seconds): one point at
    `last` holding, per series, its last value at any subquery step of the range.

    The subquery steps at `sweep_step`. A span of one time is the plain query.
    """
    query = launch.signals[name].query
    span = last - first
    if span <= 0:
        return RangeRequest(name, query, last, last, 1.0)
    res = sweep_step(launch, span, step)
    seen = f"last_over_time(({query})[{promql_seconds(span)}:{promql_seconds(res)}])"
    return RangeRequest(name, seen, last, last, 1.0)


def sweep_step(launch: Launch, span: float, step: float) -> float:
    """The step (seconds) to sweep `span` seconds so every series present anywhere in it is
    seen: `step`, coarser only to stay within `max_points_per_request` steps, and never
    coarser than `FACT_STEP_MAX`."""
    limit = launch.prometheus.max_points_per_request
    return min(max(step, math.ceil(span / (limit - 1))), FACT_STEP_MAX)


def used_signals(launch: Launch) -> dict[str, set[float]]:
    """signal → offsets (seconds) it is read at, for every signal the evaluation reads."""
    used = operand_offsets(launch.criteria)
    for slo in launch.slos.values():
        used.setdefault(slo.signal, {0.0})
    for name in detail_signals(launch):
        used.setdefault(name, {0.0})
    cap = launch.config.launch.volume_cap_signal
    if cap is not None:
        used.setdefault(cap, {0.0})
    guard = launch.config.plan.volume_guardrail
    if guard.enabled:
        # Today's volume needs the counter back to the first evaluation time's midnight.
        used.setdefault(guard.volume_signal, {0.0}).add(guard.longest_day)
        used.setdefault(guard.target_signal, {0.0})
    return used


def plan_requests(launch: Launch, times: Sequence[Tick]) -> list[RangeRequest]:
    """The range queries that cover `times` (an evenly spaced grid) and every offset."""
    if not times:
        return []
    step = times[1] - times[0] if len(times) > 1 else tick(launch.interval)
    first, last = times[0], times[-1]
    out = []
    shown_only, facts = detail_signals(launch), fact_signals(launch)
    for name, offsets in sorted(used_signals(launch).items()):
        signal = launch.signals[name]
        if name in facts and offsets == {0.0}:
            out.append(fact_request(launch, name, seconds(first), seconds(last), seconds(step)))
            continue
        if name in shown_only and offsets == {0.0}:
            out.append(RangeRequest(name, signal.query, seconds(last), seconds(last), 1.0))
            continue
        aligned = [tick(o) for o in offsets if tick(o) % step == 0]
        back = max(aligned, default=0)
        out.append(
            RangeRequest(name, signal.query, seconds(first - back), seconds(last), seconds(step))
        )
        for off in sorted({tick(o) for o in offsets} - set(aligned)):
            out.append(
                RangeRequest(
                    name, signal.query, seconds(first - off), seconds(last - off), seconds(step)
                )
            )
    return out


class SignalQueryError(Exception):
    """Prometheus rejected a signal's query: the config's query is wrong (exit 2)."""

    def __init__(self, signal: str, query: str, message: str) -> None:
        super().__init__(f"signals.{signal}.query: Prometheus rejected {query!r}: {message}")
        self.signal = signal


async def query_signal(source: PrometheusSource, r: RangeRequest) -> QueryResult:
    """One range request of a signal; a query Prometheus rejects is a `SignalQueryError`."""
    try:
        return await source.query_range(r.query, r.start, r.end, r.step)
    except PrometheusBadQuery as exc:
        raise SignalQueryError(r.signal, r.query, str(exc)) from exc


@dataclass(frozen=True)
class Fetched:
    frames: Frames
    warnings: tuple[str, ...]
    requests: int


async def fetch(source: PrometheusSource, launch: Launch, times: Sequence[Tick]) -> Fetched:
    """Fetch every signal the evaluation of `times` reads; raises the source's errors."""
    return await fetch_requests(source, launch, plan_requests(launch, times))


async def fetch_requests(
    source: PrometheusSource, launch: Launch, requests: Sequence[RangeRequest]
) -> Fetched:
    """Run `requests` concurrently; each signal's series merged into one frame, screened
    against the signal's domain (samples outside it are invalid: `core.domains`)."""
    results = await gather_or_cancel(query_signal(source, r) for r in requests)
    points: dict[str, list[tuple[Mapping[str, str], Sequence[tuple[float, float]]]]] = {}
    warnings: list[str] = []
    for request, result in zip(requests, results, strict=True):
        points.setdefault(request.signal, []).extend((s.labels, s.points) for s in result.series)
        warnings.extend(w for w in result.warnings if w not in warnings)
    frames = {
        name: screen(
            frame_from_points(name, launch.signals[name].scope, series),
            launch.signals[name].domain,
        )
        for name, series in points.items()
    }
    return Fetched(frames, tuple(warnings), len(requests))
