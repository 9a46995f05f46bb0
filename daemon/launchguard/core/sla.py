"""Support SLA breaches (DESIGN §2) from ticket facts: registration and stage timestamps.

A ticket's stage target runs from its registration, 24/7: due = created + target (seconds).
The stage is missed when its due time has passed and the ticket has not reached it by then;
a stage reached exactly at the due time is met. The `sla_breach` decision opens at the due
time itself (not at the first evaluation after it) and resolves at the stage's timestamp:
times are facts, so no clear rule applies, and its id depends on the due time only.

The timestamps are read at one time, the last of the span, as the last value each series
had anywhere in the span (a stage time never changes once set, and a ticket no longer
exported keeps its times), so thousands of tickets cost one point per series. A ticket
without a registration time (absent or NaN) has no decision: it is inconclusive, never a
breach.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from launchguard import names
from launchguard.config.durations import format_duration
from launchguard.config.support import SLA_CRITERIA, SupportSettings
from launchguard.core.actions import Action
from launchguard.core.decisions import Decision, DecisionBook, Key, Transition
from launchguard.core.frames import ABSENT, Frames, ScopeKey, Tick, seconds, tick
from launchguard.core.verdicts import Observation, State, Verdict

KIND = "sla_breach"


@dataclass(frozen=True)
class Ticket:
    """A registered ticket: `reached` maps an SLA criterion to (stage label, unix seconds)."""

    id: str
    priority: str
    created: float
    reached: dict[str, tuple[str, float]]


@dataclass(frozen=True)
class TicketFacts:
    tickets: tuple[Ticket, ...]
    unknown: tuple[str, ...]  # tickets with stage times but no registration time


@dataclass(frozen=True)
class Breach:
    """A missed stage: due = created + target (unix seconds); `reached` None while missed."""

    criterion: str
    ticket: str
    priority: str
    created: float
    target: float
    stage: str  # the stage label missed, e.g. "responded"
    reached: float | None
    reached_by: str  # the stage label whose time `reached` is (a later stage implies this one)
    escalate_to: tuple[str, ...]

    @property
    def due(self) -> float:
        return self.created + self.target

    @property
    def scope(self) -> ScopeKey:
        return (("priority", self.priority), ("ticket", self.ticket))


def read_tickets(support: SupportSettings, frames: Frames, t: Tick) -> TicketFacts:
    """The tickets reported at `t`. A ticket reported under two priorities at once (it was
    just re-prioritised) counts under the most urgent one (lowest label, p1 before p2)."""
    stages: dict[str, dict[str, float]] = {}
    stage_frame = frames.get(support.stage_signal)
    for key, series in stage_frame.values.items() if stage_frame is not None else ():
        value = series.get(t)
        if value is not None and value == value:
            labels = dict(key)
            stages.setdefault(labels.get("ticket", ""), {})[labels.get("stage", "")] = value
    created: dict[str, tuple[str, float]] = {}
    created_frame = frames.get(support.created_signal)
    for key, series in created_frame.values.items() if created_frame is not None else ():
        value = series.get(t)
        if value is None or value != value:
            continue
        labels = dict(key)
        ticket, priority = labels.get("ticket", ""), labels.get("priority", "")
        if ticket not in created or priority < created[ticket][0]:
            created[ticket] = (priority, value)
    tickets = tuple(
        Ticket(ticket, priority, at, _reached(support, stages.get(ticket, {})))
        for ticket, (priority, at) in sorted(created.items())
    )
    return TicketFacts(tickets, tuple(sorted(set(stages) - set(created))))


def _reached(support: SupportSettings, times: dict[str, float]) -> dict[str, tuple[str, float]]:
    """criterion → (stage label, time) it was reached; with `later_stage_implies_earlier`,
    a stage counts as reached by the earliest time it or a later stage was reached."""
    out: dict[str, tuple[str, float]] = {}
    best: tuple[str, float] | None = None
    for criterion in reversed(SLA_CRITERIA):
        label = support.stages.of(criterion)
        own = (label, times[label]) if label in times else None
        if support.later_stage_implies_earlier:
            if own is not None and (best is None or own[1] <= best[1]):
                best = own
            own = best
        if own is not None:
            out[criterion] = own
    return out


def breaches(support: SupportSettings, facts: TicketFacts, t: float) -> list[Breach]:
    """Every stage missed by unix time `t`: due ≤ t and not reached by the due time."""
    out = []
    for ticket in facts.tickets:
        targets = support.targets.get(ticket.priority)
        if targets is None:
            continue
        for criterion in SLA_CRITERIA:
            target = targets.of(criterion)
            if target is None or ticket.created + target > t:
                continue
            label = support.stages.of(criterion)
            by, at = ticket.reached.get(criterion, (label, None))
            if at is not None and at <= ticket.created + target:
                continue
            out.append(
                Breach(
                    criterion,
                    ticket.id,
                    ticket.priority,
                    ticket.created,
                    target,
                    label,
                    at if at is not None and at <= t else None,
                    by,
                    support.escalation_targets(criterion, ticket.priority),
                )
            )
    return out


def evidence(support: SupportSettings, b: Breach, at: Tick) -> Verdict:
    """The breach as of `at` (its stage time once reached): created, due, reached, late by."""
    until = b.reached if b.reached is not None else seconds(at)
    detail = {
        "ticket": b.ticket,
        "priority": b.priority,
        "stage": b.stage,
        "created": b.created,
        "due": b.due,
        "reached": b.reached,
        "reached_by": b.reached_by if b.reached is not None else None,
        "late_by": max(0.0, until - b.due),
        "escalate_to": list(b.escalate_to),
    }
    obs = (
        Observation(support.created_signal, b.scope, at, 0.0, b.created),
        Observation(
            support.stage_signal,
            (("stage", b.reached_by), ("ticket", b.ticket)),
            at,
            0.0,
            b.reached if b.reached is not None else ABSENT,
        ),
    )
    return Verdict(b.criterion, b.scope, at, State.FIRED, obs, {"target": b.target}, (detail,))


def actions(b: Breach) -> tuple[Action, ...]:
    """One escalation step per configured target of the breach."""
    what = f"{b.priority} ticket {b.ticket} missed its {b.criterion.removeprefix('sla_')} target"
    return tuple(
        Action("escalate", f"Escalate to {to}: {what} ({format_duration(b.target)}).")
        for to in b.escalate_to
    )


def apply(
    book: DecisionBook, support: SupportSettings, facts: TicketFacts, times: Sequence[Tick]
) -> list[tuple[Tick, Transition]]:
    """Open and resolve `sla_breach` decisions for the span `times` (sorted), in `book`.

    Each transition is paired with the first evaluation time at or after its fact (the
    evaluation that learns it); the decision itself carries the fact's time. Breaches over
    before the span are left out. An open breach the facts no longer support while its
    ticket is still reported (re-prioritised, or a stage time that arrived late shows it was
    met) resolves at the span's first time. A ticket no longer reported keeps its breach open.
    """
    if not times:
        return []
    first, last = times[0], times[-1]
    out: list[tuple[Tick, Transition]] = []
    current: set[Key] = set()
    for b in breaches(support, facts, seconds(last)):
        key: Key = (b.criterion, b.scope)
        current.add(key)
        reached = None if b.reached is None else tick(b.reached)
        ev = evidence(support, b, reached if reached is not None else last)
        if key not in book.open:
            if reached is not None and reached < first:
                continue
            opened = book.open_at(key, KIND, ev, tick(b.due), actions(b))
            if opened is None:
                continue
            out.append((_learnt_at(times, opened.opened_at), Transition("opened", opened)))
        elif reached is None:
            book.refresh(key, ev)  # "late by" as of the span's last time
        if reached is None:
            continue
        resolved = book.resolve_at(key, reached, ev)
        out.append((_learnt_at(times, reached), Transition("resolved", resolved)))
    present = {ticket.id for ticket in facts.tickets}
    stale = [
        key
        for key in book.timed
        if key[0] in SLA_CRITERIA and key not in current and dict(key[1]).get("ticket") in present
    ]
    for key in sorted(stale):
        out.append((first, Transition("resolved", book.resolve_at(key, first))))
    return out


def _learnt_at(times: Sequence[Tick], fact: Tick) -> Tick:
    return times[min(bisect.bisect_left(times, fact), len(times) - 1)]


def summary(v: Verdict) -> str:
    """One line for people: '<p> ticket <id>: <stage> due <time> (target 1h), not reached:
    late by 2h30m; escalate to support coordinator'. Times in UTC."""
    if not v.detail:
        return v.criterion
    d = v.detail[0]
    due, created, reached = _num(d["due"]), _num(d["created"]), _num(d["reached"])
    late = format_duration(_num(d["late_by"]) or 0.0)
    if due is None or created is None:
        return v.criterion
    text = f"{d['priority']} ticket {d['ticket']}: registered {_utc(created)}, "
    text += f"{d['stage']} due {_utc(due)} (target {format_duration(due - created)}); "
    if reached is not None:
        text += f"reached {_utc(reached)}, late by {late}"
    else:
        text += f"not reached, late by {late} at {_utc(seconds(v.at))}"
    escalate = d["escalate_to"]
    if isinstance(escalate, list) and escalate:
        text += "; escalate to " + " and ".join(str(e) for e in escalate)
    return text


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _utc(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def escalate_to(d: Decision) -> tuple[str, ...]:
    """Who an `sla_breach` decision goes to (config order); () for other decisions."""
    if d.kind != KIND or not d.evidence.detail:
        return ()
    targets = d.evidence.detail[0].get("escalate_to")
    return tuple(str(t) for t in targets) if isinstance(targets, list) else ()


def escalation_labels(d: Decision) -> dict[str, str]:
    """The Alertmanager label routing an SLA breach to its escalation targets, e.g.
    `escalate_to="support coordinator"`; none for other decisions or without a target."""
    targets = escalate_to(d)
    return {names.LABEL_ESCALATE_TO: ", ".join(targets)} if targets else {}
