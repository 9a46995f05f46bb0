"""`launchguard sla report --month YYYY-MM`: the support plan's monthly KPI report."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

from launchguard.commands.options import (
    add_common,
    add_format,
    with_prometheus,
)
from launchguard.config.domain import Launch
from launchguard.core.frames import tick
from launchguard.core.sla import TicketFacts, read_tickets
from launchguard.coverage import Coverage, NoData, measure
from launchguard.inputs import UsageError, launch_from, now_on_grid, parse_time
from launchguard.interfaces import PrometheusSource
from launchguard.output.table import no_data_message
from launchguard.reports import sla_month
from launchguard.signals import fact_request, fetch_requests


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sla", help="support SLA: the monthly KPI report")
    commands = p.add_subparsers(dest="sla_command", required=True, metavar="COMMAND")
    r = commands.add_parser(
        "report",
        help="tickets, reaction and resolution times, breaches, escalations of a month",
        description="The support plan's monthly KPI report from the helpdesk series: per "
        "priority, the tickets registered in the month and their reaction and resolution "
        "times (median, p95); the SLA breaches whose due time fell in the month, by stage, "
        "and who they were escalated to. See docs/sla.md.",
    )
    add_common(r)
    r.add_argument(
        "--month",
        metavar="YYYY-MM",
        required=True,
        help="the calendar month in the launch's zone (Europe/Warsaw by default)",
    )
    r.add_argument(
        "--at",
        metavar="T",
        help="the report's time (default: the month's end, or now if earlier); when the "
        "ticket data ends before it, the report is as of the data's end (evaluated_to); no "
        "ticket data at all: exit 4",
    )
    add_format(r, ("markdown", "json"))
    r.set_defaults(handler=report)


async def tickets_seen(
    source: PrometheusSource, launch: Launch, first: float, at: float
) -> TicketFacts:
    """The ticket facts seen at any time of [first, at] (unix seconds): one request per
    ticket signal, one point per ticket."""
    support = launch.config.support
    requests = [
        fact_request(launch, name, first, at, launch.interval)
        for name in (support.created_signal, support.stage_signal)
    ]
    fetched = await fetch_requests(source, launch, requests)
    return read_tickets(support, fetched.frames, tick(at))


async def month_tickets(
    source: PrometheusSource, launch: Launch, start: float, at: float
) -> tuple[TicketFacts, Coverage]:
    """The ticket facts of [start - lookback, at], read up to where the ticket data ends
    (unix seconds); `NoData` when the month holds no ticket series up to `at`."""
    support = launch.config.support
    signals = (support.created_signal, support.stage_signal)
    covered = await measure(source, launch, signals, start, at, 1.0)
    if covered.evaluated_to is None:
        raise NoData(no_data_message(covered, "the support tickets"))
    facts = await tickets_seen(source, launch, start - launch.lookback, covered.evaluated_to)
    return facts, covered


def report(args: argparse.Namespace) -> int:
    launch = launch_from(args)
    try:
        start, end = sla_month.month_bounds(args.month, launch.timezone)
    except ValueError as exc:
        raise UsageError(f"--month: {exc}") from None
    at = parse_time(args.at, "--at") if args.at else min(end - 1.0, now_on_grid(launch.interval))
    if at < start:
        raise UsageError("--month: the month has not started yet")
    facts, covered = with_prometheus(
        launch, lambda client: month_tickets(client, launch, start, at)
    )
    result = sla_month.build(
        launch.config.support, facts, args.month, launch.timezone, covered.evaluated_to or at
    )
    result = replace(result, coverage=covered)
    if args.format == "json":
        print(json.dumps(sla_month.to_json(result), indent=2, ensure_ascii=False))
    else:
        print(sla_month.to_markdown(result), end="")
    return 0
