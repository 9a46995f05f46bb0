"""The live side of a scenario: a prometheus-client collector that continues it in real time.

`ScenarioCollector` runs the same series as `write_history` over an endless grid from the
scenario start. On each scrape it advances every series to the last grid time at or before
now (the clock is injected), so a history written up to `end` and this exporter started
after it are one series: the exporter's value at a grid time is the history's value there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from launchguard.promtext import format_le
from launchguard.sim.generator import Family, Value, families, samples, times
from launchguard.sim.scenario import Scenario


class ScenarioCollector(Collector):
    """Every series of `scenario` anchored at `start`, as of `clock()` (unix seconds)."""

    def __init__(
        self,
        scenario: Scenario,
        start: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.scenario = scenario
        self.start = start
        self.clock = clock
        self._families = families(scenario, start)
        self._streams = [
            [samples(fam, s, times(start, None, scenario.step)) for s in fam.series]  # type: ignore[arg-type]
            for fam in self._families
        ]
        self._values: list[list[Value | None]] = [[None] * len(f.series) for f in self._families]
        self._next = start  # the next grid time not yet sampled
        self._lock = threading.Lock()

    @property
    def at(self) -> float:
        """The grid time of the values served (unix seconds); before `start`: nothing yet."""
        return self._next - self.scenario.step

    def advance(self, now: float) -> None:
        """Sample every series at each grid time up to `now` (a no-op for past times)."""
        with self._lock:
            while self._next <= now:
                for values, streams in zip(self._values, self._streams, strict=True):
                    for i, stream in enumerate(streams):
                        values[i] = next(stream)
                self._next += self.scenario.step

    def values(self) -> Iterator[tuple[Family, list[Value | None]]]:
        """(family, value per series) as of the last `advance`."""
        with self._lock:
            yield from zip(self._families, [list(v) for v in self._values], strict=True)

    def collect(self) -> Iterator[Metric]:
        self.advance(self.clock())
        for fam, values in self.values():
            label_names = sorted(fam.series[0].labels) if fam.series else []
            metric: Any
            if fam.kind == "gauge":
                metric = GaugeMetricFamily(fam.name, fam.help, labels=label_names)
            elif fam.kind == "counter":
                metric = CounterMetricFamily(fam.name, fam.help, labels=label_names)
            else:
                metric = HistogramMetricFamily(fam.name, fam.help, labels=label_names)
            for series, value in zip(fam.series, values, strict=True):
                if value is None:
                    continue  # in a gap, or a gauge with no sample yet
                label_values = [series.labels[n] for n in label_names]
                if isinstance(value, tuple):
                    _t, counts, total, _count = value
                    les = [*(format_le(b) for b in fam.buckets), "+Inf"]
                    buckets = list(zip(les, counts, strict=True))
                    metric.add_metric(label_values, buckets=buckets, sum_value=total)
                else:
                    metric.add_metric(label_values, value)
            yield metric

    def describe(self) -> Iterator[Metric]:
        return iter(())


def serve(collector: ScenarioCollector, host: str, port: int) -> Callable[[], None]:
    """Serve `/metrics` on host:port in a daemon thread; returns a function that stops it."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    server, thread = start_http_server(port, addr=host, registry=registry)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
