"""Where the data ends (DESIGN §5, `evaluated_to`): a range that runs past the last sample is
evaluated up to there, and says so.

The data's end is the newest sample time of the metrics the command's signals select, found
with two cheap requests: a sweep of the range for the last time any of their series is
present, then `timestamp()` (of a plain selector: the sample's own time) at that time. The
evaluation times up to it are the same whatever the range's end, so nothing inside the data
changes because the range runs past it. The live daemon does not use this: it evaluates up
to now, and a lagging Prometheus there is degraded evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import promql_parser

from launchguard.config.domain import Launch
from launchguard.interfaces import PrometheusSource
from launchguard.signals import sweep_step


class NoData(Exception):
    """The range holds no sample of the signals a command reads (exit 4)."""


@dataclass(frozen=True)
class Coverage:
    """A requested range [start, end] (unix seconds) against the data: `data_end` is the
    newest sample at or before `end` (None: none since the range's lookback);
    `evaluated_to` the last evaluation time (None: nothing to evaluate); `without_data` the
    part of the range past the data, (from, to), None when the data covers the range."""

    start: float
    end: float
    data_end: float | None
    evaluated_to: float | None
    without_data: tuple[float, float] | None


def cover(start: float, end: float, step: float, data_end: float | None, grace: float) -> Coverage:
    """Evaluate start, start+step, … up to `end`, or only up to `data_end` when the data stops
    more than `grace` seconds before `end` (data younger than one evaluation interval is
    current). All times unix seconds."""
    if data_end is None or data_end < start:
        return Coverage(start, end, data_end, None, (start, end))
    if data_end >= end - grace:
        last, gap = end, None
    else:
        last, gap = data_end, (data_end, end)
    return Coverage(start, end, data_end, start + math.floor((last - start) / step) * step, gap)


def metric_names(queries: Iterable[str]) -> list[str]:
    """The metric names the PromQL `queries` select, sorted (selectors without a name are
    left out)."""
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(node.name)

    for query in queries:
        promql_parser.walk(promql_parser.parse(query), visit)
    return sorted(names)


def presence_query(names: Sequence[str]) -> str:
    """PromQL: how many series of `names` have a sample in the lookback of the evaluation
    time (Prometheus' 5 minutes); no point where none has."""
    return 'count({__name__=~"' + "|".join(names) + '"})'


def newest_sample_query(names: Sequence[str]) -> str:
    """PromQL: the newest sample time (unix seconds) of any series of `names` visible at the
    evaluation time. Each metric's maximum is labelled apart first, so `or` keeps them all.
    Costly over many steps (Prometheus 2.42 seeks every series anew at each step): asked at
    one time only."""
    parts = [f'label_replace(max(timestamp({n})), "metric", "{n}", "", "")' for n in names]
    return "max(" + " or ".join(parts) + ")"


async def data_end(
    source: PrometheusSource,
    launch: Launch,
    signals: Iterable[str],
    first: float,
    end: float,
    step: float,
) -> float | None:
    """The newest sample time in [first, end] (unix seconds) of the metrics `signals` read;
    None when there is none. Two requests: where the series are last present (swept at
    `sweep_step`, so no sample falls between two steps), then the sample time there."""
    names = metric_names(launch.signals[name].query for name in sorted(set(signals)))
    if not names or end < first:
        return None
    res = sweep_step(launch, end - first, step)
    # Steps counted back from `end`, so `end` itself is a step: a sample at `end` is seen.
    sweep_from = end - math.ceil((end - first) / res) * res
    present = await source.query_range(presence_query(names), sweep_from, end, res)
    last = max((t for s in present.series for t, _ in s.points), default=None)
    if last is None:
        return None
    newest = await source.query_range(newest_sample_query(names), last, last, 1.0)
    found = [v for s in newest.series for _, v in s.points if not math.isnan(v) and v <= end]
    return max(found, default=None)


async def measure(
    source: PrometheusSource,
    launch: Launch,
    signals: Iterable[str],
    start: float,
    end: float,
    step: float,
) -> Coverage:
    """The coverage of [start, end] at `step` by the data of `signals`, looking for data back
    to the lookback before `start` (so a range after the data names where it ended)."""
    found = await data_end(source, launch, signals, start - launch.lookback, end, step)
    return cover(start, end, step, found, launch.interval)
