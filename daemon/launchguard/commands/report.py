"""`launchguard report --kind warroom|daily|postmortem --start T --end T` (DESIGN §3)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from launchguard.commands.options import add_common, add_format, with_prometheus
from launchguard.config.domain import Launch
from launchguard.core.frames import tick
from launchguard.core.timeline import TimelineEvent
from launchguard.inputs import UsageError, launch_from, parse_time, positive_duration
from launchguard.reports import document, markdown, signing
from launchguard.reports.launch_report import KINDS, gather
from launchguard.reports.timeline import (
    journal_records,
    launch_timeline,
    timeline_json,
    timeline_markdown,
)

HOUR, DAY = 3600.0, 86400.0
# Default ranges relative to T0 (seed 002 section 8): warroom at T+1 h, daily at T+24 h,
# postmortem over T0…T+7 d.
DEFAULT_RANGES = {"warroom": (0.0, HOUR), "daily": (0.0, DAY), "postmortem": (0.0, 7 * DAY)}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="the launch reports: warroom (T+1 h), daily (T+24 h), postmortem (T+7 d)",
        description="The launch KPIs over a range (times in the launch's zone), the decisions "
        "opened and resolved in it with their durations, and the support SLA breaches. "
        "Ranges default from T0: warroom T0…T0+1h, daily T0…T0+24h, postmortem T0…T0+7d "
        "(with one section per local day). A range past the data is evaluated up to where "
        "the data ends, and says so (evaluated_to); no data at all: exit 4. The postmortem "
        "ends with the launch's timeline (calendar and journal). With --verify, check a "
        "signed report instead.",
    )
    add_common(p)
    p.add_argument("--kind", choices=KINDS, help="which report (required unless --verify)")
    p.add_argument(
        "--start", metavar="T", help="range start, RFC 3339 or unix seconds (default: T0)"
    )
    p.add_argument("--end", metavar="T", help="range end (default: start + 1h / 24h / 7d by kind)")
    p.add_argument(
        "--step", metavar="DURATION", help="evaluation step (default: evaluation.interval)"
    )
    add_format(p, ("markdown", "json"))
    p.add_argument(
        "--journal",
        metavar="PATH",
        help="journal database whose decisions and warroom actions the postmortem's timeline "
        "lists (default: journal.path)",
    )
    p.add_argument(
        "--sign-key",
        metavar="FILE",
        help="HMAC-SHA256 key file: sign the report (or, with --verify, check it)",
    )
    p.add_argument(
        "--verify",
        metavar="REPORT",
        help="check the signature of a report file (Markdown or JSON) with --sign-key; "
        "exit 0 when valid, 1 when not",
    )
    p.set_defaults(handler=run)


def report_range(
    launch: Launch, kind: str, start: str | None, end: str | None
) -> tuple[float, float]:
    """--start/--end, each defaulting from T0 and the kind's length."""
    lo, length = DEFAULT_RANGES[kind]
    if start:
        a = parse_time(start, "--start")
    elif launch.t0 is not None:
        a = launch.t0 + lo
    else:
        raise UsageError("--start: required when the config has no T0")
    b = parse_time(end, "--end") if end else a + length
    if b <= a:
        raise UsageError("--end: must be after --start")
    return a, b


def verify(report_file: str, key_file: str | None) -> int:
    """Exit 0 when the signed report's HMAC matches the key, 1 when it does not."""
    if not key_file:
        raise UsageError("--verify: needs --sign-key FILE")
    try:
        key = signing.read_key(key_file)
    except (OSError, ValueError) as exc:
        raise UsageError(f"--sign-key: {exc}") from None
    try:
        text = Path(report_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--verify: {exc}") from None
    valid = signing.verify_text(text, key)
    print(f"{report_file}: signature {'valid' if valid else 'INVALID'}")
    return 0 if valid else 1


def postmortem_timeline(
    launch: Launch, args: argparse.Namespace, start: float, end: float
) -> tuple[list[TimelineEvent], str | None]:
    """The timeline over the report's range and the journal it was read from (None: no
    journal file, only the calendar's events)."""
    path = args.journal or launch.config.journal.path
    found = journal_records(path, tick(start), tick(end))
    events = launch_timeline(launch, found or [], tick(start), tick(end))
    return events, None if found is None else str(path)


def run(args: argparse.Namespace) -> int:
    if args.verify:
        return verify(args.verify, args.sign_key)
    if args.kind is None:
        raise UsageError("--kind: required (warroom, daily or postmortem)")
    launch = launch_from(args)
    start, end = report_range(launch, args.kind, args.start, args.end)
    step = positive_duration(
        args.step, "--step", launch.config.plan.reports.step or launch.interval
    )
    try:
        key = signing.read_key(args.sign_key) if args.sign_key else None
    except (OSError, ValueError) as exc:
        raise UsageError(f"--sign-key: {exc}") from None
    report = with_prometheus(
        launch, lambda client: gather(client, launch, args.kind, start, end, step)
    )
    quantile = launch.config.plan.reports.quantile
    timeline = postmortem_timeline(launch, args, start, end) if args.kind == "postmortem" else None
    if args.format == "json":
        doc = document.report_json(report, quantile)
        if timeline is not None:
            doc["timeline"] = {"journal": timeline[1], "events": timeline_json(timeline[0])}
        if key is not None:
            doc = signing.sign_json(doc, key)
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        text = markdown.render(report, quantile)
        if timeline is not None:
            text += "\n" + timeline_markdown(timeline[0], launch.timezone)
            if timeline[1] is None:
                text += "\nNo journal: the decisions and warroom actions are not listed.\n"
        print(signing.sign_markdown(text, key) if key is not None else text, end="")
    return 0
