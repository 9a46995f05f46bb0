"""launchguard benchmarks (`make bench`): ratios measured side by side in one run.

Starts its own Prometheus on loopback over backfilled history and measures:

1. HTTP requests of one `check` evaluation, default 2 networks against 200 networks x
   1,000 trust pairs (goal: equal — one request per signal whatever the scopes);
2. a 7-day backtest at 30 s steps against evaluating the same span instant by instant
   (goal: ≥ 50x faster and ≤ 5 s), with raw PromQL as DESIGN §6's reference;
3. a `check` evaluation against the slowest of its own queries sent alone (goal: ≤ 1.2x).

Not a test: nothing here asserts on time; each goal is printed as met or MISSED.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from histories import STEP, Fleet, Week, fleet, history_end, launch_for, week, writer_of
from measures import (
    Backtest,
    CheckCount,
    CheckVersusRaw,
    RawRange,
    Sampled,
    backtest,
    check_requests,
    check_versus_raw,
    instant_by_instant,
    raw_instant_by_instant,
    raw_range,
    sample_instants,
)
from report import Row, elapsed, progress, seconds, table, verdict

from launchguard.harness.servers import PrometheusServer, backfill, require_binary
from launchguard.prometheus import PrometheusClient
from launchguard.sim.openmetrics import write_openmetrics

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/launchday.py
from launchday import LaunchDay

FLEET_NETWORKS = 200
FLEET_PAIRS = 1_000
FLEET_SPAN = 2 * 3600.0  # seconds of history: keeps its backfill short
INSTANTS = 50  # instants sampled for the instant-by-instant extrapolation
BACKTEST_REPEATS = 3
RAW_REPEATS = 3
CHECK_REPEATS = 7
SPEEDUP_GOAL = 50.0
BACKTEST_GOAL = 5.0  # seconds
CHECK_RATIO_GOAL = 1.2
# Prometheus would compact the backfilled 18 h blocks into 54 h ones a minute after it
# starts, in the middle of the measurements; capping its block size leaves them alone.
SERVER_ARGS = ("--storage.tsdb.max-block-duration=18h",)


@dataclass(frozen=True)
class WeekResults:
    default_check: CheckCount
    backtest: Backtest
    instants: Sampled
    raw_instants: Sampled
    raw_range: RawRange
    check: CheckVersusRaw


def main() -> int:
    print(header(), flush=True)
    with tempfile.TemporaryDirectory(prefix="launchguard-bench-") as tmp:
        work = Path(tmp)
        end = history_end(time.time())
        progress(f"histories end at {_utc(end)} UTC, {(time.time() - end) / 60:.0f} min ago")
        lookback = launch_for("http://127.0.0.1:9090").lookback  # the shipped default, 6 h
        the_week = week(end, lookback)
        the_fleet = fleet(end, FLEET_SPAN, FLEET_NETWORKS, FLEET_PAIRS)
        write_histories(work, the_week, the_fleet)
        progress(f"starting Prometheus on the {FLEET_NETWORKS}-network history")
        with PrometheusServer(work / "fleet", extra_args=SERVER_ARGS) as server:
            fleet_check = asyncio.run(measure_fleet(server.url, the_fleet))
        progress("starting Prometheus on the 7-day history")
        with PrometheusServer(work / "week", extra_args=SERVER_ARGS) as server:
            results = asyncio.run(measure_week(server.url, the_week))
    print()
    print(summary(the_week, the_fleet, fleet_check, results))
    progress(f"done in {elapsed():.0f} s")
    return 0


def header() -> str:
    prometheus = require_binary("prometheus")
    version = subprocess.run(
        [prometheus, "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return "\n".join(
        [
            "launchguard benchmarks",
            f"  machine: nproc={nproc()}, python {sys.version.split()[0]}",
            f"  {version[0] if version else 'prometheus: unknown version'}",
            "",
        ]
    )


def _utc(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S")


def nproc() -> int:
    """CPUs this process may run on, as `nproc` counts them."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def write_histories(work: Path, the_week: Week, the_fleet: Fleet) -> None:
    """Writes both histories and backfills them; the week's backfill (promtool) runs while
    the fleet's history is written (Python)."""
    progress(
        f"writing the 7-day history ({(the_week.end - the_week.history_start) / 3600:.0f} h"
        f" at {STEP:g} s, 2 networks, incidents on days 1, 2, 4, 5, 6)"
    )
    week_file = write_openmetrics(work / "week.om", writer_of(the_week.day))
    with ThreadPoolExecutor(max_workers=1) as pool:
        progress(f"backfilling it ({week_file.stat().st_size / 1e6:.0f} MB of OpenMetrics)")
        week_done = pool.submit(backfill, week_file, work / "week")
        progress(
            f"writing the fleet history ({FLEET_NETWORKS} networks, {FLEET_PAIRS} trust pairs,"
            f" {FLEET_SPAN / 3600:g} h at {STEP:g} s)"
        )
        fleet_file = write_openmetrics(work / "fleet.om", writer_of(the_fleet.day))
        week_done.result()
        size = fleet_file.stat().st_size / 1e6
        progress(f"7-day history backfilled; backfilling the fleet ({size:.0f} MB)")
    backfill(fleet_file, work / "fleet")
    progress("fleet history backfilled")


async def measure_fleet(url: str, the_fleet: Fleet) -> CheckCount:
    launch = launch_for(url, launch={"networks": list(the_fleet.networks)})
    async with PrometheusClient(launch.prometheus) as client:
        progress(f"1b. check at the fleet history's end ({len(launch.networks)} networks)")
        count = await check_requests(client, launch, the_fleet.end, split=True)
    progress(
        f"  {count.requests} requests, {seconds(count.wall)} (apart: fetch"
        f" {seconds(count.fetch)} + evaluate {seconds(count.evaluate)}), {count.verdicts}"
        f" verdicts, {count.decisions} decisions open"
    )
    return count


async def measure_week(url: str, the_week: Week) -> WeekResults:
    launch = launch_for(url)
    async with PrometheusClient(launch.prometheus) as client:
        progress("1a. check at the 7-day history's end (default config, 2 networks)")
        await check_requests(client, launch, the_week.end)  # warm the page cache
        default_check = await check_requests(client, launch, the_week.end)
        progress(
            f"  {default_check.requests} requests, {seconds(default_check.wall)},"
            f" {default_check.verdicts} verdicts, {default_check.decisions} decisions open"
        )

        progress(f"2. 7-day backtest at {STEP:g} s ({the_week.times:,} evaluation times)")
        bt = await backtest(
            client, launch, the_week.start, the_week.end, STEP, repeats=BACKTEST_REPEATS
        )
        instants = sample_instants(the_week.start, the_week.times, STEP, INSTANTS)
        progress(f"  instant by instant: {INSTANTS} instants, run_span(t, t) with lookback 0")
        one_by_one = await instant_by_instant(client, launch, instants, the_week.times)
        progress(f"  {seconds(one_by_one.mean)} per instant")
        progress(f"  raw PromQL, five criteria, instant queries at the same {INSTANTS} instants")
        raw_instants = await raw_instant_by_instant(client, launch, instants, the_week.times)
        progress("  raw PromQL, five criteria, range queries over 7 days (chunked, concurrent)")
        raw = await raw_range(
            client, launch, the_week.start, the_week.end, STEP, repeats=RAW_REPEATS
        )
        progress(f"  {seconds(raw.wall)} (median of {RAW_REPEATS})")

        progress(f"3. check against its slowest raw query, {CHECK_REPEATS} times")
        check = await check_versus_raw(client, launch, the_week.end, repeats=CHECK_REPEATS)
    return WeekResults(default_check, bt, one_by_one, raw_instants, raw, check)


def _scopes(day: LaunchDay) -> str:
    return f"{len(day.networks)} networks, {len(day.pairs):,} pairs, {len(day.partners)} partners"


def summary(the_week: Week, the_fleet: Fleet, fleet_check: CheckCount, r: WeekResults) -> str:
    a, b = r.default_check, fleet_check
    bt, one, ch = r.backtest, r.instants, r.check
    speedup = one.extrapolated / bt.wall
    check_ratio = ch.check / ch.slowest
    lookback = f"{(bt.times - the_week.times) * STEP / 3600:g} h"
    rows = [
        Row("1. requests per check evaluation (client.requests_sent before/after)"),
        Row(f"   (a) default config: {_scopes(the_week.day)}", f"{a.requests}"),
        Row(
            f"   (b) launch.networks = {len(the_fleet.networks)} names: {_scopes(the_fleet.day)}",
            f"{b.requests}",
            "equal to (a)",
            verdict(a.requests == b.requests),
        ),
        Row(f"   (a) wall time, {a.times} times (lookback {lookback})", seconds(a.wall), "(info)"),
        Row(
            f"   (b) wall time, {b.times} times ({FLEET_SPAN / 3600:g} h of them with history)",
            seconds(b.wall),
            "(info)",
        ),
        Row("       signals.fetch alone", seconds(b.fetch), "(info)"),
        Row("       engine.evaluate_span alone", seconds(b.evaluate), "(info)"),
        Row(f"2. 7-day backtest at {STEP:g} s: {the_week.times:,} times + {lookback} lookback"),
        Row(
            f"   run_span wall time (median of {bt.repeats}, {bt.requests} requests)",
            seconds(bt.wall),
            f"<= {BACKTEST_GOAL:g} s",
            verdict(bt.wall <= BACKTEST_GOAL),
        ),
        Row("     signals.fetch alone", seconds(bt.fetch), "(info)"),
        Row("     engine.evaluate_span alone", seconds(bt.evaluate), "(info)"),
        Row(
            f"   instant by instant ({one.requests_each:g} requests each),"
            f" EXTRAPOLATED from {one.n} of {one.total:,}",
            seconds(one.extrapolated),
            f"({seconds(one.mean)} x {one.total:,})",
        ),
        Row(
            "   speed-up of the backtest over instant by instant",
            f"{speedup:.0f}x",
            f">= {SPEEDUP_GOAL:g}x",
            verdict(speedup >= SPEEDUP_GOAL),
        ),
        Row(
            f"   raw PromQL, 5 criteria, range, chunked ({r.raw_range.requests} requests)",
            seconds(r.raw_range.wall),
            "(DESIGN §6: about 3 s)",
        ),
        Row(
            f"   raw PromQL, 5 criteria, instant by instant, EXTRAPOLATED from {one.n}",
            seconds(r.raw_instants.extrapolated),
            "(DESIGN §6: about 200 s)",
        ),
        Row(
            "   backtest / raw PromQL range (the backtest also reads SLOs)",
            f"{bt.wall / r.raw_range.wall:.2f}x",
            "(info)",
        ),
        Row(f"3. check at one instant, lookback {lookback}, medians of {ch.repeats}"),
        Row(f"   run_span wall time ({ch.requests} requests)", seconds(ch.check)),
        Row("     signals.fetch alone", seconds(ch.fetch), "(info)"),
        Row("     engine.evaluate_span alone", seconds(ch.evaluate), "(info)"),
        Row(f"   slowest raw query alone ({ch.slowest_signal})", seconds(ch.slowest)),
        Row("   all raw queries at once (concurrent)", seconds(ch.concurrent), "(info)"),
        Row("   all raw queries one after another", seconds(ch.sequential), "(info)"),
        Row(
            "   check / slowest raw query",
            f"{check_ratio:.2f}x",
            f"<= {CHECK_RATIO_GOAL:g}x",
            verdict(check_ratio <= CHECK_RATIO_GOAL),
        ),
    ]
    decisions = "\n".join(f"  {d}" for d in bt.decisions) or "  (none)"
    fired = ", ".join(f"{k} {v}" for k, v in r.raw_range.fired_points.items())
    return "\n".join(
        [
            table(f"RESULTS (nproc={nproc()})", rows),
            "",
            f"decisions of the 7-day backtest ({len(bt.decisions)}):",
            decisions,
            f"raw PromQL range, firing evaluation times per criterion: {fired}",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
