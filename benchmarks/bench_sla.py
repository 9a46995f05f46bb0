"""Support SLA at scale (`make bench`): 5,000 open tickets evaluated in one live cycle.

Starts its own Prometheus on loopback over a backfilled helpdesk history (METRICS.md's two
ticket series) and runs one cycle as the daemon does (`run_span` over "now", with the
lookback), counting:

1. query_range requests per signal at the client and as Prometheus counts them
   (goal: one per signal, the two ticket signals included, whatever the number of tickets);
2. wall time of the cycle: fetch and pure core (goal: ≤ 5 s, within one 30 s interval).

Not a test: nothing here asserts on time; each goal is printed as met or MISSED.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from report import Row, progress, table, verdict

from launchguard.config.loader import load
from launchguard.evaluate import SpanResult, run_span
from launchguard.harness.servers import CountingSource, PrometheusServer, backfill
from launchguard.prometheus import PrometheusClient
from launchguard.signals import used_signals
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.tickets import population, write
from launchguard.sim.timeline import grid

TICKETS = 5_000
SPREAD = 10 * 3600.0  # tickets registered over the 10 h before the cycle
REPEATS = 5
CYCLE_GOAL = 5.0  # seconds


def main() -> int:
    launch = load(None)
    at = (time.time() - 2 * 3600.0) // 1800 * 1800
    tickets = population(TICKETS, at, spread=SPREAD)
    with tempfile.TemporaryDirectory(prefix="launchguard-bench-sla-") as tmp:
        root = Path(tmp)
        progress(f"writing {TICKETS:,} tickets' history")
        history = write_openmetrics(
            root / "tickets.om", lambda w: write(tickets, grid(at - 600.0, at, 60.0), w)
        )
        progress("backfilling")
        backfill(history, root / "data")
        with PrometheusServer(root / "data") as prometheus:
            settings = launch.prometheus.model_copy(update={"url": prometheus.url})

            async def cycle() -> tuple[SpanResult, CountingSource, float]:
                async with PrometheusClient(settings) as client:
                    source = CountingSource(client)
                    began = time.perf_counter()
                    result = await run_span(source, launch, at, at, launch.interval)
                    return result, source, time.perf_counter() - began

            progress(f"one cycle over {TICKETS:,} tickets, {REPEATS} times")
            walls: list[float] = []
            for _ in range(REPEATS):
                before = prometheus.range_queries_answered()
                result, source, wall = asyncio.run(cycle())
                answered = prometheus.range_queries_answered() - before
                walls.append(wall)
    book = result.outcome.book
    open_breaches = sum(1 for d in (book.open.values() if book else ()) if d.kind == "sla_breach")
    signals = len(used_signals(launch))
    per_signal = sorted(set(source.calls.values()))
    ticket_queries = [
        launch.signals[name].query
        for name in (launch.config.support.created_signal, launch.config.support.stage_signal)
    ]
    wall = statistics.median(walls)
    one_each = per_signal == [1] and answered == signals
    rows = [
        Row("open tickets", f"{TICKETS:,}"),
        Row("open SLA breaches found", f"{open_breaches:,}"),
        Row("signals read", str(signals)),
        Row(
            "requests per signal (client)",
            ", ".join(str(n) for n in per_signal),
            "1",
            verdict(per_signal == [1]),
        ),
        Row(
            "requests answered by Prometheus",
            f"{answered:g}",
            f"{signals} (one per signal)",
            verdict(one_each),
        ),
        Row(
            "ticket signal requests",
            " + ".join(str(source.calls[q]) for q in ticket_queries),
            "1 + 1",
            verdict(all(source.calls[q] == 1 for q in ticket_queries)),
        ),
        Row(
            f"cycle wall time (median of {REPEATS})",
            f"{wall:.2f} s",
            f"<= {CYCLE_GOAL:g} s",
            verdict(wall <= CYCLE_GOAL),
        ),
    ]
    print(table("Support SLA: 5,000 open tickets in one cycle", rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
