"""Go/No-Go (DESIGN §3): recommend moving the volume one level up only when, over the
window before the decision time, every SLO was met (at `min_met_share` of the evaluations
or more, in every scope), no rollback decision was open (its reason says when: "open
since …", or "was open from … to …" for one resolved inside the window), no blocking
incident (SEV1/SEV2) was declared, and no rollback criterion fires or is inconclusive at
the decision time (the "GO blockers"). Anything else is a No-Go, with every reason.
Missing data never counts as met: an evaluation without data is not a met one, and no
incident data at all is a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from launchguard.config.domain import Launch
from launchguard.config.durations import format_duration
from launchguard.config.models import VolumeLevel
from launchguard.core.actions import Action, level_at
from launchguard.core.checklist import ItemStatus
from launchguard.core.counters import grouped_increase
from launchguard.core.decisions import ROLLBACK_KINDS, Decision, decision_id
from launchguard.core.domains import screen_frames
from launchguard.core.frames import GLOBAL, Frames, ScopeKey, Tick, seconds, tick
from launchguard.core.slo import slo_state_columns
from launchguard.core.verdicts import State, Verdict

CRITERION = "gonogo"
PROMOTE, NO_GO = "promote", "no_go"


@dataclass(frozen=True)
class SLOCompliance:
    """How often an SLO was met in a scope over the window's evaluations."""

    slo: str
    scope: ScopeKey
    evaluations: int
    met: int
    breached: int
    no_data: int

    @property
    def share(self) -> float | None:
        """Met evaluations / evaluations (0..1); None without evaluations."""
        return self.met / self.evaluations if self.evaluations else None


@dataclass(frozen=True)
class Assessment:
    """The recommendation at `at` (unix seconds) over [`start`, `at`]."""

    at: float
    start: float
    recommendation: str  # PROMOTE | NO_GO
    reasons: tuple[str, ...]
    slos: tuple[SLOCompliance, ...]
    rollbacks: tuple[Decision, ...]
    incidents: Mapping[str, float] | None  # severity → declared in the window; None: no data
    blockers: tuple[Verdict, ...]
    level: VolumeLevel | None
    next_level: VolumeLevel | None
    decision: Decision | None  # the `promote` decision, when promoting
    checklist: tuple[ItemStatus, ...] = ()  # the cutover checklist at `at` (none: no T0)


def compliance(launch: Launch, frames: Frames, times: Sequence[Tick]) -> tuple[SLOCompliance, ...]:
    """Each SLO in each scope over `times`: met, breached and no-data evaluations."""
    scopes = {name: s.scope for name, s in launch.signals.items()}
    columns = slo_state_columns(launch.slos, frames, scopes, launch.networks, times)
    return tuple(
        SLOCompliance(
            slo,
            scope,
            len(states),
            states.count(State.CLEAR),
            states.count(State.FIRED),
            states.count(State.INCONCLUSIVE),
        )
        for (slo, scope), states in columns.items()
    )


def level_up(levels: Sequence[VolumeLevel], current: VolumeLevel | None) -> VolumeLevel | None:
    """The next level above `current` (levels are listed highest first)."""
    if current is None:
        return None
    above = [lv for lv in levels if lv.ratio > current.ratio]
    return above[-1] if above else None


def assess(
    launch: Launch,
    frames: Frames,
    times: Sequence[Tick],
    decisions: Sequence[Decision],
    verdicts: Sequence[Verdict],
    start: float,
    local: Callable[[Tick], str],
    checklist: Sequence[ItemStatus] = (),
) -> Assessment:
    """The Go/No-Go at the last of `times` over its window from `start` (unix seconds).

    `decisions` and `verdicts` come from `evaluate_span` over `times` (verdicts at the last
    time); `frames` hold the SLO signals over the window and the incidents counter. `local`
    writes a time for people in the reasons (the caller's: the core formats no zone).
    `checklist`: the cutover checklist's items at the decision time; each in a state of
    `checklist.gonogo_blocking` is a reason (no items: no checklist reason).
    """
    gonogo = launch.config.plan.gonogo
    frames = screen_frames(launch, frames)
    at = times[-1]
    window = [t for t in times if t >= tick(start)]
    slos = compliance(launch, frames, window)
    reasons = [
        f"SLO {c.slo} {_scope(c.scope)} met at {c.met} of {c.evaluations} evaluations"
        f" ({c.breached} breached, {c.no_data} without data); at least"
        f" {gonogo.min_met_share:.0%} required"
        for c in slos
        if c.share is None or c.share < gonogo.min_met_share
    ]
    rollbacks = tuple(
        d
        for d in decisions
        if d.kind in ROLLBACK_KINDS
        and d.opened_at <= at
        and (d.resolved_at is None or d.resolved_at >= tick(start))
    )
    reasons += [_rollback_reason(d, at, local) for d in rollbacks]
    incidents = _incidents(launch, frames, tick(start), at)
    if incidents is None:
        reasons.append("no incident data: cannot confirm that no SEV1/SEV2 was declared")
    else:
        reasons += [
            f"{n:g} {severity.upper()} incident(s) declared in the window"
            for severity, n in sorted(incidents.items())
            if severity in gonogo.blocking_severities and n > 0
        ]
    blockers = tuple(v for v in verdicts if v.state is not State.CLEAR)
    reasons += [
        f"GO blocker: {v.criterion} {_scope(v.scope)} is {v.state.value} at the decision time"
        for v in blockers
    ]
    blocking = launch.config.checklist.gonogo_blocking
    reasons += [
        f"checklist item {c.item.id} ({c.item.moment}, {c.item.owner}) is"
        f" {c.state.value.replace('_', ' ')}: {c.reason}"
        for c in checklist
        if c.state.value in blocking
    ]
    level = level_at(launch, frames, at)
    up = level_up(launch.levels, level)
    if up is None:
        reasons.append("no volume level above the one in force (or the level is unknown)")
    decision = None if reasons else _promote(launch, at, start, level, up)
    return Assessment(
        seconds(at),
        start,
        NO_GO if reasons else PROMOTE,
        tuple(reasons),
        slos,
        rollbacks,
        incidents,
        blockers,
        level,
        up,
        decision,
        tuple(checklist),
    )


def _incidents(launch: Launch, frames: Frames, start: Tick, end: Tick) -> dict[str, float] | None:
    frame = frames.get(launch.config.plan.gonogo.incidents_signal)
    found = grouped_increase(frame, ("severity",), start, end)
    if not found:
        return None
    return {dict(key).get("severity", ""): n for key, n in found.items()}


def _promote(
    launch: Launch, at: Tick, start: float, level: VolumeLevel | None, up: VolumeLevel | None
) -> Decision:
    assert level is not None and up is not None
    window = format_duration(seconds(at) - start)
    evidence = Verdict(
        CRITERION,
        GLOBAL,
        at,
        State.FIRED,
        thresholds={"min_met_share": launch.config.plan.gonogo.min_met_share},
        detail=({"window": window, "from": level.name, "to": up.name},),
    )
    step = Action(
        "volume_step_up",
        f"Volume one level up: {level.name} ({level.ratio:.0%}) → {up.name} ({up.ratio:.0%}).",
        from_level=level,
        to_level=up,
    )
    return Decision(
        decision_id(CRITERION, GLOBAL, at), PROMOTE, CRITERION, GLOBAL, at, None, (step,), evidence
    )


def _rollback_reason(d: Decision, at: Tick, local: Callable[[Tick], str]) -> str:
    """Why a rollback of the window blocks: still open at `at`, or open for a while in it."""
    head = f"rollback decision {d.id} ({d.criterion} {_scope(d.scope)})"
    if d.resolved_at is None or d.resolved_at > at:
        return f"{head} open since {local(d.opened_at)}"
    return f"{head} was open from {local(d.opened_at)} to {local(d.resolved_at)}"


def _scope(scope: ScopeKey) -> str:
    return "[" + (",".join(f"{k}={v}" for k, v in scope) or "global") + "]"
