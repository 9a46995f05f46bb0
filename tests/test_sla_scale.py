"""5,000 open tickets evaluated in one cycle on a real Prometheus: one request per signal
(DESIGN §4), counted both at the client and by Prometheus itself
(`prometheus_http_requests_total` of the query_range handler)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from launchguard.config.loader import load
from launchguard.evaluate import SpanResult, run_span
from launchguard.prometheus import PrometheusClient, QueryResult
from launchguard.signals import used_signals
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.servers import PrometheusServer, backfill
from launchguard.sim.tickets import population, write
from launchguard.sim.timeline import grid

from launchdays import HOUR, anchor

pytestmark = pytest.mark.prometheus

TICKETS = 5_000
AT = anchor()
SPREAD = 10 * HOUR


class Counting:
    """A PrometheusSource that counts query_range calls per query."""

    def __init__(self, inner: PrometheusClient) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    async def query_range(self, expr: str, start: float, end: float, step: float) -> QueryResult:
        self.calls[expr] += 1
        return await self.inner.query_range(expr, start, end, step)


def served(prometheus: PrometheusServer) -> float:
    """query_range requests Prometheus has answered so far (its own counter)."""
    text = httpx.get(f"{prometheus.url}/metrics", timeout=10.0).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("prometheus_http_requests_total{")
        and 'handler="/api/v1/query_range"' in line
    )


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

        async def cycle() -> tuple[SpanResult, Counting]:
            async with PrometheusClient(settings) as client:
                source = Counting(client)
                return await run_span(source, launch, AT, AT, launch.interval), source

        before = served(prometheus)
        result, source = asyncio.run(cycle())
        after = served(prometheus)
    assert result.outcome.book is not None
    open_now = Counter(
        d.criterion for d in result.outcome.book.open.values() if d.kind == "sla_breach"
    )
    assert open_now == expected_open_breaches()
    assert sum(open_now.values()) > TICKETS // 2
    # One request per signal the evaluation reads, ticket signals included.
    queries = {launch.signals[name].query for name in used_signals(launch)}
    assert set(source.calls) == queries
    assert set(source.calls.values()) == {1}
    assert result.requests == len(queries)
    assert after - before == len(queries)
