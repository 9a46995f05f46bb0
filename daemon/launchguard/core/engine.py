"""Evaluate a span of times: criteria and SLOs at each time, folded into decisions.

The live daemon and the backtest both call `evaluate_span`; they differ only in the range
they fetched and in whether they keep the `DecisionBook` between calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from launchguard.config.domain import Launch
from launchguard.config.models import ROLLBACK_CRITERIA, VolumeLevel
from launchguard.config.support import SLA_CRITERIA
from launchguard.core import columns as col
from launchguard.core import criteria as crit
from launchguard.core import guardrail, sla
from launchguard.core.actions import level_at
from launchguard.core.decisions import Decision, DecisionBook, Key, Transition
from launchguard.core.domains import invalid_counts, screen_frames
from launchguard.core.frames import GLOBAL, Frames, ScopeKey, Tick, tick
from launchguard.core.slo import read_details, read_slos, slo_rules
from launchguard.core.verdicts import SLOReading, State, Verdict


@dataclass(frozen=True)
class InconclusiveSpan:
    """Consecutive evaluation times (`start`..`end`, inclusive) a criterion was inconclusive."""

    criterion: str
    scope: ScopeKey
    start: Tick
    end: Tick


@dataclass
class Outcome:
    """What a span's evaluation produced."""

    decisions: list[Decision]
    inconclusive: list[InconclusiveSpan]
    transitions: list[tuple[Tick, Transition]]
    verdicts: list[Verdict] = field(default_factory=list)  # at the last time
    slos: list[SLOReading] = field(default_factory=list)  # at the last time
    slo_details: list[SLOReading] = field(default_factory=list)  # e.g. per partner, last time
    book: DecisionBook | None = None
    invalid: dict[str, int] = field(default_factory=dict)  # signal → invalid samples in span


def grid(start: float, end: float, step: float, lookback: float = 0.0) -> list[Tick]:
    """Evaluation times start, start+step, … ≤ end, preceded by whole steps of lookback."""
    s, e, st = tick(start), tick(end), tick(step)
    if st <= 0:
        raise ValueError("step must be positive")
    warm = int(tick(lookback) // st)
    return [s + k * st for k in range(-warm, (e - s) // st + 1)] if e >= s else []


def new_book(launch: Launch) -> DecisionBook:
    return DecisionBook(tick(launch.clear_for), launch.networks, launch.actions, launch.levels)


def evaluate_span(
    launch: Launch,
    frames: Frames,
    times: Sequence[Tick],
    report_from: Tick,
    book: DecisionBook | None = None,
) -> Outcome:
    """Run every time of `times` through criteria, SLOs and the decision book.

    States are computed column by column over the whole span; evidence is built only for
    decisions that open and for the last time. Decisions are reported if open at some time
    ≥ `report_from`; inconclusive spans of the rollback criteria only from `report_from` on.
    Samples outside their signal's domain count as absent (`domains.screen`); `invalid`
    counts them per signal over the span's times.
    """
    book = book if book is not None else new_book(launch)
    frames = screen_frames(launch, frames)
    ctx = crit.context(launch, frames)
    scopes = {name: s.scope for name, s in launch.signals.items()}
    rules = {r.name: r for r in (*crit.rules(launch.criteria), *slo_rules(launch.slos, scopes))}
    columns: dict[Key, list[State]] = {}
    for rule in rules.values():
        for scope, states in col.states(ctx, rule, times).items():
            columns[(rule.name, scope)] = states
    guard = guardrail.prepare(launch, frames, times)
    if guard is not None:
        columns[(guardrail.CRITERION, GLOBAL)] = guard.column()
    busy: list[list[Key]] = [[] for _ in times]
    for key, column in columns.items():
        for i in [i for i, state in enumerate(column) if state is not State.CLEAR]:
            busy[i].append(key)

    def kind_of(criterion: str) -> str:
        plan = launch.actions.get(criterion)
        if plan is not None:
            return plan.kind
        return guardrail.KIND if criterion == guardrail.CRITERION else "slo_breach"

    transitions: list[tuple[Tick, Transition]] = []
    for i, t in enumerate(times):

        def explain(key: Key, t: Tick = t) -> Verdict:
            if guard is not None and key[0] == guardrail.CRITERION:
                return guard.verdict(t)
            return col.verdict_at(ctx, rules[key[0]], key[1], t)

        def level(t: Tick = t) -> VolumeLevel | None:
            return level_at(launch, frames, t)

        now = {key: columns[key][i] for key in busy[i]}
        for key in book.open:
            if key not in now and key in columns:
                now[key] = State.CLEAR
        transitions.extend((t, c) for c in book.advance(t, now, explain, kind_of, level))
    if not times:
        return Outcome([], [], transitions, book=book)
    last = times[-1]
    # SLA decisions open and resolve at fact times, apart from the per-time loop above (so
    # thousands of open tickets cost nothing per evaluation time); transitions stay in order.
    tickets = sla.read_tickets(launch.config.support, frames, last)
    transitions.extend(sla.apply(book, launch.config.support, tickets, times))
    transitions.sort(key=lambda pair: pair[0])
    reported = [
        d
        for d in book.decisions()
        if (d.resolved_at is None or d.resolved_at >= report_from) and d.opened_at <= last
    ]
    return Outcome(
        reported,
        inconclusive_spans(columns, times, report_from)
        + unknown_tickets(tickets, times, report_from),
        transitions,
        crit.evaluate_all(replace(ctx, explain=True), launch.criteria, last),
        read_slos(launch.slos, frames, scopes, launch.networks, last),
        read_details(launch.slos, frames, last),
        book,
        invalid_counts(frames, times[0], last),
    )


def inconclusive_spans(
    columns: Mapping[Key, list[State]], times: Sequence[Tick], report_from: Tick
) -> list[InconclusiveSpan]:
    """Runs of consecutive INCONCLUSIVE times of the rollback criteria, from `report_from`."""
    first = next((i for i, t in enumerate(times) if t >= report_from), len(times))
    out = []
    for (criterion, scope), states in columns.items():
        if criterion not in ROLLBACK_CRITERIA:
            continue
        start: int | None = None
        for i in range(first, len(times) + 1):
            inconclusive = i < len(times) and states[i] is State.INCONCLUSIVE
            if inconclusive and start is None:
                start = i
            elif not inconclusive and start is not None:
                out.append(InconclusiveSpan(criterion, scope, times[start], times[i - 1]))
                start = None
    return sorted(out, key=lambda s: (s.start, s.criterion, s.scope))


def unknown_tickets(
    facts: sla.TicketFacts, times: Sequence[Tick], report_from: Tick
) -> list[InconclusiveSpan]:
    """Tickets with stage times but no registration time: every SLA criterion is
    inconclusive for them over the reported times (their timestamps are read at the last)."""
    shown = [t for t in times if t >= report_from]
    if not shown:
        return []
    return [
        InconclusiveSpan(criterion, (("ticket", ticket),), shown[0], shown[-1])
        for ticket in facts.unknown
        for criterion in SLA_CRITERIA
    ]
