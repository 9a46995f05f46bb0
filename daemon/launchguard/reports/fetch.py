"""Fetch named config signals over a range: one range request per signal, concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from launchguard.config.domain import Launch
from launchguard.core.frames import Frame, frame_from_points
from launchguard.interfaces import PrometheusSource
from launchguard.prometheus import PrometheusBadQuery, QueryResult
from launchguard.signals import SignalQueryError

Span = tuple[float, float, float]
"""(start, end, step) in unix seconds / seconds."""


async def fetch_signals(
    source: PrometheusSource, launch: Launch, spans: Mapping[str, Span]
) -> dict[str, Frame]:
    """signal name → its frame over its (start, end, step); unknown names raise KeyError."""
    names: Sequence[str] = sorted(spans)

    async def one(name: str) -> QueryResult:
        query = launch.signals[name].query
        start, end, step = spans[name]
        try:
            return await source.query_range(query, start, end, step)
        except PrometheusBadQuery as exc:
            raise SignalQueryError(name, query, str(exc)) from exc

    results = await asyncio.gather(*(one(name) for name in names))
    return {
        name: frame_from_points(
            name, launch.signals[name].scope, ((s.labels, s.points) for s in result.series)
        )
        for name, result in zip(names, results, strict=True)
    }
