"""The small interfaces the adapters implement (one module per implementation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from launchguard.prometheus import QueryResult


class PrometheusSource(Protocol):
    """A Prometheus-compatible query API (Prometheus, VictoriaMetrics, Mimir, Thanos)."""

    async def query_range(self, expr: str, start: float, end: float, step: float) -> QueryResult:
        """Evaluate `expr` at start, start+step, … ≤ end (unix seconds)."""
        ...
