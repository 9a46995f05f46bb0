"""The measurements, each against a running Prometheus through the daemon's own client.

Times are wall-clock seconds (`time.perf_counter`); repeated measurements report medians.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from rawpromql import criteria_queries
from report import progress

from launchguard.config.domain import Launch
from launchguard.core.engine import evaluate_span, grid
from launchguard.core.frames import tick
from launchguard.evaluate import SpanResult, run_span
from launchguard.prometheus import PrometheusClient
from launchguard.signals import RangeRequest, fetch, plan_requests

T = TypeVar("T")


async def timed(awaitable: Awaitable[T]) -> tuple[T, float]:
    began = time.perf_counter()
    result = await awaitable
    return result, time.perf_counter() - began


async def fetch_then_evaluate(
    client: PrometheusClient, launch: Launch, start: float, end: float, step: float
) -> tuple[float, float]:
    """What `run_span` does, timed apart: (signals.fetch seconds, engine.evaluate_span seconds)."""
    times = grid(start, end, step, launch.lookback)
    fetched, fetch_wall = await timed(fetch(client, launch, times))
    began = time.perf_counter()
    evaluate_span(launch, fetched.frames, times, tick(start))
    return fetch_wall, time.perf_counter() - began


@dataclass(frozen=True)
class CheckCount:
    """One `check`-style evaluation: HTTP requests sent (client counter) and wall time."""

    requests: int
    wall: float
    times: int  # evaluation times, lookback included
    verdicts: int  # criterion verdicts at the instant (one per criterion and scope)
    decisions: int  # decisions open at the instant
    fetch: float = math.nan  # signals.fetch alone, when timed apart
    evaluate: float = math.nan  # engine.evaluate_span alone, when timed apart


async def check_requests(
    client: PrometheusClient, launch: Launch, at: float, *, split: bool = False
) -> CheckCount:
    """Requests and wall time of `run_span(at, at)`; then, with `split`, its fetch and
    evaluation timed apart."""
    before = client.requests_sent
    result, wall = await timed(run_span(client, launch, at, at, launch.interval))
    out = result.outcome
    is_open = sum(1 for d in out.decisions if d.is_open)
    count = CheckCount(
        client.requests_sent - before, wall, result.times, len(out.verdicts), is_open
    )
    if not split:
        return count
    fetch_wall, evaluate_wall = await fetch_then_evaluate(client, launch, at, at, launch.interval)
    return replace(count, fetch=fetch_wall, evaluate=evaluate_wall)


@dataclass(frozen=True)
class Backtest:
    """A span's backtest through `run_span`, and its fetch and evaluation timed apart."""

    wall: float
    fetch: float
    evaluate: float
    times: int
    requests: int
    decisions: tuple[str, ...]
    repeats: int


async def backtest(
    client: PrometheusClient, launch: Launch, start: float, end: float, step: float, repeats: int
) -> Backtest:
    walls, fetches, evaluations = [], [], []
    result: SpanResult | None = None
    requests = 0
    for k in range(repeats):
        before = client.requests_sent
        result, wall = await timed(run_span(client, launch, start, end, step))
        requests = client.requests_sent - before
        fetch_wall, evaluate_wall = await fetch_then_evaluate(client, launch, start, end, step)
        walls.append(wall)
        fetches.append(fetch_wall)
        evaluations.append(evaluate_wall)
        progress(
            f"  backtest {k + 1}/{repeats}: run_span {wall:.2f} s"
            f" (apart: fetch {fetch_wall:.2f} s + evaluate {evaluate_wall:.2f} s)"
        )
    assert result is not None
    decisions = tuple(
        f"{d.criterion} {_scope_text(d.scope)}".strip() for d in result.outcome.decisions
    )
    return Backtest(
        statistics.median(walls),
        statistics.median(fetches),
        statistics.median(evaluations),
        result.times,
        requests,
        decisions,
        repeats,
    )


def _scope_text(scope: Sequence[tuple[str, str]]) -> str:
    return ",".join(f"{k}={v}" for k, v in scope)


@dataclass(frozen=True)
class Sampled:
    """Per-instant evaluations at `n` instants, extrapolated linearly to `total` instants."""

    n: int
    total: int
    mean: float
    requests_each: float

    @property
    def extrapolated(self) -> float:
        return self.mean * self.total


def sample_instants(start: float, times: int, step: float, n: int) -> list[float]:
    """`n` evaluation times spread evenly over `times` steps from `start`, both ends included."""
    return [start + round(k * (times - 1) / (n - 1)) * step for k in range(n)]


async def instant_by_instant(
    client: PrometheusClient, launch: Launch, instants: Sequence[float], total: int
) -> Sampled:
    """One `run_span(t, t)` per instant with no lookback: the cost per evaluation time of a
    backtest that asked Prometheus again at every time."""
    single = replace(launch, lookback=0.0)
    before = client.requests_sent
    walls = []
    for t in instants:
        _, wall = await timed(run_span(client, single, t, t, launch.interval))
        walls.append(wall)
    sent = client.requests_sent - before
    return Sampled(len(instants), total, statistics.fmean(walls), sent / len(instants))


async def raw_instant_by_instant(
    client: PrometheusClient, launch: Launch, instants: Sequence[float], total: int
) -> Sampled:
    """The five criteria as raw PromQL instant queries (concurrent) at each instant."""
    queries = list(criteria_queries(launch).values())
    before = client.requests_sent
    walls = []
    for t in instants:
        _, wall = await timed(asyncio.gather(*(client.query(q, t) for q in queries)))
        walls.append(wall)
    sent = client.requests_sent - before
    return Sampled(len(instants), total, statistics.fmean(walls), sent / len(instants))


@dataclass(frozen=True)
class RawRange:
    """The five criteria as raw PromQL range queries, chunked by the client, concurrent."""

    wall: float
    requests: int
    fired_points: dict[str, int]
    repeats: int


async def raw_range(
    client: PrometheusClient, launch: Launch, start: float, end: float, step: float, repeats: int
) -> RawRange:
    queries = criteria_queries(launch)
    walls = []
    requests = 0
    fired: dict[str, int] = {}
    for _ in range(repeats):
        before = client.requests_sent
        results, wall = await timed(
            asyncio.gather(*(client.query_range(q, start, end, step) for q in queries.values()))
        )
        requests = client.requests_sent - before
        walls.append(wall)
        fired = {
            name: sum(len(s.points) for s in r.series)
            for name, r in zip(queries, results, strict=True)
        }
    return RawRange(statistics.median(walls), requests, fired, repeats)


@dataclass(frozen=True)
class CheckVersusRaw:
    """A `check` evaluation against the slowest of its own range queries sent alone.

    Every field is a median over `repeats` rounds, in seconds.
    """

    check: float  # run_span at one instant
    fetch: float  # its signals.fetch alone
    evaluate: float  # its engine.evaluate_span alone
    slowest: float  # the slowest of its raw range queries, each sent alone
    slowest_signal: str  # the signal most often slowest
    concurrent: float  # all its raw range queries at once, no frames built
    sequential: float  # all its raw range queries one after another
    requests: int
    repeats: int


async def check_versus_raw(
    client: PrometheusClient, launch: Launch, at: float, repeats: int
) -> CheckVersusRaw:
    requests = plan_requests(launch, grid(at, at, launch.interval, launch.lookback))

    async def send(r: RangeRequest) -> float:
        _, wall = await timed(client.query_range(r.query, r.start, r.end, r.step))
        return wall

    rounds: list[tuple[float, ...]] = []
    who: Counter[str] = Counter()
    for k in range(repeats):
        _, check = await timed(run_span(client, launch, at, at, launch.interval))
        fetch_wall, evaluate_wall = await fetch_then_evaluate(
            client, launch, at, at, launch.interval
        )
        _, concurrent = await timed(asyncio.gather(*(send(r) for r in requests)))
        each = [(await send(r), r.signal) for r in requests]
        worst = max(each)
        who[worst[1]] += 1
        sequential = sum(w for w, _ in each)
        rounds.append((check, fetch_wall, evaluate_wall, worst[0], concurrent, sequential))
        if k == 0:
            costly = ", ".join(f"{s} {w * 1000:.0f}" for w, s in sorted(each, reverse=True))
            progress(f"  raw queries alone, ms: {costly}")
        progress(
            f"  check {k + 1}/{repeats}: run_span {check * 1000:.0f} ms"
            f" (apart: fetch {fetch_wall * 1000:.0f} + evaluate {evaluate_wall * 1000:.0f} ms),"
            f" slowest raw {worst[0] * 1000:.0f} ms ({worst[1]}),"
            f" all raw at once {concurrent * 1000:.0f} ms"
        )
    check, fetch_m, evaluate_m, slowest, concurrent, sequential = (
        statistics.median(column) for column in zip(*rounds, strict=True)
    )
    return CheckVersusRaw(
        check,
        fetch_m,
        evaluate_m,
        slowest,
        who.most_common(1)[0][0],
        concurrent,
        sequential,
        len(requests),
        repeats,
    )
