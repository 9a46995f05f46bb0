"""Counters and histograms read from their cumulative values: increases with counter resets,
sums per group of labels, and the quantile of a histogram's bucket increases.

Resets: a sample below the one before it is a counter reset (the exporter restarted from
zero), and that step's increase is the new value, as Prometheus' `increase()` reads it. This
is exact when each series of a signal is one counter; queries that sum several counters per
scope (several instances) should keep `instance` in the scope so each resets on its own.
Unlike `increase()`, nothing is extrapolated to the range's edges: the increase over
[a, b] is the sum of the steps between the samples at a and at b.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence

from launchguard.core.frames import Frame, ScopeKey, Tick


def increase_since(points: Mapping[Tick, float], starts: Sequence[Tick]) -> dict[Tick, float]:
    """At each sample time t: the increase since the period of `starts` holding t began.

    `starts` are sorted period starts (e.g. local midnights). A period's baseline is its last
    sample at or before its start (a sample exactly at the start belongs to the new period
    with increase 0); with no earlier sample, its first sample. NaN samples are skipped.
    """
    out: dict[Tick, float] = {}
    prev: float | None = None
    period = -2
    running = 0.0
    for t in sorted(points):
        value = points[t]
        if value != value:
            continue
        now = bisect.bisect_right(starts, t) - 1
        step = 0.0 if prev is None else (value - prev if value >= prev else value)
        if now != period:
            running = 0.0 if (now >= 0 and starts[now] == t) else step
            period = now
        else:
            running += step
        out[t] = running
        prev = value
    return out


def increase_between(points: Mapping[Tick, float], start: Tick, end: Tick) -> float | None:
    """The counter's increase from its sample at or before `start` (else its first sample
    after) to its last sample at or before `end`; None with no sample in [start, end]."""
    inside = [t for t in points if start <= t <= end and points[t] == points[t]]
    if not inside:
        return None
    running = increase_since({t: v for t, v in points.items() if t <= end and v == v}, [start])
    last = max(inside)
    return running[last]


def grouped_increase(
    frame: Frame | None, by: Sequence[str], start: Tick, end: Tick
) -> dict[ScopeKey, float]:
    """Increase over [start, end] of each series of `frame`, summed per `by` labels
    (() sums them all). Series with no sample in the range are left out."""
    out: dict[ScopeKey, float] = {}
    if frame is None:
        return out
    for key, points in frame.values.items():
        inc = increase_between(points, start, end)
        if inc is None:
            continue
        labels = dict(key)
        group = tuple(sorted((name, labels.get(name, "")) for name in by))
        out[group] = out.get(group, 0.0) + inc
    return out


def ratio(part: float | None, whole: float | None) -> float | None:
    """part / whole, None when either is unknown or whole is 0 (no data is not 0 %)."""
    if part is None or whole is None or whole == 0:
        return None
    return part / whole


def bucket_quantile(q: float, buckets: Iterable[tuple[float, float]]) -> float | None:
    """The q-quantile (0..1) of (upper bound, cumulative count) buckets, as PromQL's
    `histogram_quantile` computes it: linear interpolation inside the bucket holding rank
    q·total (the first bucket starts at 0), the highest finite bound when the rank falls in
    +Inf. None when there is no +Inf bucket, fewer than two buckets, or no events."""
    ordered = sorted(buckets)
    if len(ordered) < 2 or not math.isinf(ordered[-1][0]):
        return None
    counts = [c for _, c in ordered]
    for i in range(1, len(counts)):  # Prometheus repairs non-monotonic buckets the same way
        counts[i] = max(counts[i], counts[i - 1])
    total = counts[-1]
    if total == 0:
        return None
    rank = q * total
    b = next((i for i in range(len(counts) - 1) if counts[i] >= rank), len(counts) - 1)
    if b == len(counts) - 1:
        return ordered[-2][0]
    upper = ordered[b][0]
    if b == 0 and upper <= 0:
        return upper
    lower, below = (0.0, 0.0) if b == 0 else (ordered[b - 1][0], counts[b - 1])
    count = counts[b] - below
    if count == 0:
        return upper
    return lower + (upper - lower) * ((rank - below) / count)


def le_buckets(increases: Mapping[ScopeKey, float]) -> dict[ScopeKey, list[tuple[float, float]]]:
    """Bucket increases keyed by scopes with an `le` label → per scope without `le`, the
    (upper bound, count) pairs for `bucket_quantile`. A bucket whose `le` is not a number
    (or is NaN) is no bucket: left out, never an exception."""
    out: dict[ScopeKey, list[tuple[float, float]]] = {}
    for key, count in increases.items():
        labels = dict(key)
        bound = _upper_bound(labels.pop("le", None))
        if bound is None:
            continue
        out.setdefault(tuple(sorted(labels.items())), []).append((bound, count))
    return out


def _upper_bound(le: str | None) -> float | None:
    try:
        bound = float(le) if le is not None else None
    except ValueError:
        return None
    return bound if bound is not None and bound == bound else None
