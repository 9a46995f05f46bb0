"""A launch day over the METRICS.md series, described by value functions of time.

Each piece of the platform is a small timeline (a function of unix seconds); `write`
turns a `LaunchDay` into OpenMetrics history on a fixed grid. Gaps drop every series
for a span, as an exporter or scrape outage would. Pure: nothing reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from launchguard.sim.openmetrics import HistogramPoint, OpenMetricsWriter, Point
from launchguard.sim.timeline import Histogram, ValueAt, grid

PASSTHROUGH_BUCKETS = (60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 2400.0, 3600.0, 7200.0)
EOD_BUCKETS = (300.0, 600.0, 1200.0, 1800.0, 2700.0, 3600.0, 5400.0, 7200.0, 14400.0)


def const(value: float) -> ValueAt:
    return lambda _t: value


@dataclass(frozen=True)
class Network:
    """One network: how long payouts take, how many complete per step, the queue."""

    name: str
    passthrough_seconds: ValueAt = const(240.0)  # every payout of the step takes this long
    completed_per_step: ValueAt = const(20.0)
    queue: ValueAt = const(10.0)
    eod_settlement_seconds: ValueAt = const(1500.0)
    settlements_per_step: ValueAt = const(0.1)


@dataclass(frozen=True)
class Pair:
    """A trust pair: unsettled sessions and the unix time of its latest cut-off."""

    network: str
    pair: str
    unsettled: ValueAt = const(0.0)
    cutoff: ValueAt = const(0.0)


@dataclass(frozen=True)
class LaunchDay:
    start: float
    end: float
    step: float = 30.0
    networks: Sequence[Network] = (Network("erc20"), Network("trc20"))
    pairs: Sequence[Pair] = ()
    partners: Sequence[str] = ("acme", "globex")
    webhook_success_per_step: ValueAt = const(50.0)  # per partner
    webhook_failure_per_step: ValueAt = const(0.0)  # per partner
    dead_letter: ValueAt = const(0.0)  # per partner
    sev1_open: ValueAt = const(0.0)
    volume_cap: ValueAt | None = None
    gaps: Sequence[tuple[float, float]] = field(default=())  # [from, to) with no samples

    def times(self) -> list[float]:
        return [t for t in grid(self.start, self.end, self.step) if not self._in_gap(t)]

    def _in_gap(self, t: float) -> bool:
        return any(a <= t < b for a, b in self.gaps)


def _gauge(times: Sequence[float], value: ValueAt) -> Iterator[Point]:
    return ((t, value(t)) for t in times)


def _counter(times: Sequence[float], per_step: ValueAt) -> Iterator[Point]:
    total = 0.0
    for t in times:
        total += per_step(t)
        yield t, total


def _histogram(
    times: Sequence[float], buckets: Sequence[float], value: ValueAt, count: ValueAt
) -> Iterator[HistogramPoint]:
    h = Histogram(buckets)
    for t in times:
        n = count(t)
        if n:
            h.observe(value(t), n)
        yield h.point(t)


def write(day: LaunchDay, w: OpenMetricsWriter) -> None:
    """Write the day's history (every METRICS.md series the evaluation reads)."""
    times = day.times()
    nets = day.networks
    w.histogram(
        "clubgate_passthrough_seconds",
        "Deposit-to-payout pass-through.",
        PASSTHROUGH_BUCKETS,
        [
            (
                {"network": n.name, "asset": "usdt"},
                _histogram(times, PASSTHROUGH_BUCKETS, n.passthrough_seconds, n.completed_per_step),
            )
            for n in nets
        ],
    )
    w.gauge(
        "clubgate_payout_queue_depth",
        "Payouts waiting.",
        [({"network": n.name}, _gauge(times, n.queue)) for n in nets],
    )
    w.counter(
        "clubgate_payout_completed",
        "Payouts confirmed.",
        [({"network": n.name}, _counter(times, n.completed_per_step)) for n in nets],
    )
    w.histogram(
        "clubgate_eod_settlement_seconds",
        "Cut-off to EOD settlement.",
        EOD_BUCKETS,
        [
            (
                {"network": n.name},
                _histogram(times, EOD_BUCKETS, n.eod_settlement_seconds, n.settlements_per_step),
            )
            for n in nets
        ],
    )
    if day.pairs:
        w.gauge(
            "clubgate_trust_eod_unsettled_sessions",
            "Unsettled trust sessions.",
            [
                ({"network": p.network, "pair": p.pair}, _gauge(times, p.unsettled))
                for p in day.pairs
            ],
        )
        w.gauge(
            "clubgate_trust_cutoff_timestamp_seconds",
            "Latest cut-off.",
            [({"network": p.network, "pair": p.pair}, _gauge(times, p.cutoff)) for p in day.pairs],
        )
    w.counter(
        "clubgate_webhook_deliveries",
        "Webhook delivery outcomes.",
        [
            ({"partner": partner, "outcome": outcome}, _counter(times, rate))
            for partner in day.partners
            for outcome, rate in (
                ("success", day.webhook_success_per_step),
                ("failure", day.webhook_failure_per_step),
            )
        ],
    )
    w.gauge(
        "clubgate_webhook_dead_letter_depth",
        "Webhooks in dead letter.",
        [({"partner": p}, _gauge(times, day.dead_letter)) for p in day.partners],
    )
    w.gauge(
        "clubgate_incidents_open",
        "Open incidents.",
        [({"severity": "sev1"}, _gauge(times, day.sev1_open))],
    )
    if day.volume_cap is not None:
        w.gauge(
            "clubgate_launch_volume_cap_ratio",
            "Volume cap in force.",
            [({}, _gauge(times, day.volume_cap))],
        )
