"""The launch's timeline (the plan's §12 warroom log): what happened, in order, from the
calendar (phases entered, freezes, the scheduled Go/No-Go) and from the journal's records
(decisions opened and resolved with their evidence, Go decisions, warroom actions, degraded
evaluation and its recovery). Pure: the caller reads the journal and passes its records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from launchguard.config.domain import FreezeSpan, PhaseSpan
from launchguard.core.frames import Tick, tick
from launchguard.core.warroom import KINDS as ACTION_KINDS

CALENDAR, JOURNAL = "calendar", "journal"
# Events of the same instant in the order they happen: the calendar first, then what the
# evaluation saw, then what people did about it.
_RANK = {CALENDAR: 0, JOURNAL: 1}


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the timeline: `at` (ms), `event` (e.g. `phase_entered`,
    `decision_opened`, `action_declare`), `source` (`calendar` or `journal`), a one-line
    English `summary`, and `detail` (the decision's or action's JSON, …)."""

    at: Tick
    event: str
    source: str
    summary: str
    detail: Mapping[str, Any] = field(default_factory=dict)


def calendar_events(
    phases: Sequence[PhaseSpan], freezes: Sequence[FreezeSpan], gonogo_at: float | None
) -> list[TimelineEvent]:
    """Phases entered, freezes begun and ended, and the scheduled Go/No-Go."""
    out = [
        TimelineEvent(
            tick(p.start),
            "phase_entered",
            CALENDAR,
            f"phase {p.name} entered (volume {p.level})",
            {"phase": p.name, "level": p.level},
        )
        for p in phases
        if p.start is not None
    ]
    for f in freezes:
        detail = {"freeze": f.name, "note": f.note}
        out.append(
            TimelineEvent(tick(f.start), "freeze_started", CALENDAR, _freeze(f, "starts"), detail)
        )
        out.append(TimelineEvent(tick(f.end), "freeze_ended", CALENDAR, _freeze(f, "ends"), detail))
    if gonogo_at is not None:
        out.append(TimelineEvent(tick(gonogo_at), "gonogo_scheduled", CALENDAR, "Go/No-Go due"))
    return out


def _freeze(f: FreezeSpan, what: str) -> str:
    return f"{f.name} {what}" + (f": {f.note}" if f.note and what == "starts" else "")


def journal_events(records: Iterable[Mapping[str, Any]]) -> list[TimelineEvent]:
    """The timeline's events among the journal's records (evidence updates and key rotations
    are left out: the opening carries the evidence that decided it)."""
    out: list[TimelineEvent] = []
    for r in records:
        event = _from_record(r)
        if event is not None:
            out.append(event)
    return out


def _from_record(r: Mapping[str, Any]) -> TimelineEvent | None:
    kind, at = r.get("event"), r.get("at_ms")
    if not isinstance(at, int):
        return None
    if kind in ("opened", "resolved") and isinstance(r.get("decision"), Mapping):
        d = r["decision"]
        scope = ",".join(f"{k}={v}" for k, v in sorted(d.get("scope", {}).items())) or "global"
        name = "gonogo" if d.get("kind") == "promote" and kind == "opened" else f"decision_{kind}"
        text = f"{d.get('kind')} {d.get('criterion')} {{{scope}}} {kind} ({d.get('id')})"
        if name == "gonogo":
            text = f"Go/No-Go: promote recommended ({d.get('id')})"
        return TimelineEvent(at, name, JOURNAL, text, d)
    if kind in ACTION_KINDS and isinstance(r.get("action"), Mapping):
        a = r["action"]
        target = f" on {a.get('decision_id')}" if a.get("decision_id") else ""
        return TimelineEvent(
            at, f"action_{kind}", JOURNAL, f"{kind}{target} by {a.get('by')} ({a.get('role')})", a
        )
    if kind == "degraded":
        d = r.get("degraded") or {}
        text = f"evaluation degraded: {d.get('reason')}" + (
            f" ({d['detail']})" if d.get("detail") else ""
        )
        return TimelineEvent(at, "degraded", JOURNAL, text, d)
    if kind == "recovered":
        return TimelineEvent(at, "recovered", JOURNAL, "evaluation recovered")
    return None


def timeline(
    events: Iterable[TimelineEvent], start: Tick | None = None, end: Tick | None = None
) -> list[TimelineEvent]:
    """The events within [start, end] (None: open), in time order (the calendar first at
    one instant, then the journal in its own order)."""
    kept = [e for e in events if (start is None or e.at >= start) and (end is None or e.at <= end)]
    return sorted(kept, key=lambda e: (e.at, _RANK[e.source]))
