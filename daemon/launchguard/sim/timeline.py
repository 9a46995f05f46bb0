"""Pure helpers for writing metric histories by hand on an explicit time grid.

Times are unix seconds; nothing here reads a clock. A scenario such as "trc20
pass-through p95 rises to 2,400 s from 10:00 while its payout queue grows" reads:

    times = grid(start, end, 30)
    p95 = piecewise([(start, 300.0), (ten_am, 2400.0)])
    queue = linear([(start, 5.0), (ten_am, 5.0), (end, 80.0)])
    writer.gauge("clubgate_payout_queue_depth", "…", [({"network": "trc20"}, sample(times, queue))])
    writer.histogram("clubgate_passthrough_seconds", "…", BUCKETS, [(
        {"network": "trc20", "asset": "usdt"},
        histogram_points(times, BUCKETS, lambda t: [(p95(t), 1), (60.0, 19)]),
    )])
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from launchguard.sim.openmetrics import HistogramPoint, Point

ValueAt = Callable[[float], float]
"""A value as a function of unix seconds."""


def grid(start: float, end: float, step: float) -> list[float]:
    """`start, start + step, …` up to `end` inclusive when `end` is on the grid (seconds).

    Computed as `start + i * step`, so integer inputs give integer times and no
    rounding error accumulates.
    """
    if step <= 0:
        raise ValueError(f"step must be positive, got {step}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    n = math.floor((end - start) / step + 1e-9)
    return [start + i * step for i in range(n + 1)]


def _checked(points: Sequence[tuple[float, float]]) -> tuple[list[float], list[float]]:
    if not points:
        raise ValueError("need at least one point")
    times = [t for t, _ in points]
    if any(a >= b for a, b in itertools.pairwise(times)):
        raise ValueError(f"point times must be strictly increasing: {times}")
    return times, [v for _, v in points]


def piecewise(points: Sequence[tuple[float, float]]) -> ValueAt:
    """A step function: each (time, value) holds from its time until the next point's.

    Asking for a time before the first point raises `ValueError`: a history should
    say what it starts with.
    """
    times, values = _checked(points)

    def value_at(t: float) -> float:
        i = bisect.bisect_right(times, t) - 1
        if i < 0:
            raise ValueError(f"time {t} is before the first point {times[0]}")
        return values[i]

    return value_at


def linear(points: Sequence[tuple[float, float]]) -> ValueAt:
    """Linear interpolation between (time, value) points; the last value holds after
    the last point. A time before the first point raises `ValueError`."""
    times, values = _checked(points)

    def value_at(t: float) -> float:
        i = bisect.bisect_right(times, t) - 1
        if i < 0:
            raise ValueError(f"time {t} is before the first point {times[0]}")
        if i == len(times) - 1:
            return values[i]
        t0, t1, v0, v1 = times[i], times[i + 1], values[i], values[i + 1]
        return v0 + (v1 - v0) * (t - t0) / (t1 - t0)

    return value_at


def sample(times: Iterable[float], value_at: ValueAt) -> Iterator[Point]:
    """(t, value_at(t)) for each t, lazily: a gauge series for the writer."""
    return ((t, value_at(t)) for t in times)


class Counter:
    """A monotonic counter that restarts from 0 on `reset()`, like a process restart."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def add(self, amount: float) -> None:
        """Adds a non-negative amount; a negative one raises `ValueError`."""
        if not amount >= 0:
            raise ValueError(f"a counter only grows, got {amount}")
        self.value += amount

    def reset(self) -> None:
        self.value = 0.0


def counter_points(
    times: Iterable[float],
    increment: ValueAt,
    *,
    resets: Collection[float] = (),
    start: float = 0.0,
) -> Iterator[Point]:
    """A counter series: at each t, the counter restarts from 0 if t is in `resets`
    (compared exactly, so use times from the same grid), then `increment(t)` is
    added and (t, value) is yielded. The first point is `start + increment(times[0])`.
    """
    counter = Counter(start)
    for t in times:
        if t in resets:
            counter.reset()
        counter.add(increment(t))
        yield (t, counter.value)


class Histogram:
    """Cumulative histogram state: `observe` events, read `point(t)` for the writer.

    `buckets` are the finite upper bounds, ascending; an event of value v falls in
    the first bucket with v ≤ bound, else in +Inf (Prometheus' `le` semantics).
    """

    def __init__(self, buckets: Sequence[float]) -> None:
        self.bounds = [float(b) for b in buckets if not math.isinf(b)]
        if any(a >= b for a, b in itertools.pairwise(self.bounds)):
            raise ValueError(f"bucket bounds must be ascending: {buckets}")
        self._counts = [0.0] * (len(self.bounds) + 1)
        self.sum = 0.0
        self.count = 0.0

    def observe(self, value: float, n: float = 1) -> None:
        """Records `n` events of `value` (seconds, for the duration histograms)."""
        if not n >= 0:
            raise ValueError(f"event count must be non-negative, got {n}")
        self._counts[bisect.bisect_left(self.bounds, value)] += n
        self.sum += value * n
        self.count += n

    def reset(self) -> None:
        self._counts = [0.0] * len(self._counts)
        self.sum = 0.0
        self.count = 0.0

    def cumulative(self) -> tuple[float, ...]:
        """Counts per bucket, cumulative, the +Inf bucket last."""
        return tuple(itertools.accumulate(self._counts))

    def point(self, t: float) -> HistogramPoint:
        return (t, self.cumulative(), self.sum, self.count)


def histogram_points(
    times: Iterable[float],
    buckets: Sequence[float],
    observations: Callable[[float], Iterable[tuple[float, float]]],
    *,
    resets: Collection[float] = (),
) -> Iterator[HistogramPoint]:
    """A histogram series: at each t, state restarts if t is in `resets`, then every
    `(value, n)` of `observations(t)` is observed and the cumulative point yielded."""
    histogram = Histogram(buckets)
    for t in times:
        if t in resets:
            histogram.reset()
        for value, n in observations(t):
            histogram.observe(value, n)
        yield histogram.point(t)


def bucket_quantile(q: float, bounds: Sequence[float], cumulative: Sequence[float]) -> float:
    """The q-quantile (0..1) as PromQL's `histogram_quantile` computes it from
    cumulative bucket counts (`bounds` finite and ascending, `cumulative` one longer,
    +Inf last): linear interpolation inside the bucket holding rank q·total, the
    highest finite bound when that bucket is +Inf, NaN when there are no events.
    """
    if len(cumulative) != len(bounds) + 1:
        raise ValueError("need one cumulative count per bound plus the +Inf count")
    total = cumulative[-1]
    if math.isnan(q) or total == 0 or not bounds:
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    rank = q * total
    b = next(i for i, c in enumerate(cumulative) if c >= rank)
    if b == len(bounds):
        return float(bounds[-1])
    if b == 0 and bounds[0] <= 0:
        return float(bounds[0])
    start, count = 0.0, cumulative[b]
    if b > 0:
        start = bounds[b - 1]
        count -= cumulative[b - 1]
        rank -= cumulative[b - 1]
    if count == 0:
        return math.nan  # q = 0 over an empty first bucket: Go computes 0/0
    return start + (bounds[b] - start) * (rank / count)
