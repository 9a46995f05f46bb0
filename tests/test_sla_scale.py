"""5,000 open tickets evaluated in one cycle on a real Prometheus: one request per signal
(DESIGN §4), counted both at the client and by Prometheus itself
(`prometheus_http_requests_total` of the query_range handler)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from launchguard.config.loader import load
from launchguard.core.engine import grid as grid_of
from launchguard.evaluate import SpanResult, run_span
from launchguard.harness.servers import CountingSource, PrometheusServer, backfill
from launchguard.prometheus import PrometheusClient
from launchguard.signals import plan_requests, used_signals
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.tickets import population, write
from launchguard.sim.timeline import grid

from launchdays import HOUR, anchor

pytestmark = pytest.mark.prometheus

TICKETS = 5_000
AT = anchor()
SPREAD = 10 * HOUR


def expected_open_breaches() -> Counter[str]:
    """Open breaches at AT, from the population's rule of thumb (see `population`)."""
    out: Counter[str] = Counter()
    for k in range(TICKETS):
        created = float(round(AT - SPREAD * (k + 1) / TICKETS))
        responded = {0: None, 1: created + 2 * HOUR}.get(k % 4, created + 0.5 * HOUR)
        if created + HOUR <= AT and (responded is None or responded > AT):
            out["sla_reaction"] += 1
        if created + 4 * HOUR <= AT:  # nobody has a workaround
            out["sla_workaround"] += 1
    return out


def test_five_thousand_open_tickets_cost_one_request_per_signal(tmp_path: Path) -> None:
    tickets = population(TICKETS, AT, spread=SPREAD)
    history = write_openmetrics(
        tmp_path / "tickets.om", lambda w: write(tickets, grid(AT - 600.0, AT, 60.0), w)
    )
    backfill(history, tmp_path / "data")
    launch = load(None)
    with PrometheusServer(tmp_path / "data") as prometheus:
        settings = launch.prometheus.model_copy(update={"url": prometheus.url})

        async def cycle() -> tuple[SpanResult, CountingSource]:
            async with PrometheusClient(settings) as client:
                source = CountingSource(client)
                return await run_span(source, launch, AT, AT, launch.interval), source

        before = prometheus.range_queries_answered()
        result, source = asyncio.run(cycle())
        after = prometheus.range_queries_answered()
    assert result.outcome.book is not None
    open_now = Counter(
        d.criterion for d in result.outcome.book.open.values() if d.kind == "sla_breach"
    )
    assert open_now == expected_open_breaches()
    assert sum(open_now.values()) > TICKETS // 2
    # One request per signal the evaluation reads, ticket signals included.
    queries = {
        r.query for r in plan_requests(launch, grid_of(AT, AT, launch.interval, launch.lookback))
    }
    assert len(queries) == len(used_signals(launch))
    assert set(source.calls) == queries
    assert set(source.calls.values()) == {1}
    assert result.requests == len(queries)
    assert after - before == len(queries)
