"""`launchguard demo [--scenario NAME] [--replay]`: the main job on an embedded launch day.

Live (the default): writes the scenario's history up to now, with its `demo_at` offset
placed at now so that a rollback opens within the first minutes, backfills it into a real
Prometheus on a free loopback port, serves the rest of the scenario live from an exporter
that Prometheus scrapes every few seconds, starts a real Alertmanager and the daemon
(`launchguard run`) against them, and prints decisions as they open and resolve, with
their evidence. Ctrl-C (or SIGTERM) stops everything it started and removes its temp dir.

`--replay` backfills the whole scenario instead, prints the `backtest` timeline and exits.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from launchguard.commands import check
from launchguard.commands.demo_watch import watch
from launchguard.commands.dispatch import run_line
from launchguard.harness.alertmanager_server import AlertmanagerServer
from launchguard.harness.process import stop_process
from launchguard.harness.servers import (
    ComponentError,
    PrometheusServer,
    backfill,
    free_port,
    require_binary,
)
from launchguard.sim.exporter import ScenarioCollector, serve
from launchguard.sim.generator import grid_start, write_history
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.scenario import Scenario, load_scenario

DEFAULT_SCENARIO = "launch_day"
SCRAPE_INTERVAL = "5s"
SCRAPE_JOB = "platform"
ALERTMANAGER_CONFIG = "route:\n  receiver: demo\nreceivers:\n  - name: demo\n"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo", help="the main job on a scenario: real Prometheus, Alertmanager and the daemon"
    )
    p.add_argument("--config", metavar="FILE", help="launch config YAML (default: shipped)")
    p.add_argument(
        "--scenario",
        default=DEFAULT_SCENARIO,
        metavar="NAME|FILE",
        help=f"library name or YAML file (default {DEFAULT_SCENARIO}; see `launchguard sim list`)",
    )
    p.add_argument(
        "--replay",
        action="store_true",
        help="print the backtest timeline of the whole scenario and exit",
    )
    p.set_defaults(handler=run)


def _interrupt(_sig: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    for binary in ("promtool", "prometheus", "prometheus-alertmanager"):
        require_binary(binary)
    # SIGINT too, explicitly: a script's `launchguard demo &` inherits SIGINT ignored (shells
    # without job control do that), and `kill -INT` must still stop everything and clean up.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    workdir = Path(tempfile.mkdtemp(prefix="launchguard-demo-"))
    print(f"demo: temp dir      {workdir}", flush=True)
    stops: list[object] = []
    try:
        if args.replay:
            return _replay(args, scenario, workdir, stops)
        return _live(args, scenario, workdir, stops)
    except KeyboardInterrupt:
        print("\ndemo: stopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip cleanup
        for stop in reversed(stops):
            try:
                stop()  # type: ignore[operator]
            except Exception as exc:  # keep stopping the others
                print(f"demo: while stopping: {exc}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("demo: stopped; temp files removed.", flush=True)


def _history(
    scenario: Scenario,
    start: float,
    end: float,
    workdir: Path,
    target_labels: Mapping[str, str] | None = None,
) -> Path:
    history = write_openmetrics(
        workdir / "history.om",
        lambda w: write_history(scenario, start, end, w, target_labels),
    )
    data = workdir / "prometheus-data"
    backfill(history, data)
    history.unlink()
    return data


def _replay(
    args: argparse.Namespace, scenario: Scenario, workdir: Path, stops: list[object]
) -> int:
    end = (time.time() - 3600) // scenario.step * scenario.step  # well before Prometheus' head
    start = grid_start(end, scenario.duration, scenario.step)
    print(f"demo: {args.scenario}: {scenario.description}")
    print("demo: writing and backfilling the whole scenario…", flush=True)
    server = PrometheusServer(_history(scenario, start, end, workdir))
    stops.append(server.stop)
    server.start()
    common = ["--prometheus", server.url, *(["--config", args.config] if args.config else [])]
    first = int(start + scenario.backtest_from)
    print(f"\n$ launchguard backtest --start {first} --end {int(end)}", flush=True)
    run_line(
        _backtest_parser(), ["backtest", *common, "--start", str(first), "--end", str(int(end))]
    )
    return 0


def _backtest_parser() -> argparse.ArgumentParser:
    """The `launchguard backtest` command line alone (the replay runs it in-process)."""
    parser = argparse.ArgumentParser(prog="launchguard")
    check.register(parser.add_subparsers(dest="command", required=True))
    return parser


def _live(args: argparse.Namespace, scenario: Scenario, workdir: Path, stops: list[object]) -> int:
    at = scenario.demo_at if scenario.demo_at is not None else scenario.duration
    end = time.time() // scenario.step * scenario.step
    start = grid_start(end, at, scenario.step)
    print(f"demo: {args.scenario}: {scenario.description}")
    print(f"demo: writing {at / 3600:.1f} h of history and backfilling it…", flush=True)
    exporter_port = free_port()
    target = f"127.0.0.1:{exporter_port}"
    # The labels Prometheus adds to every sample it scrapes from the exporter: the history
    # carries them too, so history and live samples are one series, never summed twice.
    data = _history(scenario, start, end, workdir, {"job": SCRAPE_JOB, "instance": target})

    collector = ScenarioCollector(scenario, start)
    collector.advance(end)
    stops.append(serve(collector, "127.0.0.1", exporter_port))

    alertmanager = AlertmanagerServer(ALERTMANAGER_CONFIG)
    stops.append(alertmanager.stop)
    alertmanager.start()

    config = (
        f"global:\n  scrape_interval: {SCRAPE_INTERVAL}\n  evaluation_interval: 15s\n"
        f"scrape_configs:\n  - job_name: {SCRAPE_JOB}\n"
        f"    static_configs:\n      - targets: ['{target}']\n"
    )
    prometheus = PrometheusServer(data, config=config)
    stops.append(prometheus.stop)
    prometheus.start()

    daemon_port = free_port()
    daemon = _start_daemon(args, workdir, prometheus.url, alertmanager.url, daemon_port)
    stops.append(lambda: _stop_daemon(daemon))
    status = f"http://127.0.0.1:{daemon_port}"
    print(
        f"demo: Prometheus    {prometheus.url}\n"
        f"demo: Alertmanager  {alertmanager.url}\n"
        f"demo: exporter      http://127.0.0.1:{exporter_port}/metrics\n"
        f"demo: daemon        {status}/api/v1/status  (warroom page: {status}/)\n"
        "demo: watching the daemon's decisions; Ctrl-C stops everything.\n",
        flush=True,
    )
    try:
        watch(status, daemon, start)
    except ComponentError as exc:
        log = (workdir / "daemon.log").read_text(errors="replace").splitlines()[-30:]
        raise ComponentError(f"{exc}\n--- daemon log (tail) ---\n" + "\n".join(log)) from None
    return 0


def _start_daemon(
    args: argparse.Namespace, workdir: Path, prometheus: str, alertmanager: str, port: int
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.setdefault("LAUNCHGUARD_JOURNAL_KEY", secrets.token_hex(16))
    command = [
        sys.executable,
        "-m",
        "launchguard.cli",
        "run",
        "--prometheus",
        prometheus,
        "--alertmanager",
        alertmanager,
        "--listen",
        f"127.0.0.1:{port}",
        "--journal",
        str(workdir / "journal.sqlite"),
        *(["--config", args.config] if args.config else []),
    ]
    log = (workdir / "daemon.log").open("wb")
    proc = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
    )
    log.close()
    return proc


def _stop_daemon(proc: subprocess.Popen[bytes]) -> None:
    stop_process(proc, timeout=15)
