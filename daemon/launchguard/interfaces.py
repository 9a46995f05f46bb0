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
    rebuilt: bool = True  # False until the start-up rebuild succeeds: `open` is unknown


@dataclass(frozen=True)
class Delivery:
    """What one `Sink.deliver` achieved: `failures` is how many posts or writes failed in
    this call (0: everything due was delivered, or is waiting out a backoff), `problem` the
    last failure in one line ("" when none)."""

    failures: int = 0
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.failures == 0


DELIVERED = Delivery()


def failures(problems: Sequence[str]) -> Delivery:
    """The delivery of a call in which each of `problems` is one failed post or write."""
    return Delivery(len(problems), problems[-1]) if problems else DELIVERED


class Sink(Protocol):
    """Where decisions go: Alertmanager, the journal, the warroom webhook, nowhere.

    `first`: the sink of record (the journal). Each report goes to it before the others, so
    a transition is never announced before it is recorded; while it fails, evaluation is
    reported degraded (announcements are going out unrecorded)."""

    name: str
    first: bool

    async def deliver(self, report: CycleReport) -> Delivery:
        """Deliver one cycle's report; keep what failed and retry it on later calls. A
        target that fails is a `Delivery` with failures, never an exception."""
        ...

    async def close(self) -> None:
        """Flush what is pending and release resources."""
        ...
