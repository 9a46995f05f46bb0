"""The support plan's monthly KPI report (DESIGN §2): per priority, the tickets registered in
the month, their reaction and resolution times (median and p95), and the breaches whose due
time fell in the month, by stage, with their escalations. Pure.

The month is the launch zone's calendar month. Times to a stage count tickets registered in
the month that reached it by the report time; the median is the middle value (the mean of
the two middle ones), p95 the nearest rank (the smallest value with at least 95 % of the
values at or below it).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from launchguard.config.support import SLA_CRITERIA, SupportSettings
from launchguard.core.sla import Ticket, TicketFacts, breaches
from launchguard.coverage import Coverage
from launchguard.output.jsonout import coverage_json
from launchguard.reports.markdown import table
from launchguard.reports.views import iso, span, when


@dataclass(frozen=True)
class Times:
    """Seconds from registration to a stage over the tickets that reached it."""

    reached: int
    median: float | None
    p95: float | None


@dataclass(frozen=True)
class PriorityRow:
    priority: str
    tickets: int
    reaction: Times
    resolution: Times


@dataclass(frozen=True)
class MonthReport:
    month: str
    start: float
    end: float
    at: float  # the tickets' timestamps were read up to this time
    timezone: str
    rows: tuple[PriorityRow, ...]
    breaches: Mapping[str, Mapping[str, int]]  # criterion → priority → breaches due in month
    open_breaches: int
    escalations: Mapping[str, int]  # target → breaches
    unknown: tuple[str, ...]  # tickets with stage times but no registration time
    coverage: Coverage | None = None  # the month up to --at against the ticket data


def month_bounds(month: str, zone: str) -> tuple[float, float]:
    """'2026-11' → (first instant of the month, first of the next), unix seconds, in `zone`;
    ValueError for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{month!r} is not a month like 2026-11")
    year, number = int(match.group(1)), int(match.group(2))
    tz = ZoneInfo(zone)
    start = datetime(year, number, 1, tzinfo=tz)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    return start.timestamp(), end.timestamp()


def nearest_rank(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _times(values: list[float]) -> Times:
    return Times(
        len(values), statistics.median(values) if values else None, nearest_rank(values, 0.95)
    )


def _took(tickets: Sequence[Ticket], criterion: str, at: float) -> list[float]:
    """Seconds from registration to the stage, for the tickets that reached it by `at`."""
    return [
        t.reached[criterion][1] - t.created
        for t in tickets
        if criterion in t.reached and t.reached[criterion][1] <= at
    ]


def build(
    support: SupportSettings, facts: TicketFacts, month: str, zone: str, at: float
) -> MonthReport:
    """The month's KPIs from the tickets reported at `at` (unix seconds)."""
    start, end = month_bounds(month, zone)
    registered = [t for t in facts.tickets if start <= t.created < end]
    priorities = sorted(set(support.targets) | {t.priority for t in registered})
    rows = []
    for p in priorities:
        mine = [t for t in registered if t.priority == p]
        reaction, resolution = _took(mine, "sla_reaction", at), _took(mine, "sla_resolution", at)
        rows.append(PriorityRow(p, len(mine), _times(reaction), _times(resolution)))
    due = [b for b in breaches(support, facts, at) if start <= b.due < end]
    by_stage: dict[str, dict[str, int]] = {c: {} for c in SLA_CRITERIA}
    escalations: dict[str, int] = {}
    for b in due:
        by_stage[b.criterion][b.priority] = by_stage[b.criterion].get(b.priority, 0) + 1
        for target in b.escalate_to:
            escalations[target] = escalations.get(target, 0) + 1
    return MonthReport(
        month,
        start,
        end,
        at,
        zone,
        tuple(rows),
        {c: dict(sorted(n.items())) for c, n in by_stage.items()},
        sum(1 for b in due if b.reached is None),
        dict(sorted(escalations.items())),
        facts.unknown,
    )


def to_json(r: MonthReport) -> dict[str, Any]:
    def times(t: Times) -> dict[str, Any]:
        return {"reached": t.reached, "median_seconds": t.median, "p95_seconds": t.p95}

    return {
        "month": r.month,
        "timezone": r.timezone,
        "from": iso(r.start, r.timezone),
        "to": iso(r.end, r.timezone),
        "read_at": iso(r.at, r.timezone),
        **coverage_json(r.coverage, lambda t: iso(t, r.timezone)),
        "tickets": sum(row.tickets for row in r.rows),
        "by_priority": [
            {
                "priority": row.priority,
                "tickets": row.tickets,
                "reaction": times(row.reaction),
                "resolution": times(row.resolution),
            }
            for row in r.rows
        ],
        "breaches": {
            "total": sum(sum(n.values()) for n in r.breaches.values()),
            "open": r.open_breaches,
            "by_stage": {c.removeprefix("sla_"): dict(n) for c, n in r.breaches.items()},
        },
        "escalations": dict(r.escalations),
        "tickets_without_registration_time": list(r.unknown),
    }


def _gap_text(c: Coverage | None, zone: str) -> str:
    gap = c.without_data if c is not None else None
    if gap is None:
        return ""
    return (
        f" (the ticket data ends at {when(gap[0], zone)}; none from there to {when(gap[1], zone)})"
    )


def to_markdown(r: MonthReport) -> str:
    zone = r.timezone
    lines = [
        f"# Support SLA report {r.month}",
        "",
        f"{when(r.start, zone)} → {when(r.end, zone)}; ticket data as of {when(r.at, zone)}"
        + _gap_text(r.coverage, zone)
        + ".",
        "",
        "## Tickets by priority",
        "",
    ]
    rows = [
        [
            row.priority,
            str(row.tickets),
            f"{span(row.reaction.median)} / {span(row.reaction.p95)} ({row.reaction.reached})",
            f"{span(row.resolution.median)} / {span(row.resolution.p95)} "
            f"({row.resolution.reached})",
        ]
        for row in r.rows
    ]
    header = ["priority", "tickets", "reaction median / p95 (n)", "resolution median / p95 (n)"]
    lines += table(header, rows)
    lines += ["", "## Breaches by stage (due in the month)", ""]
    priorities = [row.priority for row in r.rows]
    stage_rows = [
        [c.removeprefix("sla_"), *(str(n.get(p, 0)) for p in priorities), str(sum(n.values()))]
        for c, n in r.breaches.items()
    ]
    lines += table(["stage", *priorities, "total"], stage_rows)
    lines += ["", f"Still open at {when(r.at, zone)}: {r.open_breaches}.", "", "## Escalations", ""]
    if r.escalations:
        lines += [f"- {target}: {n}" for target, n in r.escalations.items()]
    else:
        lines.append("None.")
    if r.unknown:
        lines += ["", f"Tickets with stage times but no registration time: {', '.join(r.unknown)}."]
    return "\n".join(lines) + "\n"
