"""The small interfaces the adapters implement (one module per implementation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from launchguard.core.decisions import Decision, Transition
    from launchguard.core.frames import Tick
    from launchguard.prometheus import QueryResult


class PrometheusSource(Protocol):
    """A Prometheus-compatible query API (Prometheus, VictoriaMetrics, Mimir, Thanos)."""

    async def query_range(self, expr: str, start: float, end: float, step: float) -> QueryResult:
        """Evaluate `expr` at start, start+step, … ≤ end (unix seconds)."""
        ...


@dataclass(frozen=True)
class Degraded:
    """Evaluation is not trustworthy: Prometheus unreachable, or inconclusive too long."""

    reason: str  # "prometheus_unreachable" | "inconclusive" | ...
    since: Tick
    detail: str = ""


@dataclass(frozen=True)
class CycleReport:
    """What one evaluation cycle hands to every sink."""

    at: Tick
    transitions: Sequence[Transition]  # opened/resolved at this cycle (in time order)
    open: Sequence[Decision]  # every decision open after this cycle
    degraded: Degraded | None = None


class Sink(Protocol):
    """Where decisions go: Alertmanager, the journal, the warroom webhook, nowhere."""

    name: str

    async def deliver(self, report: CycleReport) -> None:
        """Deliver one cycle's report; keep what failed and retry it on later calls."""
        ...

    async def close(self) -> None:
        """Flush what is pending and release resources."""
        ...
