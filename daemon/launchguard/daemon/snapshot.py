"""What the daemon shows between cycles: the state after the last one."""

from __future__ import annotations

from dataclasses import dataclass

from launchguard import names
from launchguard.config.domain import Launch
from launchguard.config.models import VolumeLevel
from launchguard.core.actions import level_at, phase_at
from launchguard.core.calendar import FreezeState, freezes_ahead
from launchguard.core.checklist import ItemStatus
from launchguard.core.decisions import Decision
from launchguard.core.engine import Outcome
from launchguard.core.frames import Frames, Tick, seconds
from launchguard.core.gonogo import Assessment
from launchguard.core.verdicts import SLOReading, Verdict
from launchguard.interfaces import CycleReport, Degraded


@dataclass(frozen=True)
class Snapshot:
    """What the HTTP API shows: the state after the last cycle (times are Ticks)."""

    evaluated_to: Tick | None = None  # the last grid time evaluated successfully
    last_cycle_at: Tick | None = None
    last_duration: float = 0.0  # seconds
    last_outcome: str = "none"  # ok | degraded | failed | error | none (no cycle yet)
    last_error: str = ""
    last_success: float | None = None  # unix seconds of the last successful evaluation
    degraded: Degraded | None = None
    open: tuple[Decision, ...] = ()
    resolved: tuple[Decision, ...] = ()
    slos: tuple[SLOReading, ...] = ()
    slo_details: tuple[SLOReading, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    level: VolumeLevel | None = None
    phase: str | None = None
    freezes: tuple[FreezeState, ...] = ()  # in force at last_cycle_at, or still to come
    gonogo: Assessment | None = None  # the scheduled Go/No-Go, once assessed
    checklist: tuple[ItemStatus, ...] = ()  # the cutover checklist at checklist_at
    checklist_at: Tick | None = None

    @property
    def ready(self) -> bool:
        """Rebuilt (an evaluation succeeded since the start) and the last cycle not ended
        by an exception."""
        return self.last_success is not None and self.last_outcome != names.CYCLE_ERROR

    @property
    def not_ready_reason(self) -> str:
        if self.last_success is None:
            last = f" (last cycle: {self.last_error})" if self.last_error else ""
            return f"no successful evaluation yet{last}"
        return f"the last cycle ended in an error: {self.last_error}"


@dataclass(frozen=True)
class Evaluation:
    """What a cycle that evaluated adds to the snapshot."""

    outcome: Outcome
    frames: Frames
    at_clock: float  # unix seconds when it succeeded


def after_cycle(
    launch: Launch,
    previous: Snapshot,
    report: CycleReport,
    evaluation: Evaluation | None,
    *,
    evaluated_to: Tick | None,
    resolved: tuple[Decision, ...],
    outcome: str,
    error: str,
    duration: float,
) -> Snapshot:
    """The snapshot after a cycle; one that evaluated nothing (`evaluation` None) keeps the
    previous SLOs, verdicts and level."""
    at = report.at
    ev = evaluation
    return Snapshot(
        evaluated_to=evaluated_to,
        last_cycle_at=at,
        last_duration=duration,
        last_outcome=outcome,
        last_error=error,
        last_success=ev.at_clock if ev else previous.last_success,
        degraded=report.degraded,
        open=tuple(report.open),
        resolved=resolved,
        slos=tuple(ev.outcome.slos) if ev else previous.slos,
        slo_details=tuple(ev.outcome.slo_details) if ev else previous.slo_details,
        verdicts=tuple(ev.outcome.verdicts) if ev else previous.verdicts,
        level=level_at(launch, ev.frames, at) if ev else previous.level,
        phase=_phase(launch, at),
        freezes=freezes_ahead(launch.freezes, seconds(at)),
        gonogo=previous.gonogo,
        checklist=previous.checklist,
        checklist_at=previous.checklist_at,
    )


def _phase(launch: Launch, at: Tick) -> str | None:
    phase = phase_at(launch.phases, seconds(at))
    return phase.name if phase is not None else None
