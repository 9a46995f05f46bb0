"""`launchguard checklist`: the launch plan's cutover checklist (seed 002 §8) at a time, each
automated item evaluated on Prometheus, manual items waiting for their sign-off."""

from __future__ import annotations

import argparse
import json

from launchguard.checklist_eval import checklist_status
from launchguard.commands.options import add_common, add_format, with_prometheus
from launchguard.inputs import UsageError, launch_from, time_or_now
from launchguard.output.checklist import checklist_json, checklist_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "checklist",
        help="the cutover checklist at a time: due, done, failing, overdue, unknown",
        description="The plan's checklist items (config `checklist`, moments relative to "
        "launch.t0) at a time. An automated item's PromQL check is evaluated at that time "
        "while the item is due, at the end of its span once past: done, failing, or unknown "
        "when data is missing or invalid (never done). A manual item is pending its owner's "
        "sign-off. Exit 0 whatever the states (the answer is in the output), 2 without "
        "launch.t0, 3 when Prometheus is unreachable. See docs/checklist.md.",
    )
    add_common(p)
    p.add_argument("--at", metavar="T", help="RFC 3339 or unix seconds (default: now)")
    add_format(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    launch = launch_from(args)
    if launch.t0 is None:
        raise UsageError("launch.t0 is not set: the checklist's moments are relative to T0")
    at = time_or_now(args.at, "--at", launch.interval)
    statuses = with_prometheus(launch, lambda client: checklist_status(client, launch, at))
    if args.format == "json":
        print(json.dumps(checklist_json(statuses, at), indent=2, ensure_ascii=False))
    else:
        languages = launch.config.warroom.languages
        print(checklist_table(statuses, at, launch.timezone, languages))
    return 0
