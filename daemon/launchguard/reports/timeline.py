"""The timeline as JSON and Markdown (`launchguard timeline`, `GET /api/v1/timeline`, the
postmortem report), assembled from the launch's calendar and the journal's records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from launchguard.config.domain import Launch
from launchguard.core.calendar import scheduled_gonogo
from launchguard.core.frames import Tick
from launchguard.core.timeline import TimelineEvent, calendar_events, journal_events, timeline
from launchguard.output.timefmt import local, rfc3339
from launchguard.sinks.journal import EVIDENCE_UPDATED, KEY_ROTATED
from launchguard.sinks.journal_actions import records
from launchguard.sinks.journal_store import JournalStore


def launch_timeline(
    launch: Launch,
    records: Iterable[Mapping[str, Any]],
    start: Tick | None = None,
    end: Tick | None = None,
) -> list[TimelineEvent]:
    """The calendar's events and the journal `records`' (each with `at_ms`), within
    [start, end], in order."""
    calendar = calendar_events(launch.phases, launch.freezes, scheduled_gonogo(launch))
    return timeline([*calendar, *journal_events(records)], start, end)


def journal_records(
    path: str | Path, start: Tick | None = None, end: Tick | None = None
) -> list[dict[str, Any]] | None:
    """The timeline's records of the journal at `path` timed within [start, end] (read-only,
    with `at_ms`; evidence updates and key rotations left out); None: no such file."""
    try:
        store = JournalStore(path, readonly=True)
    except FileNotFoundError:
        return None
    try:
        return records(store.records_timed(start, end, (EVIDENCE_UPDATED, KEY_ROTATED)))
    finally:
        store.close()


def timeline_json(events: Sequence[TimelineEvent]) -> list[dict[str, Any]]:
    """`[{at, event, source, summary, detail}]`, `at` RFC 3339 UTC."""
    return [
        {
            "at": rfc3339(e.at),
            "event": e.event,
            "source": e.source,
            "summary": e.summary,
            "detail": dict(e.detail),
        }
        for e in events
    ]


def timeline_markdown(events: Sequence[TimelineEvent], zone: str, title: str = "Timeline") -> str:
    """A Markdown section: one table row per event, times in the launch's zone."""
    lines = [f"## {title}", ""]
    if not events:
        return "\n".join([*lines, "Nothing recorded in this range.", ""])
    lines += ["| time | event | what |", "|---|---|---|"]
    for e in events:
        what = e.summary.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {local(e.at, zone)} | {e.event} | {what} |")
    return "\n".join([*lines, ""])
