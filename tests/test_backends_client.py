"""Where the backends differ: what VictoriaMetrics answers where the client's contract cases
(tests/test_prometheus_contract.py, run on every backend) are expected failures on it, and
what only one backend does. docs/backends.md documents each difference.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from launchguard.prometheus import PrometheusBadQuery, PrometheusClient, QueryResult

from clienthistory import (
    HOLE_FROM,
    NAN_TO,
    SAMPLE_INTERVAL,
    History,
    prometheus,
    settings_for,
)

__all__ = ["prometheus"]  # the module-scoped server fixture of every backend


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
