"""Fetch named config signals over a range: one range request per signal, concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from launchguard.config.domain import Launch
from launchguard.core.frames import Frame, frame_from_points
from launchguard.interfaces import PrometheusSource
from launchguard.signals import RangeRequest, query_signal

Span = tuple[float, float, float]
"""(start, end, step) in unix seconds / seconds."""


async def fetch_signals(
    source: PrometheusSource, launch: Launch, spans: Mapping[str, Span]
) -> dict[str, Frame]:
    """signal name → its frame over its (start, end, step); unknown names raise KeyError."""
    names: Sequence[str] = sorted(spans)
    requests = [RangeRequest(name, launch.signals[name].query, *spans[name]) for name in names]
    results = await asyncio.gather(*(query_signal(source, r) for r in requests))
    return {
        name: frame_from_points(
            name, launch.signals[name].scope, ((s.labels, s.points) for s in result.series)
        )
        for name, result in zip(names, results, strict=True)
    }
