"""What the daemon shows between cycles: the state after the last one."""

from __future__ import annotations

from dataclasses import dataclass

from launchguard.config.models import VolumeLevel
from launchguard.core.calendar import FreezeState
from launchguard.core.decisions import Decision
from launchguard.core.frames import Tick
from launchguard.core.gonogo import Assessment
from launchguard.core.verdicts import SLOReading, Verdict
from launchguard.interfaces import Degraded


@dataclass(frozen=True)
class Snapshot:
    """What the HTTP API shows: the state after the last cycle (times are Ticks)."""

    evaluated_to: Tick | None = None  # the last grid time evaluated successfully
    last_cycle_at: Tick | None = None
    last_duration: float = 0.0  # seconds
    last_outcome: str = "none"  # ok | degraded | failed | none (no cycle yet)
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

    @property
    def ready(self) -> bool:
        return self.last_success is not None
