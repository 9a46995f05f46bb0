"""`launchguard demo`: the main job on an embedded default.

Writes a launch day whose trc20 pass-through degrades while its payout queue grows,
backfills it into a real Prometheus on a free loopback port, and runs `backtest` over
the day and `check` at its last minute against it. Everything started is stopped and
its temp dir removed on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from launchguard.cli_support import run_cli
from launchguard.sim import launchday
from launchguard.sim.launchday import LaunchDay, Network, Pair, const
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.servers import PrometheusServer, backfill, require_binary
from launchguard.sim.timeline import linear, piecewise

HOUR = 3600.0


def embedded_day(end: float) -> tuple[LaunchDay, float]:
    """An 8-hour day ending at `end`; trc20 degrades 2 h before the end. Returns (day, T1)."""
    start = end - 8 * HOUR
    t1 = end - 2 * HOUR
    trc20 = Network(
        "trc20",
        passthrough_seconds=piecewise([(start, 240.0), (t1, 2100.0)]),
        queue=linear([(start, 12.0), (t1, 12.0), (end, 252.0)]),
    )
    pairs = [
        Pair("erc20", "erc20-club-a", const(0.0), const(start)),
        Pair("trc20", "trc20-club-b", const(0.0), const(start)),
    ]
    return LaunchDay(
        start, end, networks=(Network("erc20"), trc20), pairs=pairs, volume_cap=const(0.3)
    ), t1


def run(args: argparse.Namespace) -> int:
    require_binary("promtool")
    require_binary("prometheus")
    workdir = Path(tempfile.mkdtemp(prefix="launchguard-demo-"))
    server: PrometheusServer | None = None
    try:
        end = (time.time() - HOUR) // 30 * 30
        day, _ = embedded_day(end)
        print("demo: writing an 8-hour launch day (trc20 pass-through degrades, queue grows)…")
        history = write_openmetrics(workdir / "history.om", lambda w: launchday.write(day, w))
        print("demo: backfilling it with promtool…")
        backfill(history, workdir / "data")
        server = PrometheusServer(workdir / "data").start()
        print(f"demo: Prometheus serving the history at {server.url}\n")
        common = ["--prometheus", server.url, *(["--config", args.config] if args.config else [])]
        print(f"$ launchguard backtest --start {int(day.start + HOUR)} --end {int(end)}")
        run_cli(
            ["backtest", *common, "--start", str(int(day.start + HOUR)), "--end", str(int(end))]
        )
        print(f"\n$ launchguard check --at {int(end)}")
        code = run_cli(["check", *common, "--at", str(int(end))])
        print(f"\ndemo: check exited {code} (1 = a rollback is recommended).")
        if args.serve:
            print(f"demo: Prometheus stays up at {server.url}; Ctrl-C stops it.")
            while True:
                time.sleep(3600)
        return 0
    except KeyboardInterrupt:
        print("\ndemo: stopping.")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
