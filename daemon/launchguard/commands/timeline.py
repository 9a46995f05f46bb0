"""`launchguard timeline --start T --end T [--format markdown|json]`: the launch's timeline
(phases entered, freezes, the Go/No-Go, decisions opened and resolved with their evidence,
warroom actions, degraded evaluation) from the config's calendar and the signed journal.
No Prometheus needed. Exit 2 for usage, config or a missing journal."""

from __future__ import annotations

import argparse
import json
import sys

from launchguard.commands.options import add_common, add_format
from launchguard.config.loader import load
from launchguard.core.frames import tick
from launchguard.inputs import UsageError, parse_time
from launchguard.reports.timeline import (
    journal_records,
    launch_timeline,
    timeline_json,
    timeline_markdown,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "timeline",
        help="the launch's timeline from the calendar and the signed journal, in order",
        description="Phases entered, freezes, the scheduled Go/No-Go (from the config's "
        "calendar); decisions opened and resolved with their evidence, Go decisions, warroom "
        "actions, degraded evaluation and recovery (from the journal). Times are RFC 3339 or "
        "unix seconds.",
    )
    add_common(p, prometheus=False)
    p.add_argument("--journal", metavar="PATH", help="journal database (default: journal.path)")
    p.add_argument("--start", metavar="T", required=True, help="first event time listed")
    p.add_argument("--end", metavar="T", required=True, help="last event time listed")
    add_format(p, ("markdown", "json"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    launch = load(args.config)
    start, end = parse_time(args.start, "--start"), parse_time(args.end, "--end")
    if end < start:
        raise UsageError("--end: before --start")
    path = args.journal or launch.config.journal.path
    found = journal_records(path, tick(start), tick(end))
    if found is None:
        raise UsageError(f"journal {path}: no such file (--journal or journal.path)")
    events = launch_timeline(launch, found, tick(start), tick(end))
    if args.format == "json":
        doc = {"start": args.start, "end": args.end, "events": timeline_json(events)}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(timeline_markdown(events, launch.timezone))
    return 0
