"""Cancelled queries give their connections back: after queries cancelled mid-flight (a
cycle's deadline, a sibling's failure cancelling the others), a query to a healthy
Prometheus answers at once instead of waiting for a pool slot that never frees.

httpcore closes a cancelled exchange in clean-up code that awaits, shielded with anyio,
which does not shield from asyncio's `Task.cancel()`: a second cancellation landing
during that clean-up left the connection ACTIVE in the pool for good. Real Prometheus
behind the fault proxy of tests/faultproxy.py (which drips or garbles its answers)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest

from faultproxy import FaultProxy
from launchguard.config.prometheus_settings import PrometheusSettings
from launchguard.harness.servers import PrometheusServer
from launchguard.prometheus import PrometheusClient, PrometheusError

POOL = 8  # connections: as many as the shipped max_concurrency
RECOVERY = 3.0  # seconds a query to the healthy Prometheus may take afterwards
ROUNDS = 2 * POOL  # the drip case fails on the first POOL of them without the fix


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultProxy]:
    with (
        PrometheusServer(tmp_path_factory.mktemp("prometheus")) as server,
        FaultProxy(server.url) as fault_proxy,
    ):
        yield fault_proxy


async def _wait_for_request(proxy: FaultProxy, count: int) -> None:
    async with asyncio.timeout(5):
        while proxy.requests < count:
            await asyncio.sleep(0.01)


async def cancelled_twice_while_headers_drip(client: PrometheusClient, proxy: FaultProxy) -> None:
    """A query waiting for a dripping answer's headers is cancelled (its deadline), then
    cancelled again while it unwinds (a sibling's failure)."""
    proxy.set("drip", drip_seconds=0.5)
    task = asyncio.create_task(client.query("vector(1)", time.time()))
    await _wait_for_request(proxy, proxy.requests + 1)
    task.cancel()
    await asyncio.sleep(0)  # the query begins to unwind: httpcore closes the connection
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def siblings_cancelled_by_a_garbage_answer(
    client: PrometheusClient, proxy: FaultProxy
) -> None:
    """Queries run together; the first garbage answer fails them all, cancelling the
    others while they read or close theirs."""
    proxy.set("garbage")
    with pytest.raises(ExceptionGroup) as caught:
        async with asyncio.TaskGroup() as group:
            for i in range(3 * POOL):
                group.create_task(client.query(f"vector({i})", time.time()))
    assert caught.group_contains(PrometheusError)


Round = Callable[[PrometheusClient, FaultProxy], Awaitable[None]]


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(
            cancelled_twice_while_headers_drip,
            id="queries cancelled twice while the headers drip leave the pool usable",
        ),
        pytest.param(
            siblings_cancelled_by_a_garbage_answer,
            id="queries cancelled by a sibling's garbage answer leave the pool usable",
        ),
    ],
)
async def test_a_healthy_query_answers_at_once_after_cancelled_ones(
    proxy: FaultProxy, fault: Round
) -> None:
    settings = PrometheusSettings(url=proxy.url, max_concurrency=POOL, timeout=10, retries=0)
    async with PrometheusClient(settings) as client:
        for _ in range(ROUNDS):
            async with asyncio.timeout(RECOVERY):  # a full pool shows here already
                await fault(client, proxy)
        proxy.set("pass")
        began = time.monotonic()
        async with asyncio.timeout(RECOVERY):
            result = await client.query("vector(7)", time.time())
    assert result.series[0].points[0][1] == 7.0
    assert time.monotonic() - began < RECOVERY
