"""Support-ticket histories over the METRICS.md helpdesk series, for tests, benches and demos.

`support_ticket_created_timestamp_seconds{ticket, priority}` is written from the first grid
time at or after registration; each `support_ticket_stage_timestamp_seconds{ticket, stage}`
from the first grid time at or after the stage was reached (absent until then), both until
the end of the grid, or until the ticket's `dropped` time when the helpdesk exporter stops
exporting it (METRICS.md: some drop closed tickets). Values are the unix seconds of the fact.
Pure: no clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from launchguard.sim.openmetrics import Labels, OpenMetricsWriter, Point

CREATED = "support_ticket_created_timestamp_seconds"
STAGE = "support_ticket_stage_timestamp_seconds"


@dataclass(frozen=True)
class Ticket:
    """A ticket registered at `created` (unix seconds) that reached `stages` (label → unix
    seconds: `responded`, `workaround`, `resolved`); with `dropped`, its series are no longer
    exported from that time (unix seconds) on."""

    ticket: str
    priority: str
    created: float
    stages: Mapping[str, float] = field(default_factory=dict)
    dropped: float | None = None


def _from(times: Sequence[float], at: float, value: float, until: float | None) -> Iterator[Point]:
    stop = len(times) if until is None else bisect.bisect_left(times, until)
    return ((t, value) for t in times[bisect.bisect_left(times, at) : stop])


def write(tickets: Sequence[Ticket], times: Sequence[float], w: OpenMetricsWriter) -> None:
    """Write both ticket families over the sorted grid `times` (unix seconds)."""
    created: list[tuple[Labels, Iterator[Point]]] = [
        (
            {"ticket": t.ticket, "priority": t.priority},
            _from(times, t.created, t.created, t.dropped),
        )
        for t in tickets
    ]
    w.gauge(CREATED, "When the ticket was registered.", created)
    stages: list[tuple[Labels, Iterator[Point]]] = [
        ({"ticket": t.ticket, "stage": stage}, _from(times, at, at, t.dropped))
        for t in tickets
        for stage, at in sorted(t.stages.items())
    ]
    w.gauge(STAGE, "When the ticket reached a stage.", stages)


def population(n: int, end: float, priority: str = "p1", spread: float = 36000.0) -> list[Ticket]:
    """`n` tickets of `priority` registered over the `spread` seconds before `end`, at
    deterministic times (ticket k at end - spread·(k+1)/n, whole seconds). One in four
    never responds, one in four responds late, the rest respond on time, in the
    support plan's 1 h for p1: response after 30 min, or after 2 h when late."""
    out = []
    for k in range(n):
        created = float(round(end - spread * (k + 1) / n))
        kind = k % 4
        if kind == 0:
            stages: dict[str, float] = {}
        elif kind == 1:
            stages = {"responded": created + 7200.0}
        else:
            stages = {"responded": created + 1800.0}
        out.append(
            Ticket(
                f"t{k:05d}",
                priority,
                created,
                {s: at for s, at in stages.items() if at <= end},
            )
        )
    return out
