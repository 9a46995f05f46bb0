"""Scenario generation at fleet size (`make bench`): a 7-day history of the `launch_day`
scenario widened to 2 networks, 50 partners and 200 trust pairs.

Each measure runs in a child process of its own (so its peak RSS is its own) and writes the
OpenMetrics text to a byte-counting sink, so the time is the generator's and the writer's,
not the disk's. Printed side by side in one run:

1. wall time of the 7-day history (goal: < 30 s);
2. peak RSS of the 7-day run against a 1-day run of the same fleet and against a child
   that only imports the package: a streamed generator's memory does not grow with the
   span (goal: 7-day peak ≤ 1-day peak + 20 MB, and < 200 MB in all).

Not a test: nothing here asserts on time; each goal is printed as met or MISSED.
Environment: LG_BENCH_SIM_DAYS (default 7).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from typing import TextIO

from report import Row, progress, seconds, table, verdict

NETWORKS = 2
PARTNERS = 50
PAIRS_PER_NETWORK = 100
DAY = 86_400.0
RSS_GROWTH_GOAL_MB = 20.0
RSS_GOAL_MB = 200.0
TIME_GOAL_S = 30.0


class CountingSink:
    """A text sink that keeps only the number of characters written."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def child(days: float, generate: bool) -> None:
    """Runs in the child: generates `days` of history (or nothing) and prints one JSON line."""
    from launchguard.sim.generator import write_history
    from launchguard.sim.openmetrics import OpenMetricsWriter
    from launchguard.sim.scenario import load_scenario

    base = load_scenario("launch_day")
    baseline = base.baseline.model_copy(
        update={
            "partners": base.baseline.partners.model_copy(
                update={"count": PARTNERS, "names": None}
            ),
            "pairs": [
                group.model_copy(update={"count": PAIRS_PER_NETWORK, "names": None})
                for group in base.baseline.pairs
            ],
        }
    )
    scenario = base.model_copy(update={"baseline": baseline, "duration": days * DAY})
    sink = CountingSink()
    began = time.perf_counter()
    if generate:
        start = 1_780_000_000.0
        writer = OpenMetricsWriter(sink)  # type: ignore[arg-type]
        write_history(scenario, start, start + days * DAY, writer)
        writer.close()
    wall = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    networks = len(baseline.networks)
    pairs = sum(len(g.pair_names()) for g in baseline.pairs)
    out: TextIO = sys.stdout
    out.write(
        json.dumps(
            {
                "wall": wall,
                "peak_mb": peak_kb / 1024,
                "chars": sink.chars,
                "networks": networks,
                "partners": len(baseline.partners.partner_names()),
                "pairs": pairs,
            }
        )
        + "\n"
    )


def measure(days: float, generate: bool = True) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", str(days), "1" if generate else "0"]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    days = float(os.environ.get("LG_BENCH_SIM_DAYS", "7"))
    progress("scenario generation: a child that only imports the package")
    idle = measure(0, generate=False)
    progress("scenario generation: 1 day of the fleet")
    one = measure(1)
    progress(f"scenario generation: {days:g} days of the fleet")
    began = time.perf_counter()
    week = measure(days)
    progress(f"done in {time.perf_counter() - began:.1f} s")
    growth = week["peak_mb"] - one["peak_mb"]
    fleet = (
        f"{week['networks']:.0f} networks, {week['partners']:.0f} partners, "
        f"{week['pairs']:.0f} pairs"
    )
    rows = [
        Row(f"fleet: {fleet}"),
        Row(
            f"{days:g}-day history, wall time",
            seconds(week["wall"]),
            f"< {TIME_GOAL_S:.0f} s",
            verdict(week["wall"] < TIME_GOAL_S),
        ),
        Row(f"{days:g}-day history, OpenMetrics written", f"{week['chars'] / 1e6:,.0f} MB"),
        Row("1-day history, wall time", seconds(one["wall"])),
        Row("peak RSS, import only", f"{idle['peak_mb']:.1f} MB"),
        Row("peak RSS, 1-day history", f"{one['peak_mb']:.1f} MB"),
        Row(
            f"peak RSS, {days:g}-day history",
            f"{week['peak_mb']:.1f} MB",
            f"< {RSS_GOAL_MB:.0f} MB",
            verdict(week["peak_mb"] < RSS_GOAL_MB),
        ),
        Row(
            f"peak RSS growth, {days:g} days vs 1 day",
            f"{growth:+.1f} MB",
            f"≤ {RSS_GROWTH_GOAL_MB:.0f} MB (streamed)",
            verdict(growth <= RSS_GROWTH_GOAL_MB),
        ),
    ]
    print(table("Scenario generation at fleet size", rows))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(float(sys.argv[2]), sys.argv[3] == "1")
        sys.exit(0)
    sys.exit(main())
