"""`launchguard sim list|write|serve`: the scenario library without the demo.

`write` streams a scenario's history as OpenMetrics for `promtool tsdb
create-blocks-from openmetrics`; `serve` continues the same scenario live for Prometheus to
scrape. Both anchor the scenario the same way: its last written sample is at `--end`
(default now, on the scenario's step grid), so `serve --end T` continues `write --end T`.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from launchguard.config.durations import parse_duration
from launchguard.harness.servers import ComponentError
from launchguard.inputs import UsageError, parse_time
from launchguard.sim.exporter import ScenarioCollector, serve
from launchguard.sim.generator import grid_start, write_history
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.scenario import Scenario, library_dir, list_scenarios, load_scenario

LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")  # Prometheus' label names


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sim", help="the scenario library: list, write history, serve live")
    sim = p.add_subparsers(dest="sim_command", required=True, metavar="SUBCOMMAND")
    q = sim.add_parser("list", help="the scenarios of the library, one line each")
    q.set_defaults(handler=list_command)
    for name, helptext, handler in (
        ("write", "write a scenario's history as OpenMetrics (for promtool backfill)", write),
        ("serve", "serve a scenario live as a Prometheus exporter, continuing its history", run),
    ):
        q = sim.add_parser(name, help=helptext)
        q.add_argument(
            "--scenario", required=True, metavar="NAME|FILE", help="library name or YAML file"
        )
        q.add_argument(
            "--end",
            metavar="T",
            help="time of the history's last sample (default: now); the scenario starts "
            "`duration` before it (`write`), or `--at` before it",
        )
        q.add_argument(
            "--at",
            metavar="OFFSET",
            help="scenario offset placed at --end instead of its duration, e.g. 2h44m30s",
        )
        q.set_defaults(handler=handler)
    p_write = sim.choices["write"]
    p_write.add_argument("--out", required=True, metavar="FILE", help="OpenMetrics file to write")
    p_write.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="add this label to every series (repeatable): give the job and instance labels "
        "Prometheus adds when it scrapes `sim serve`, so history and live are one series",
    )
    p_serve = sim.choices["serve"]
    p_serve.add_argument(
        "--listen",
        default="127.0.0.1:9105",
        metavar="HOST:PORT",
        help="where to serve /metrics (default 127.0.0.1:9105)",
    )


def list_command(_args: argparse.Namespace) -> int:
    rows = list_scenarios()
    if not rows:  # an install without the package data (pyproject's package-data)
        raise ComponentError(
            f"no scenario in the library at {library_dir()}: reinstall launchguard"
        )
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        print(f"{name.ljust(width)}  {description}")
    return 0


def anchor(scenario: Scenario, end_arg: str | None, at_arg: str | None) -> tuple[float, float]:
    """(start, end) unix seconds: end on the step grid, start = end - offset."""
    end = parse_time(end_arg, "--end") if end_arg else time.time()
    try:
        offset = parse_duration(at_arg) if at_arg else scenario.duration
    except ValueError as exc:
        raise UsageError(f"--at: {exc}") from None
    start = grid_start(end, offset, scenario.step)
    return start, start + offset


def target_labels(pairs: list[str]) -> dict[str, str]:
    """`--label NAME=VALUE` options → labels; `UsageError` naming a malformed one."""
    labels = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not LABEL_NAME.fullmatch(name) or name.startswith("__"):
            raise UsageError(f"--label: expected NAME=VALUE with a label name, got {pair!r}")
        labels[name] = value
    return labels


def write(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    labels = target_labels(args.label)
    start, end = anchor(scenario, args.end, args.at)
    out = Path(args.out)
    write_openmetrics(out, lambda w: write_history(scenario, start, end, w, labels))
    live = f"launchguard sim serve --scenario {args.scenario} --end {int(end)}" + (
        f" --at {args.at}" if args.at else ""
    )
    print(
        f"wrote {out}: {args.scenario} from {int(start)} to {int(end)} (unix seconds)\n"
        f"backfill: promtool tsdb create-blocks-from openmetrics --max-block-duration=24h"
        f" {out} DATA_DIR\n"
        f"continue it live: {live}",
        file=sys.stderr,
    )
    if not labels:
        print(
            "note: Prometheus adds job and instance labels to what it scrapes from `sim serve`:"
            " write the history with the same (--label job=JOB --label instance=HOST:PORT),"
            " else a sum counts the history and the live series both",
            file=sys.stderr,
        )
    return 0


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    start, end = anchor(scenario, args.end, args.at)
    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--listen: expected HOST:PORT, got {args.listen!r}")
    collector = ScenarioCollector(scenario, start)
    collector.advance(end)
    stop = serve(collector, host, int(port))
    done = threading.Event()

    def on_signal(_sig: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(
        f"serving {args.scenario} at http://{host}:{port}/metrics"
        f" (scenario start {int(start)}); Ctrl-C stops",
        file=sys.stderr,
    )
    done.wait()
    stop()
    return 0
