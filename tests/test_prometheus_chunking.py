"""The Prometheus client's chunking of long ranges: how many requests, each grid point once,
the concurrency bound, bad ranges refused before any request."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from launchguard.prometheus import (
    QueryResult,
)

from fakeprometheus import (
    Script,
    fake_client,
    form_of,
    success,
)


def grid_echo(request: httpx.Request) -> httpx.Response:
    """Answers a query_range like Prometheus would, each value being its own timestamp."""
    form = {k: Decimal(v) for k, v in form_of(request).items() if k != "query"}
    points, t = [], form["start"]
    while t <= form["end"]:
        points.append([float(t), str(float(t))])
        t += form["step"]
    return success({"resultType": "matrix", "result": [{"metric": {}, "values": points}]})


async def test_seven_days_at_30_s_take_two_requests() -> None:
    script = Script()
    start, step = 1_700_000_000, 30

    def handler(request: httpx.Request) -> httpx.Response:
        script.requests.append(request)
        return grid_echo(request)

    async with fake_client(handler) as client:
        result = await client.query_range("x", start, start + 7 * 86400, step)
    assert sorted((form_of(r)["start"], form_of(r)["end"]) for r in script.requests) == [
        (str(start), str(start + 10999 * step)),
        (str(start + 11000 * step), str(start + 20160 * step)),
    ]
    assert [t for t, _ in result.series[0].points] == [start + k * step for k in range(20161)]


@settings(max_examples=60, deadline=None)
@given(
    start_ms=st.integers(1_600_000_000_000, 1_800_000_000_000),
    step_ms=st.integers(1, 3_600_000),
    points=st.integers(1, 400),
    slack=st.floats(0, 0.999),
    max_points=st.integers(2, 60),
)
def test_chunks_cover_the_grid_exactly_once(
    start_ms: int, step_ms: int, points: int, slack: float, max_points: int
) -> None:
    end_ms = start_ms + (points - 1) * step_ms + int(slack * step_ms)
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        response = grid_echo(request)
        seen.append(len(response.json()["data"]["result"][0]["values"]))
        return response

    async def run() -> QueryResult:
        async with fake_client(handler, max_points_per_request=max_points) as client:
            return await client.query_range("x", start_ms / 1000, end_ms / 1000, step_ms / 1000)

    result = asyncio.run(run())
    expected = [float(Decimal(start_ms + k * step_ms) / 1000) for k in range(points)]
    assert [t for t, _ in result.series[0].points] == expected
    assert len(seen) == -(-points // max_points)
    assert max(seen) <= max_points


async def test_concurrent_chunks_respect_max_concurrency() -> None:
    in_flight, peak = 0, 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):  # yield to the event loop so other chunks can start
            await asyncio.sleep(0)
        in_flight -= 1
        return grid_echo(request)

    async with fake_client(handler, max_points_per_request=10, max_concurrency=2) as client:
        result = await client.query_range("x", 0, 59 * 30, 30)
        assert client.requests_sent == 6
    assert peak == 2
    assert len(result.series[0].points) == 60


@pytest.mark.parametrize(
    ("start", "end", "step"),
    [
        pytest.param(100, 0, 30, id="an end before the start is refused"),
        pytest.param(0, 100, 0, id="a zero step is refused"),
        pytest.param(0, 100, 0.0001, id="a step under a millisecond is refused"),
    ],
)
async def test_bad_ranges_are_refused_before_any_request(
    start: float, end: float, step: float
) -> None:
    async with fake_client(Script()) as client:
        with pytest.raises(ValueError, match="bad range"):
            await client.query_range("x", start, end, step)
        assert client.requests_sent == 0
