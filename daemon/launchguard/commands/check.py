"""`launchguard check` and `launchguard backtest`: parse the flags, run the driver
(`evaluate.run_span`, `evaluate.run_backtest`), print the table or the JSON of DESIGN §5."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from launchguard.commands.options import add_common, add_format, with_prometheus
from launchguard.config.durations import format_duration
from launchguard.core.actions import phase_at
from launchguard.core.calendar import freezes_ahead
from launchguard.core.frames import tick
from launchguard.evaluate import run_backtest, run_span
from launchguard.inputs import UsageError, launch_from, parse_time, positive_duration, time_or_now
from launchguard.output import jsonout, table
from launchguard.output.timefmt import local, rfc3339


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`check` and `backtest`."""
    p = sub.add_parser("check", help="one evaluation: SLOs, criteria and open decisions")
    add_common(p)
    p.add_argument("--at", metavar="T", help="evaluation time (default: now, in whole seconds)")
    add_format(p)
    p.set_defaults(handler=check)

    p = sub.add_parser("backtest", help="the decisions launchguard takes over a past range")
    add_common(p)
    p.add_argument("--start", metavar="T", required=True, help="first evaluation time")
    p.add_argument(
        "--end",
        metavar="T",
        required=True,
        help="last evaluation time (inclusive; not before --start); a range past the data is"
        " evaluated up to where the data ends, stated as evaluated_to",
    )
    p.add_argument(
        "--step",
        metavar="DURATION",
        help="time between evaluations, e.g. 30s (default: evaluation.interval)",
    )
    add_format(p)
    p.set_defaults(handler=backtest)


def check(args: argparse.Namespace) -> int:
    """One evaluation at --at (default now); exit 1 when a rollback is recommended."""
    launch = launch_from(args)
    # "Now" is aligned to the interval grid, like the daemon's cycles, so the same decision
    # gets the same opened_at (and id) from `check` as from the daemon.
    at = time_or_now(args.at, "--at", launch.interval)
    result = with_prometheus(
        launch, lambda client: run_span(client, launch, at, at, launch.interval)
    )
    out = result.outcome
    open_now = [d for d in out.decisions if d.is_open]
    rollback = table.rollback_open(open_now)
    phase = phase_at(launch.phases, at)
    freezes = freezes_ahead(launch.freezes, at)
    if args.format == "json":
        doc: dict[str, Any] = {
            "at": rfc3339(tick(at)),
            "phase": phase.name if phase is not None else None,
            "freezes": [jsonout.freeze_json(f) for f in freezes],
            "rollback_recommended": bool(rollback),
            "slos": [jsonout.slo_json(r) for r in out.slos],
            "slo_details": [jsonout.slo_json(r) for r in out.slo_details],
            "criteria": [jsonout.verdict_json(v) for v in out.verdicts],
            "decisions": [jsonout.decision_json(d) for d in open_now],
            "warnings": list(result.warnings),
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        zone = launch.timezone
        shown = launch.scrubber.url(launch.prometheus.url)  # never its userinfo
        print(f"launchguard check at {local(tick(at), zone)} ({shown})\n")
        print(f"Phase: {phase.name if phase is not None else 'none (no calendar phase)'}")
        print(table.freezes_table(freezes, zone) + "\n")
        print(table.slo_table(out.slos) + "\n")
        if out.slo_details:
            print("PER SCOPE (shown, never a decision)")
            print(table.slo_table(out.slo_details) + "\n")
        print(table.verdict_table(out.verdicts) + "\n")
        print("OPEN DECISIONS")
        print(table.decisions_table(open_now, zone))
        if rollback:
            print(f"\nROLLBACK RECOMMENDED: {len(rollback)} open rollback decision(s).")
        _print_warnings(result.warnings)
    return 1 if rollback else 0


def backtest(args: argparse.Namespace) -> int:
    """Decisions over [--start, --end] at --step; the JSON of DESIGN §5."""
    launch = launch_from(args)
    start, end = parse_time(args.start, "--start"), parse_time(args.end, "--end")
    if end < start:
        raise UsageError("--end: must not be before --start")
    step = positive_duration(args.step, "--step", launch.interval)
    began = time.monotonic()
    if sys.stderr.isatty():
        print(
            f"backtest: fetching signals for {(end - start) / 3600:.1f} h at "
            f"{format_duration(step)} steps…",
            file=sys.stderr,
        )
    result = with_prometheus(launch, lambda client: run_backtest(client, launch, start, end, step))
    out = result.outcome
    covered = result.coverage
    if args.format == "json":
        doc = {
            "decisions": [jsonout.decision_json(d) for d in out.decisions],
            "inconclusive": [jsonout.span_json(s) for s in out.inconclusive],
            **jsonout.coverage_json(covered),
            "evaluation": {
                "start": rfc3339(tick(start)),
                "end": rfc3339(tick(end)),
                "step": format_duration(step),
                "lookback": format_duration(launch.lookback),
                "times": result.times,
                "requests": result.requests,
                "warnings": list(result.warnings),
            },
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        zone = launch.timezone
        print(
            f"launchguard backtest {local(tick(start), zone)} → {local(tick(end), zone)}, "
            f"step {format_duration(step)} ({result.times} evaluations, {result.requests} "
            f"queries, {time.monotonic() - began:.1f} s)\n"
        )
        if covered is not None:
            print(table.coverage_line(covered, zone) + "\n")
        print("DECISIONS")
        print(table.decisions_table(out.decisions, zone) + "\n")
        print("INCONCLUSIVE")
        print(table.spans_table(out.inconclusive, zone))
        _print_warnings(result.warnings)
    return 0


def _print_warnings(warnings: tuple[str, ...]) -> None:
    for w in warnings:
        print(f"Prometheus warning: {w}", file=sys.stderr)
