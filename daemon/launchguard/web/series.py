"""The recent history of a decision's signal, for its sparkline: one range query per signal
through the daemon's Prometheus source, cached until the next evaluation. A failing query
leaves the sparkline out; the page never fails for it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import structlog

from launchguard.config.domain import Launch
from launchguard.interfaces import PrometheusSource
from launchguard.notify.catalog import catalog
from launchguard.prometheus import PrometheusError

Points = tuple[tuple[float, float], ...]
_log = structlog.get_logger("launchguard.web")
MAX_POINTS = 120


def chart_operand(d: Mapping[str, Any], launch: Launch) -> tuple[str, dict[str, str]] | None:
    """(signal, scope labels) drawn for a decision: its first operand that is a live signal
    (not a timestamp or a money counter), or None."""
    for o in d["evidence"].get("observations", []):
        signal = o["signal"]
        if signal in launch.signals and catalog("en").unit(signal) not in ("timestamp", "usd"):
            return signal, dict(o["scope"])
    return None


class SeriesCache:
    """Range queries for sparklines, keyed by (signal, end); old ends are forgotten."""

    def __init__(self, launch: Launch, source: PrometheusSource, window: float) -> None:
        self.launch = launch
        self.source = source
        self.window = window
        self._cache: dict[tuple[str, float], list[tuple[dict[str, str], Points]]] = {}

    async def fetch(
        self, wanted: Sequence[tuple[str, dict[str, str]]], end: float
    ) -> dict[tuple[str, tuple[tuple[str, str], ...]], Points]:
        """(signal, scope) → its points over the window ending at `end` (unix seconds)."""
        signals = sorted({s for s, _ in wanted if (s, end) not in self._cache})
        if signals:
            self._cache = {k: v for k, v in self._cache.items() if k[1] == end}
            results = await asyncio.gather(*(self._query(s, end) for s in signals))
            for signal, result in zip(signals, results, strict=True):
                self._cache[(signal, end)] = result
        out = {}
        for signal, scope in wanted:
            for labels, points in self._cache.get((signal, end), []):
                if all(labels.get(k, "") == v for k, v in scope.items()):
                    out[(signal, tuple(sorted(scope.items())))] = points
                    break
        return out

    async def _query(self, signal: str, end: float) -> list[tuple[dict[str, str], Points]]:
        step = max(self.launch.interval, self.window / MAX_POINTS)
        try:
            result = await self.source.query_range(
                self.launch.signals[signal].query, end - self.window, end, step
            )
        except PrometheusError as exc:
            _log.warning("sparkline query failed", signal=signal, error=str(exc))
            return []
        return [(dict(s.labels), tuple(s.points)) for s in result.series]
