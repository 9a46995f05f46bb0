"""The Prometheus client's contract tests on every backend, and where the backends differ.

The contract tests against a real server in tests/test_prometheus_client.py are
collected here once per backend (the `prometheus` fixture below replaces that module's
own). Where VictoriaMetrics answers differently, the case is an expected failure there
(strict: it fails the day the difference disappears) and a test below pins what it
answers instead. docs/backends.md documents each difference.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from launchguard.prometheus import PrometheusBadQuery, PrometheusClient, QueryResult
from launchguard.sim.openmetrics import OpenMetricsWriter
from test_prometheus_client import (  # noqa: F401  (collected here, once per backend)
    SAMPLE_INTERVAL,
    SAMPLES,
    History,
    gauge_a,
    gauge_b,
    settings_for,
    test_chunked_query_range_equals_single_request,
    test_instant_query_returns_one_point_per_series,
    test_query_range_returns_backfilled_values_at_grid_points,
    test_rejected_queries_raise_bad_query,
    test_scalar_result_is_one_series_with_empty_labels,
    test_special_values_are_parsed,
)

from backends import BACKENDS, start_backend

NAN_FROM, NAN_TO = 20, 40  # sample indexes of lg_test_nan holding NaN
HOLE_FROM, HOLE_TO = 60, 120  # sample indexes missing from lg_test_holey

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


def write_history(t0: int) -> Callable[[OpenMetricsWriter], None]:
    """The history of test_prometheus_client.py, plus series showing NaN, holes, counters."""

    def write(w: OpenMetricsWriter) -> None:
        def times(skip: range = range(0)) -> list[int]:
            return [k for k in range(SAMPLES) if k not in skip]

        at = [t0 + k * SAMPLE_INTERVAL for k in range(SAMPLES)]
        w.gauge(
            "lg_test_gauge",
            "contract",
            [
                ({"instance": "a"}, [(at[k], gauge_a(k)) for k in times()]),
                ({"instance": "b"}, [(at[k], gauge_b(k)) for k in times()]),
            ],
        )
        nan = range(NAN_FROM, NAN_TO)
        w.gauge(
            "lg_test_nan", "NaN", [({}, [(at[k], math.nan if k in nan else 1.0) for k in times()])]
        )
        hole = range(HOLE_FROM, HOLE_TO)
        w.gauge("lg_test_holey", "hole", [({}, [(at[k], 7.0) for k in times(hole)])])
        w.counter("lg_test_events", "counter", [({}, [(at[k], 100.0 + k) for k in times()])])

    return write


@pytest.fixture(scope="module", params=BACKENDS)
def prometheus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[History]:
    """One server per backend and module: two hours of history ending two hours ago."""
    t0 = int(time.time()) // 3600 * 3600 - 4 * 3600
    name: str = request.param
    server = start_backend(name, write_history(t0), tmp_path_factory.mktemp(name))
    yield History(server.url, t0)
    server.stop()


@pytest.fixture(autouse=True)
def _known_differences(request: pytest.FixtureRequest) -> None:
    """Marks the reused cases VictoriaMetrics answers differently as strict xfails."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is None or callspec.params.get("prometheus") != "victoriametrics":
        return
    for (test, case), reason in DIFFERENCES.items():
        if request.node.originalname == test and case in callspec.id:
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def backend_of(request: pytest.FixtureRequest) -> str:
    name: str = request.node.callspec.params["prometheus"]
    return name


Call = Callable[[PrometheusClient, int], Awaitable[QueryResult]]
View = Callable[[QueryResult, int], Any]


def values(result: QueryResult, _t0: int = 0) -> list[float]:
    return [v for s in result.series for _, v in s.points]


def offsets(result: QueryResult, t0: int) -> list[float]:
    """Times of the points, in seconds after the first sample of the history."""
    return [t - t0 for s in result.series for t, _ in s.points]


def lengths(result: QueryResult, _t0: int = 0) -> list[int]:
    return [len(s.points) for s in result.series]


def same(got: list[Any], wanted: list[Any]) -> bool:
    """Equal lists, NaN equal to NaN."""
    nan = [isinstance(v, float) and math.isnan(v) for v in (*got, *wanted)]
    return len(got) == len(wanted) and all(
        a == b or (x and y) for a, b, x, y in zip(got, wanted, nan, nan[len(got) :], strict=False)
    )


LAST = float(SAMPLE_INTERVAL * (HOLE_FROM - 1))  # the last sample before the hole

# Each case: the call (t0 = the first sample), how to view its result, what each backend
# answers (a string: the errorType of the PrometheusBadQuery it raises).
DIFFERING: list[Any] = [
    pytest.param(
        lambda c, t0: c.query("0/0", t0),
        values,
        {"prometheus": [math.nan], "victoriametrics": []},
        id="a NaN result is NaN on Prometheus and no series on VictoriaMetrics",
    ),
    pytest.param(
        lambda c, t0: c.query("lg_test_nan", t0 + SAMPLE_INTERVAL * (NAN_TO - 2)),
        values,
        {"prometheus": [math.nan], "victoriametrics": []},
        id="a NaN sample is NaN on Prometheus and missing data on VictoriaMetrics",
    ),
    pytest.param(
        lambda c, t0: c.query_range("lg_test_holey", t0 + LAST, t0 + LAST + 600, SAMPLE_INTERVAL),
        offsets,
        {
            "prometheus": [LAST + k for k in range(0, 301, SAMPLE_INTERVAL)],
            "victoriametrics": [LAST, LAST + SAMPLE_INTERVAL],
        },
        id="a range sees a series 5 min into a hole on Prometheus, one step on VictoriaMetrics",
    ),
    pytest.param(
        lambda c, t0: c.query("increase(lg_test_events_total[5m])", t0 + 2 * SAMPLE_INTERVAL),
        values,
        {"prometheus": [2.5], "victoriametrics": [2.0]},
        id="increase extrapolates on Prometheus and counts raw samples on VictoriaMetrics",
    ),
    pytest.param(
        lambda c, t0: c.query("rate(lg_test_gauge)", t0 + 300),
        lengths,
        {"prometheus": "bad_data", "victoriametrics": [1, 1]},
        id="rate without a range is an error on Prometheus and a step window on VictoriaMetrics",
    ),
    pytest.param(
        lambda c, t0: c.query_range("lg_test_gauge", t0, t0 + 5500.5, 0.5),
        lengths,
        {"prometheus": "bad_data", "victoriametrics": [11002, 11002]},
        id="11,002 points are refused by Prometheus and served by VictoriaMetrics",
    ),
    pytest.param(
        lambda c, t0: c.query_range("lg_test_gauge", t0, t0 + 6000.2, 0.2),
        lengths,
        {"prometheus": "bad_data", "victoriametrics": "422"},
        id="30,002 points are refused by both, as errorType bad_data or 422",
    ),
    pytest.param(
        lambda c, t0: c.query("sum(lg_test_gauge", t0),
        lengths,
        {"prometheus": "bad_data", "victoriametrics": "422"},
        id="a syntax error is errorType bad_data on Prometheus and 422 on VictoriaMetrics",
    ),
]


@pytest.mark.parametrize(("call", "view", "expected"), DIFFERING)
async def test_documented_differences(
    prometheus: History,
    request: pytest.FixtureRequest,
    call: Call,
    view: View,
    expected: dict[str, Any],
) -> None:
    wanted = expected[backend_of(request)]
    # One request whatever the range: the point limits are what some cases show.
    client = PrometheusClient(settings_for(prometheus.url, max_points_per_request=40000))
    async with client:
        if isinstance(wanted, str):
            with pytest.raises(PrometheusBadQuery) as caught:
                await call(client, prometheus.t0)
            assert caught.value.error_type == wanted
            return
        got = view(await call(client, prometheus.t0), prometheus.t0)
    assert same(got, wanted), got


async def test_a_tenant_header_is_ignored_by_single_tenant_servers(prometheus: History) -> None:
    at = prometheus.t0 + 300
    headers = {"X-Scope-OrgID": "tenant-1"}
    async with PrometheusClient(settings_for(prometheus.url, headers=headers)) as client:
        result = await client.query("lg_test_gauge", at)
    assert values(result) == [10.0, 1005.0]


@pytest.mark.parametrize("prometheus", ["victoriametrics"], indirect=True)
async def test_victoriametrics_answers_under_the_prometheus_path_prefix_too(
    prometheus: History,
) -> None:
    # VictoriaMetrics serves the API under /prometheus as well (cluster: /select/0/prometheus):
    # the client keeps a path given in the base URL.
    at = prometheus.t0 + 300
    async with PrometheusClient(settings_for(f"{prometheus.url}/prometheus")) as client:
        result = await client.query("lg_test_gauge", at)
    assert values(result) == [10.0, 1005.0]
