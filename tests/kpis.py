"""Business series of a launch day that `launchday` does not write: payout volume and the
daily target, EOD settlements by outcome, incidents declared, offers, deals, cancellations.

Counters are written from events on the grid: `per_step(t)` is what happens in the step
ending at t. Pure: no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from launchguard.sim.openmetrics import OpenMetricsWriter
from launchguard.sim.timeline import ValueAt, counter_points, sample


def events(at: Sequence[float], step: float) -> ValueAt:
    """Per step: how many of the event times `at` fall in (t - step, t]."""
    return lambda t: float(sum(1 for e in at if t - step < e <= t))


def nothing(_t: float) -> float:
    return 0.0


@dataclass(frozen=True)
class Business:
    """Per-step increments of each counter, keyed by their labels' values."""

    step: float = 30.0
    volume_usd: Mapping[tuple[str, str], ValueAt] = field(default_factory=dict)  # (net, asset)
    volume_resets: Sequence[float] = ()  # grid times the volume counters restart from 0
    daily_target_usd: ValueAt | None = None
    settlements: Mapping[tuple[str, str], ValueAt] = field(default_factory=dict)  # (net, outcome)
    incidents: Mapping[str, ValueAt] = field(default_factory=dict)  # severity
    offers: Mapping[str, ValueAt] = field(default_factory=dict)  # partner
    deals: Mapping[str, ValueAt] = field(default_factory=dict)
    cancelled: Mapping[str, ValueAt] = field(default_factory=dict)


def write(b: Business, times: Sequence[float], w: OpenMetricsWriter) -> None:
    """Write every family with at least one series."""
    if b.volume_usd:
        w.counter(
            "clubgate_payout_volume_usd_total",
            "USD value of confirmed payouts.",
            [
                (
                    {"network": net, "asset": asset},
                    counter_points(times, inc, resets=b.volume_resets),
                )
                for (net, asset), inc in sorted(b.volume_usd.items())
            ],
        )
    if b.daily_target_usd is not None:
        w.gauge(
            "clubgate_launch_daily_target_usd",
            "The daily volume target.",
            [({}, sample(times, b.daily_target_usd))],
        )
    if b.settlements:
        w.counter(
            "clubgate_eod_settlements_total",
            "EOD settlements by outcome.",
            [
                ({"network": net, "outcome": outcome}, counter_points(times, inc))
                for (net, outcome), inc in sorted(b.settlements.items())
            ],
        )
    for name, help, by in (
        ("clubgate_incidents_total", "Incidents declared.", ("severity", b.incidents)),
        ("clubgate_offers_total", "Offers made.", ("partner", b.offers)),
        ("clubgate_deals_total", "Offers that became deals.", ("partner", b.deals)),
        ("clubgate_deals_cancelled_total", "Deals cancelled.", ("partner", b.cancelled)),
    ):
        label, series = by
        if series:
            w.counter(
                name,
                help,
                [({label: k}, counter_points(times, inc)) for k, inc in sorted(series.items())],
            )
