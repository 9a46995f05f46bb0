"""The Prometheus client's contract on every backend: the same cases against a real
Prometheus and a real VictoriaMetrics (the `prometheus` fixture of tests/clienthistory.py).

Where VictoriaMetrics answers differently, the case is an expected failure there (strict: it
fails the day the difference disappears) and tests/test_backends_client.py pins what it
answers instead. docs/backends.md documents each difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from launchguard.prometheus import PrometheusBadQuery, PrometheusClient, QueryResult, Series

from clienthistory import History, by_instance, prometheus, settings_for

__all__ = ["prometheus"]  # the module-scoped server fixture of every backend

DIFFERENCES: dict[tuple[str, str], str] = {
    ("test_special_values_are_parsed", "NaN comes back as math.nan"): (
        "VictoriaMetrics drops NaN points from its answers (docs/backends.md, NaN)"
    ),
    ("test_rejected_queries_raise_bad_query", "a PromQL syntax error"): (
        "VictoriaMetrics' errorType is the HTTP status '422', its message its own"
    ),
    ("test_rejected_queries_raise_bad_query", "a type error"): (
        "MetricsQL accepts rate() without a range: the window is derived from the step"
    ),
    ("test_rejected_queries_raise_bad_query", "11,000 steps"): (
        "VictoriaMetrics' limit is -search.maxPointsPerTimeseries (30,000), not 11,000"
    ),
}


@pytest.fixture(autouse=True)
def _known_differences(request: pytest.FixtureRequest) -> None:
    """Marks the reused cases VictoriaMetrics answers differently as strict xfails."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is None or callspec.params.get("prometheus") != "victoriametrics":
        return
    for (test, case), reason in DIFFERENCES.items():
        if request.node.originalname == test and case in callspec.id:
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("start_offset", "end_offset", "step"),
    [
        pytest.param(0, 600, 30, id="an aligned range returns every sample at its own time"),
        pytest.param(0, 600, 60, id="a coarser step returns every other sample"),
        pytest.param(15, 315, 30, id="an off-grid start sees the latest earlier sample"),
        pytest.param(0.25, 400, 30.5, id="millisecond start and step keep their grid"),
    ],
)
async def test_query_range_returns_backfilled_values_at_grid_points(
    prometheus: History, start_offset: float, end_offset: float, step: float
) -> None:
    start, end = prometheus.t0 + start_offset, prometheus.t0 + end_offset
    grid = [start + k * step for k in range(int((end - start) // step) + 1)]
    async with PrometheusClient(settings_for(prometheus.url)) as client:
        result = await client.query_range("lg_test_gauge", start, end, step)
    assert [dict(s.labels) for s in result.series] == [
        {"__name__": "lg_test_gauge", "instance": "a"},
        {"__name__": "lg_test_gauge", "instance": "b"},
    ]
    for instance, points in by_instance(result).items():
        assert points == tuple((t, prometheus.value(instance, t)) for t in grid)
    assert result.warnings == ()


@pytest.mark.prometheus
@pytest.mark.parametrize(
    "expr",
    [
        pytest.param("lg_test_gauge", id="raw series split in 3 chunks equal one request"),
        pytest.param(
            "sum(lg_test_gauge) / 2", id="an aggregate split in 3 chunks equals one request"
        ),
    ],
)
async def test_chunked_query_range_equals_single_request(prometheus: History, expr: str) -> None:
    start, end, step = prometheus.t0, prometheus.t0 + 119 * 30 + 17, 30  # 120 points
    async with PrometheusClient(settings_for(prometheus.url)) as single:
        whole = await single.query_range(expr, start, end, step)
        assert single.requests_sent == 1
    async with PrometheusClient(settings_for(prometheus.url, max_points_per_request=50)) as chunked:
        parts = await chunked.query_range(expr, start, end, step)
        assert chunked.requests_sent == 3
    assert parts == whole
    assert all(len(series.points) == 120 for series in whole.series)


@pytest.mark.prometheus
async def test_instant_query_returns_one_point_per_series(prometheus: History) -> None:
    at = prometheus.t0 + 300
    async with PrometheusClient(settings_for(prometheus.url)) as client:
        result = await client.query("lg_test_gauge", at)
    assert by_instance(result) == {"a": ((at, 10.0),), "b": ((at, 1005.0),)}


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        pytest.param("0/0", math.nan, id="NaN comes back as math.nan"),
        pytest.param("1/0", math.inf, id="+Inf comes back as math.inf"),
        pytest.param("-1/0", -math.inf, id="-Inf comes back as -math.inf"),
        pytest.param("vector(2.5)", 2.5, id="a plain number comes back as a float"),
    ],
)
async def test_special_values_are_parsed(prometheus: History, expr: str, expected: float) -> None:
    at, start = prometheus.t0 + 60.0, prometheus.t0
    async with PrometheusClient(settings_for(prometheus.url)) as client:
        instant = await client.query(expr, at)
        ranged = await client.query_range(expr, start, start + 90, 30)
    values = [v for s in (*instant.series, *ranged.series) for _, v in s.points]
    assert len(values) == 5
    for value in values:
        assert value == expected or (math.isnan(expected) and math.isnan(value))
    assert instant.series[0].points[0][0] == at


@pytest.mark.prometheus
async def test_scalar_result_is_one_series_with_empty_labels(prometheus: History) -> None:
    async with PrometheusClient(settings_for(prometheus.url)) as client:
        result = await client.query("scalar(vector(3))", prometheus.t0)
    assert result == QueryResult((Series({}, ((prometheus.t0, 3.0),)),), ())


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        pytest.param(
            lambda c, t0: c.query_range("sum(lg_test_gauge", t0, t0 + 60, 30),
            "parse error",
            id="a PromQL syntax error keeps Prometheus' message",
        ),
        pytest.param(
            lambda c, t0: c.query("rate(lg_test_gauge)", t0),
            "expected type range vector",
            id="a type error keeps Prometheus' message",
        ),
        pytest.param(
            lambda c, t0: c.query_range("lg_test_gauge", t0, t0 + 11001, 1),
            "11,000 points",
            id="a range of more than 11,000 steps is refused by Prometheus",
        ),
    ],
)
async def test_rejected_queries_raise_bad_query(
    prometheus: History, call: Callable[[PrometheusClient, int], Any], fragment: str
) -> None:
    client = PrometheusClient(settings_for(prometheus.url, max_points_per_request=20000))
    async with client:
        with pytest.raises(PrometheusBadQuery) as caught:
            await call(client, prometheus.t0)
    assert caught.value.kind == "bad_query"
    assert caught.value.error_type == "bad_data"
    assert fragment in caught.value.error
    assert str(caught.value) == f"bad_data: {caught.value.error}"
    assert client.requests_sent == 1  # a bad query is not retried
