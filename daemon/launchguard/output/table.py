"""Plain-text tables for the warroom: open decisions first, times in the launch's zone."""

from __future__ import annotations

from collections.abc import Sequence

from launchguard.core.calendar import FreezeState
from launchguard.core.decisions import ROLLBACK_KINDS, Decision
from launchguard.core.engine import InconclusiveSpan
from launchguard.core.explain import fmt_value, summary
from launchguard.core.frames import ScopeKey, tick
from launchguard.core.verdicts import SLOReading, State, Verdict
from launchguard.coverage import Coverage
from launchguard.output.timefmt import local, rfc3339


def columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in (header, *rows)
    ]
    return "\n".join(lines)


def scope_text(scope: ScopeKey) -> str:
    return ",".join(f"{k}={v}" for k, v in scope) or "global"


def decisions_table(decisions: Sequence[Decision], zone: str) -> str:
    if not decisions:
        return "No decisions."
    rows = []
    for d in decisions:
        resolved = local(d.resolved_at, zone) if d.resolved_at is not None else "OPEN"
        rows.append(
            [d.kind, d.criterion, scope_text(d.scope), local(d.opened_at, zone), resolved, d.id]
        )
    table = columns(["KIND", "CRITERION", "SCOPE", "OPENED", "RESOLVED", "ID"], rows)
    details = []
    for d in decisions:
        details.append(f"\n{d.id}  {d.kind} {d.criterion} [{scope_text(d.scope)}]")
        details.append(f"  evidence: {summary(d.evidence)}")
        for i, a in enumerate(d.actions, 1):
            details.append(f"  {i}. {a.text}")
    return table + "\n" + "\n".join(details)


def spans_table(spans: Sequence[InconclusiveSpan], zone: str) -> str:
    if not spans:
        return "No inconclusive evaluation."
    rows = [
        [s.criterion, scope_text(s.scope), local(s.start, zone), local(s.end, zone)] for s in spans
    ]
    return columns(["CRITERION", "SCOPE", "FROM", "TO"], rows)


def slo_table(readings: Sequence[SLOReading]) -> str:
    rows = [
        [
            r.slo,
            scope_text(r.scope),
            fmt_value(r.value),
            f"{r.comparison} {fmt_value(r.objective)}",
            r.state.value.upper(),
        ]
        for r in readings
    ]
    return columns(["SLO", "SCOPE", "VALUE", "OBJECTIVE", "STATE"], rows)


def verdict_table(verdicts: Sequence[Verdict]) -> str:
    rows = [
        [
            v.criterion,
            scope_text(v.scope),
            v.state.value.upper(),
            summary(v) if v.state is not State.CLEAR else "",
        ]
        for v in verdicts
    ]
    return columns(["CRITERION", "SCOPE", "STATE", "EVIDENCE"], rows)


def freezes_table(freezes: Sequence[FreezeState], zone: str) -> str:
    """Freezes in force (ACTIVE yes) and to come, times in the launch's zone."""
    if not freezes:
        return "No freeze in force or to come."
    rows = [
        [
            f.name,
            local(tick(f.start), zone),
            local(tick(f.end), zone),
            "yes" if f.active else "no",
            f.note,
        ]
        for f in freezes
    ]
    return columns(["FREEZE", "FROM", "TO", "ACTIVE", "NOTE"], rows)


def rollback_open(decisions: Sequence[Decision]) -> list[Decision]:
    """Open decisions that recommend a rollback (partial or full)."""
    return [d for d in decisions if d.is_open and d.kind in ROLLBACK_KINDS]


def coverage_line(c: Coverage, zone: str) -> str:
    """'Evaluated to …' and, when the range runs past the data, where the data ends."""
    if c.evaluated_to is None:
        return "Not evaluated: no data in the range."
    text = f"Evaluated to {local(tick(c.evaluated_to), zone)}"
    gap = c.without_data
    if gap is None:
        return text + " (the data covers the range)."
    return (
        f"{text}: the data ends at {local(tick(gap[0]), zone)}; no data from there to "
        f"{local(tick(gap[1]), zone)}."
    )


def no_data_message(c: Coverage, what: str = "the launch's signals") -> str:
    """One line for stderr: the range and where the data ended, in UTC."""
    text = f"no data: Prometheus has no sample of {what} from {rfc3339(tick(c.start))} to "
    text += f"{rfc3339(tick(c.end))}"
    if c.data_end is not None:
        text += f" (the data ends at {rfc3339(tick(c.data_end))})"
    return text
