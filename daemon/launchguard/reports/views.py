"""Small renderings shared by the reports, Go/No-Go and the calendar command: times in the
launch's zone, durations, percentages, the calendar status."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from launchguard.config.durations import format_duration
from launchguard.config.models import VolumeLevel
from launchguard.core.calendar import CalendarStatus
from launchguard.core.frames import tick
from launchguard.output.timefmt import local


def when(t: float | None, zone: str) -> str:
    """Unix seconds as '2026-11-22 11:00:00 CET' in `zone`; '—' for None."""
    return "—" if t is None else local(tick(t), zone)


def iso(t: float | None, zone: str) -> str | None:
    """Unix seconds as RFC 3339 with the zone's offset: '2026-11-22T11:00:00+01:00'."""
    if t is None:
        return None
    return datetime.fromtimestamp(t, ZoneInfo(zone)).isoformat(timespec="seconds")


def span(seconds: float | None) -> str:
    """A duration for people: '3h15m', '45s'; '—' for None; '0s' for zero."""
    return "—" if seconds is None else format_duration(seconds)


def pct(share: float | None, digits: int = 1) -> str:
    """A ratio 0..1 as '99.5 %'; 'no data' for None."""
    return "no data" if share is None else f"{share * 100:.{digits}f} %"


def number(value: float | None) -> str:
    """'1,234' (whole) or '12.5'; 'no data' for None."""
    if value is None:
        return "no data"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def level_json(level: VolumeLevel | None) -> dict[str, Any] | None:
    return None if level is None else {"name": level.name, "ratio": level.ratio}


def calendar_json(status: CalendarStatus, zone: str) -> dict[str, Any]:
    """The calendar status with times in the launch's zone."""
    phase = status.phase
    return {
        "at": iso(status.at, zone),
        "t0": iso(status.t0, zone),
        "phase": None
        if phase is None
        else {
            "name": phase.name,
            "level": phase.level,
            "from": iso(phase.start, zone),
            "to": iso(phase.end, zone),
        },
        "freezes": [
            {"name": f.name, "from": iso(f.start, zone), "to": iso(f.end, zone), "note": f.note}
            for f in status.freezes
        ],
        "next_change": iso(status.next_change, zone),
    }


def calendar_lines(status: CalendarStatus, zone: str, at_label: str = "now") -> list[str]:
    """The calendar status as lines of text; `at_label` names the status' time."""
    if status.t0 is None:
        return ["No T0 in the config: no phase calendar and no freezes."]
    t0 = status.t0
    rel = status.at - t0
    sign = "+" if rel >= 0 else "-"
    lines = [f"T0 {when(t0, zone)}; {at_label} T{sign}{span(abs(rel))}"]
    phase = status.phase
    if phase is None:
        lines.append("Phase: none (outside the calendar)")
    else:
        lines.append(
            f"Phase: {phase.name} (level {phase.level}), {when(phase.start, zone)} → "
            f"{when(phase.end, zone) if phase.end is not None else 'open-ended'}"
        )
    if status.freezes:
        for f in status.freezes:
            note = f" — {f.note}" if f.note else ""
            lines.append(f"Freeze in force: {f.name} until {when(f.end, zone)}{note}")
    else:
        lines.append("No freeze in force.")
    if status.next_change is not None:
        lines.append(f"Next calendar change: {when(status.next_change, zone)}")
    return lines
