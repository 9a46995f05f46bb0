"""`launchguard gonogo` (DESIGN §3): promote or No-Go at a time, over a window before it;
and `launchguard calendar`: the phase, level and freezes in force."""

from __future__ import annotations

import argparse
import json
from typing import Any

from launchguard.commands.options import (
    add_common,
    add_format,
    with_prometheus,
)
from launchguard.config.domain import Launch
from launchguard.config.durations import format_duration
from launchguard.core import calendar
from launchguard.core.frames import tick
from launchguard.core.gonogo import PROMOTE, Assessment
from launchguard.evaluate import assess_gonogo_in_data
from launchguard.inputs import UsageError, launch_from, positive_duration, time_or_now
from launchguard.output import jsonout
from launchguard.output.checklist import readiness_json
from launchguard.output.table import (
    columns,
    coverage_line,
    decisions_table,
    scope_text,
    verdict_table,
)
from launchguard.output.timefmt import rfc3339
from launchguard.reports.views import calendar_json, calendar_lines, iso, level_json, pct, when


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gonogo",
        help="Go/No-Go: promote one volume level up, or not, and why",
        description="PROMOTE (one volume level up) only when, over the window before the "
        "decision time, every SLO was met in every scope at plan.gonogo.min_met_share of the "
        "evaluations or more (no data is never met), no rollback decision was open, no "
        "SEV1/SEV2 incident was declared, and no rollback criterion fires or is inconclusive "
        "at the decision time (GO blockers). Otherwise NO-GO with every reason. When the "
        "data ends before the decision time, decided at the data's end (evaluated_to). Exit 0 "
        "either way; the answer is in the output; exit 4 when the window has no data. See "
        "docs/gonogo.md.",
    )
    add_common(p)
    when_ = p.add_mutually_exclusive_group()
    when_.add_argument(
        "--at", metavar="T", help="decision time, RFC 3339 or unix seconds (default: now)"
    )
    when_.add_argument(
        "--scheduled",
        action="store_true",
        help="at the plan's Go/No-Go time: canary start + 24 h (plan.gonogo.phase, "
        "after_phase_start)",
    )
    p.add_argument(
        "--window",
        metavar="DURATION",
        help="how far back the SLOs, rollbacks and incidents are checked, e.g. 24h "
        "(default: plan.gonogo.window)",
    )
    add_format(p)
    p.set_defaults(handler=run)

    p = sub.add_parser(
        "calendar",
        help="the launch phase, volume level and freezes at a time (no Prometheus needed)",
        description="Where the launch stands at a time by the config's calendar: T0, the "
        "phase (preflight, pilot, canary, full) and its level, the change freezes in force, "
        "the next calendar change and the scheduled Go/No-Go; times in the launch's zone. "
        "See docs/phases.md.",
    )
    add_common(p, prometheus=False)
    p.add_argument("--at", metavar="T", help="RFC 3339 or unix seconds (default: now)")
    add_format(p)
    p.set_defaults(handler=show_calendar)


def run(args: argparse.Namespace) -> int:
    """Print the recommendation; exit 0 either way (the answer is in the output), 4 (via
    `NoData`) when the window holds no data."""
    launch = launch_from(args)
    if args.scheduled:
        at = calendar.scheduled_gonogo(launch)
        if at is None:
            raise UsageError(f"--scheduled: no {launch.config.plan.gonogo.phase!r} phase start")
    else:
        at = time_or_now(args.at, "--at", launch.interval)
    window = positive_duration(args.window, "--window", launch.config.plan.gonogo.window)
    result, covered = with_prometheus(
        launch, lambda client: assess_gonogo_in_data(client, launch, at, window)
    )
    status = calendar.status(launch, result.at)
    if args.format == "json":
        doc = {**assessment_json(result, launch, status), **jsonout.coverage_json(covered)}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(assessment_text(result, launch, status))
        print("\n" + coverage_line(covered, launch.timezone))
    return 0


def assessment_json(a: Assessment, launch: Launch, status: calendar.CalendarStatus) -> Any:
    return {
        "at": rfc3339(tick(a.at)),
        "window": {
            "from": rfc3339(tick(a.start)),
            "to": rfc3339(tick(a.at)),
            "duration": format_duration(a.at - a.start),
        },
        "recommendation": a.recommendation,
        "reasons": list(a.reasons),
        "level": level_json(a.level),
        "next_level": level_json(a.next_level),
        "min_met_share": launch.config.plan.gonogo.min_met_share,
        "slos": [
            {
                "slo": c.slo,
                "scope": dict(c.scope),
                "evaluations": c.evaluations,
                "met": c.met,
                "breached": c.breached,
                "no_data": c.no_data,
                "met_share": c.share,
            }
            for c in a.slos
        ],
        "rollback_decisions": [jsonout.decision_json(d) for d in a.rollbacks],
        "incidents": None if a.incidents is None else dict(sorted(a.incidents.items())),
        "blockers": [jsonout.verdict_json(v) for v in a.blockers],
        "decision": None if a.decision is None else jsonout.decision_json(a.decision),
        "calendar": calendar_json(status, launch.timezone),
        "checklist": readiness_json(a.checklist) if a.checklist else None,
    }


def assessment_text(a: Assessment, launch: Launch, status: calendar.CalendarStatus) -> str:
    zone = launch.timezone
    verdict = "PROMOTE" if a.recommendation == PROMOTE else "NO-GO"
    lines = [
        f"launchguard gonogo at {when(a.at, zone)} over {format_duration(a.at - a.start)}"
        f" (from {when(a.start, zone)})",
        "",
        *calendar_lines(status, zone),
        "",
        f"RECOMMENDATION: {verdict}",
    ]
    if a.decision is not None:
        lines += [f"  {action.text}" for action in a.decision.actions]
    lines += [f"  - {reason}" for reason in a.reasons]
    rows = [
        [c.slo, scope_text(c.scope), pct(c.share), f"{c.met}/{c.evaluations}", str(c.no_data)]
        for c in a.slos
    ]
    lines += ["", "SLOS OVER THE WINDOW"]
    lines.append(columns(["SLO", "SCOPE", "MET", "EVALUATIONS", "NO DATA"], rows))
    incidents = (
        "no data"
        if a.incidents is None
        else ", ".join(f"{k} {v:g}" for k, v in sorted(a.incidents.items())) or "none"
    )
    lines += ["", f"INCIDENTS DECLARED: {incidents}", "", "ROLLBACK DECISIONS IN THE WINDOW"]
    lines.append(decisions_table(list(a.rollbacks), zone))
    lines += ["", "GO BLOCKERS (rollback criteria at the decision time)"]
    lines.append(verdict_table(list(a.blockers)) if a.blockers else "None.")
    return "\n".join(lines)


def show_calendar(args: argparse.Namespace) -> int:
    launch = launch_from(args)
    at = time_or_now(args.at, "--at", launch.interval)
    status = calendar.status(launch, at)
    if args.format == "json":
        doc = calendar_json(status, launch.timezone)
        doc["scheduled_gonogo"] = iso(calendar.scheduled_gonogo(launch), launch.timezone)
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print("\n".join(calendar_lines(status, launch.timezone)))
        g = calendar.scheduled_gonogo(launch)
        if g is not None:
            print(f"Scheduled Go/No-Go: {when(g, launch.timezone)}")
    return 0
