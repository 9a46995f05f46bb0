"""Fetch named config signals over a range: one range request per signal, concurrently."""

from __future__ import annotations

from collections.abc import Mapping

from launchguard.config.domain import Launch
from launchguard.core.frames import Frame
from launchguard.interfaces import PrometheusSource
from launchguard.signals import RangeRequest, fetch_requests

Span = tuple[float, float, float]
"""(start, end, step) in unix seconds / seconds."""


async def fetch_signals(
    source: PrometheusSource, launch: Launch, spans: Mapping[str, Span]
) -> dict[str, Frame]:
    """signal name → its frame over its (start, end, step); unknown names raise KeyError."""
    requests = [
        RangeRequest(name, launch.signals[name].query, *spans[name]) for name in sorted(spans)
    ]
    fetched = await fetch_requests(source, launch, requests)
    return {name: fetched.frames[name] for name in sorted(spans)}
