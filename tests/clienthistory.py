"""The history the Prometheus client's real-server tests share, served by every backend.

Two gauges (`lg_test_gauge`, instances a and b) every 30 s for two hours ending two hours
ago, plus series showing NaN, a hole and a counter. The `prometheus` fixture (module scope,
one server per backend: ids `prometheus` and `victoriametrics`) serves it; modules take it
with `from clienthistory import prometheus`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from launchguard.config.prometheus_settings import PrometheusSettings
from launchguard.prometheus import QueryResult
from launchguard.sim.openmetrics import OpenMetricsWriter

from backends import BACKENDS, start_backend

SAMPLE_INTERVAL = 30
SAMPLES = 240  # two hours of history per series
NAN_FROM, NAN_TO = 20, 40  # sample indexes of lg_test_nan holding NaN
HOLE_FROM, HOLE_TO = 60, 120  # sample indexes missing from lg_test_holey


def gauge_a(index: int) -> float:
    return float(index)


def gauge_b(index: int) -> float:
    return 1000 + 0.5 * index


@dataclass(frozen=True)
class History:
    url: str
    t0: int  # unix seconds of the first sample

    def value(self, instance: str, at: float) -> float:
        """The sample Prometheus sees at `at`: the latest one at or before it."""
        index = int((at - self.t0) // SAMPLE_INTERVAL)
        return gauge_a(index) if instance == "a" else gauge_b(index)


def settings_for(url: str, **overrides: Any) -> PrometheusSettings:
    return PrometheusSettings.model_validate({"url": url, "backoff": 0.2, **overrides})


def by_instance(result: QueryResult) -> dict[str, tuple[tuple[float, float], ...]]:
    return {series.labels["instance"]: series.points for series in result.series}


def write_history(t0: int) -> Callable[[OpenMetricsWriter], None]:
    """The two gauges, plus series showing NaN, holes, counters."""

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
