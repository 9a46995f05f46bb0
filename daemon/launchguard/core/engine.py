"""Evaluate a span of times: criteria and SLOs at each time, folded into decisions.

The live daemon and the backtest both call `evaluate_span`; they differ only in the range
they fetched and in whether they keep the `DecisionBook` between calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from launchguard.config.domain import Launch
from launchguard.config.models import ROLLBACK_CRITERIA
from launchguard.core import criteria as crit
from launchguard.core.actions import level_in_force
from launchguard.core.decisions import Decision, DecisionBook, Transition
from launchguard.core.frames import ABSENT, GLOBAL, Frames, ScopeKey, Tick, seconds, tick
from launchguard.core.slo import as_verdict, read_details, read_slos
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

    Decisions are reported if open at some time ≥ `report_from`; inconclusive spans of the
    rollback criteria only from `report_from` on.
    """
    book = book if book is not None else new_book(launch)
    pair_signals = (
        launch.criteria.eod_unsettled.unsettled_signal,
        launch.criteria.eod_unsettled.cutoff_signal,
    )
    ctx = crit.Context(frames, launch.networks, crit.pair_index(frames, pair_signals))
    scopes = {name: s.scope for name, s in launch.signals.items()}
    cap_frame = frames.get(launch.config.launch.volume_cap_signal or "")
    spans = _SpanTracker()
    transitions: list[tuple[Tick, Transition]] = []
    verdicts: list[Verdict] = []
    slos: list[SLOReading] = []

    def kind_of(criterion: str) -> str:
        plan = launch.actions.get(criterion)
        return plan.kind if plan is not None else "slo_breach"

    for t in times:
        verdicts = crit.evaluate_all(ctx, launch.criteria, t)
        slos = read_slos(launch.slos, frames, scopes, launch.networks, t)
        slo_verdicts = [as_verdict(r, launch.slos[r.slo].signal) for r in slos]
        cap = cap_frame.at(GLOBAL, t) if cap_frame is not None else ABSENT
        level = level_in_force(launch.levels, cap, launch.phases, seconds(t))
        for change in book.step(t, [*verdicts, *slo_verdicts], kind_of, level):
            transitions.append((t, change))
        if t >= report_from:
            spans.add(t, verdicts)
    last = times[-1] if times else report_from
    if times:  # the last time again, with evidence for clear verdicts too (for `check`)
        verdicts = crit.evaluate_all(replace(ctx, explain=True), launch.criteria, last)
    details = read_details(launch.slos, frames, last) if times else []
    reported = [
        d
        for d in book.decisions()
        if (d.resolved_at is None or d.resolved_at >= report_from) and d.opened_at <= last
    ]
    return Outcome(reported, spans.close(), transitions, verdicts, slos, details, book)


class _SpanTracker:
    """Folds per-time inconclusive verdicts into spans of consecutive times."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, ScopeKey], tuple[Tick, Tick]] = {}
        self._done: list[InconclusiveSpan] = []

    def add(self, t: Tick, verdicts: Sequence[Verdict]) -> None:
        now = {
            (v.criterion, v.scope)
            for v in verdicts
            if v.state is State.INCONCLUSIVE and v.criterion in ROLLBACK_CRITERIA
        }
        for key in [k for k in self._open if k not in now]:
            self._finish(key)
        for key in now:
            start, _ = self._open.get(key, (t, t))
            self._open[key] = (start, t)

    def _finish(self, key: tuple[str, ScopeKey]) -> None:
        start, end = self._open.pop(key)
        self._done.append(InconclusiveSpan(key[0], key[1], start, end))

    def close(self) -> list[InconclusiveSpan]:
        for key in list(self._open):
            self._finish(key)
        return sorted(self._done, key=lambda s: (s.start, s.criterion, s.scope))
