"""The launch calendar at a time: the phase, the volume level it implies, the freezes in
force, and the launch-zone day (Warsaw midnight to midnight: 23, 24 or 25 hours).

Pure: every function takes the time (unix seconds) it answers for; the zone's rules come
from the tz database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from launchguard.config.domain import FreezeSpan, Launch, PhaseSpan
from launchguard.core.actions import phase_at


def day_start(t: float, zone: str) -> float:
    """Unix seconds of the local midnight that starts the day holding `t` in `zone`."""
    tz = ZoneInfo(zone)
    local = datetime.fromtimestamp(t, tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def day_starts(first: float, last: float, zone: str) -> list[float]:
    """The local midnights starting each day that holds a time in [first, last], in order."""
    tz = ZoneInfo(zone)
    day = datetime.fromtimestamp(first, tz).date()
    out: list[float] = []
    while True:
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()
        if midnight > last:
            return out
        out.append(midnight)
        day += timedelta(days=1)


def freezes_at(freezes: Sequence[FreezeSpan], t: float) -> list[FreezeSpan]:
    """The freezes in force at `t` (start inclusive, end exclusive)."""
    return [f for f in freezes if f.start <= t < f.end]


@dataclass(frozen=True)
class FreezeState:
    """A freeze seen from a time: in force then (`active`) or still to come."""

    name: str
    start: float  # unix seconds, inclusive
    end: float  # unix seconds, exclusive
    note: str
    active: bool


def freezes_ahead(freezes: Sequence[FreezeSpan], at: float) -> tuple[FreezeState, ...]:
    """The freezes in force at `at` (start <= at < end: `active`) and those starting after
    it, ordered by start then name; freezes that have ended by `at` are left out. What the
    daemon's status, the warroom page and `check` show next to the phase."""
    ahead = sorted((f for f in freezes if at < f.end), key=lambda f: (f.start, f.name))
    return tuple(FreezeState(f.name, f.start, f.end, f.note, f.start <= at) for f in ahead)


@dataclass(frozen=True)
class CalendarStatus:
    """Where the launch stands at `at` (unix seconds)."""

    at: float
    t0: float | None
    phase: PhaseSpan | None
    freezes: tuple[FreezeSpan, ...]
    next_change: float | None  # the next phase or freeze boundary after `at`


def status(launch: Launch, at: float) -> CalendarStatus:
    """The phase and freezes of the calendar at `at` (none without a configured T0)."""
    edges = [(p.start, p.end) for p in launch.phases] + [(f.start, f.end) for f in launch.freezes]
    bounds = [b for edge in edges for b in edge if b is not None and b > at]
    return CalendarStatus(
        at,
        launch.t0,
        phase_at(launch.phases, at),
        tuple(freezes_at(launch.freezes, at)),
        min(bounds, default=None),
    )


def phase_named(launch: Launch, name: str) -> PhaseSpan | None:
    return next((p for p in launch.phases if p.name == name), None)


def scheduled_gonogo(launch: Launch) -> float | None:
    """When the plan's Go/No-Go falls: the configured phase's start + `after_phase_start`
    (T+24 h of canary by default), unix seconds; None without a calendar."""
    gonogo = launch.config.plan.gonogo
    phase = phase_named(launch, gonogo.phase)
    if phase is None or phase.start is None:
        return None
    return phase.start + gonogo.after_phase_start
