"""The launch KPIs of DESIGN §3 over a range, from cumulative counters and buckets (pure).

Every count is the increase of a counter between its samples at the range's start and end
(`core.counters`: resets counted, nothing extrapolated), so a figure is what
`x @ end - x @ start` gives on the same samples. Quantiles are PromQL's
`histogram_quantile` of the bucket increases. A figure without data is None, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from launchguard.config.domain import Launch
from launchguard.core.counters import (
    bucket_quantile,
    grouped_increase,
    increase_since,
    le_buckets,
    ratio,
)
from launchguard.core.frames import GLOBAL, Frame, Frames, Tick, seconds, tick


@dataclass(frozen=True)
class Figures:
    """The launch KPIs over [start, end] (unix seconds); durations in seconds, USD."""

    start: float
    end: float
    settlements: Mapping[str, Mapping[str, float]]  # network → outcome → settlements
    passthrough_p: Mapping[str, float | None]  # network → quantile of pass-through, seconds
    eod_p: Mapping[str, float | None]  # network → quantile of EOD settlement, seconds
    webhooks: Mapping[str, Mapping[str, float]]  # partner → outcome → deliveries
    incidents: Mapping[str, float] | None  # severity → declared; None: no data
    offers: float | None
    deals: float | None
    cancellations: float | None
    volume_usd: Mapping[str, float]  # network → USD paid out
    daily_target_usd: float | None  # at the end

    def settled(self, outcome: str | None = None, network: str | None = None) -> float | None:
        """Settlements (of one outcome, on one network); None without data."""
        nets = [network] if network is not None else list(self.settlements)
        found = [
            n
            for net in nets
            for out, n in self.settlements.get(net, {}).items()
            if outcome is None or out == outcome
        ]
        if not any(net in self.settlements for net in nets):
            return None
        return sum(found)

    def outcome_share(self, outcome: str, network: str | None = None) -> float | None:
        """Share (0..1) of settlements with `outcome` (`partial`, `t_plus_1`)."""
        return ratio(self.settled(outcome, network), self.settled(None, network))

    def delivered(self, outcome: str | None = None, partner: str | None = None) -> float | None:
        parts = [partner] if partner is not None else list(self.webhooks)
        if not any(p in self.webhooks for p in parts):
            return None
        return sum(
            n
            for p in parts
            for out, n in self.webhooks.get(p, {}).items()
            if outcome is None or out == outcome
        )

    def webhook_success(self, partner: str | None = None) -> float | None:
        """Successful / all webhook deliveries (0..1)."""
        return ratio(self.delivered("success", partner), self.delivered(None, partner))

    @property
    def conversion(self) -> float | None:
        """Deals / offers (0..1)."""
        return ratio(self.deals, self.offers)

    @property
    def cancellation_share(self) -> float | None:
        """Cancelled deals / deals (0..1)."""
        return ratio(self.cancellations, self.deals)

    @property
    def volume_total(self) -> float | None:
        return sum(self.volume_usd.values()) if self.volume_usd else None


def compute(launch: Launch, frames: Frames, start: float, end: float) -> Figures:
    """The figures over [start, end] from the report signals in `frames`."""
    names = launch.config.plan.reports.signals
    q = launch.config.plan.reports.quantile
    s, e = tick(start), tick(end)

    def inc(name: str, *by: str) -> dict[tuple[str, ...], float]:
        found = grouped_increase(frames.get(name), by, s, e)
        return {tuple(dict(key)[b] for b in by): n for key, n in found.items()}

    def nested(found: Mapping[tuple[str, ...], float]) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for (outer, inner), n in sorted(found.items()):
            out.setdefault(outer, {})[inner] = n
        return out

    def quantiles(name: str) -> dict[str, float | None]:
        buckets = le_buckets(grouped_increase(frames.get(name), ("network", "le"), s, e))
        by_net = {dict(key).get("network", ""): b for key, b in buckets.items()}
        return {net: bucket_quantile(q, by_net.get(net, [])) for net in launch.networks}

    def total(name: str) -> float | None:
        found = inc(name)
        return found.get((), None)

    incidents = {k[0]: n for k, n in inc(names.incidents, "severity").items()}
    return Figures(
        start,
        end,
        nested(inc(names.eod_settlements, "network", "outcome")),
        quantiles(names.passthrough_buckets),
        quantiles(names.eod_buckets),
        nested(inc(names.webhook_deliveries, "partner", "outcome")),
        incidents or None,
        total(names.offers),
        total(names.deals),
        total(names.cancellations),
        {k[0]: n for k, n in inc(names.payout_volume, "network").items()},
        last_value(frames.get(names.daily_target), e),
    )


def latest(series: Mapping[Tick, float] | None, at: Tick) -> float | None:
    """The latest value at or before `at` (None: no sample, or NaN)."""
    if not series:
        return None
    times = [t for t in series if t <= at]
    if not times:
        return None
    value = series[max(times)]
    return None if value != value else value


def last_value(frame: Frame | None, at: Tick) -> float | None:
    """The global series' latest value at or before `at`."""
    return latest(frame.values.get(GLOBAL) if frame is not None else None, at)


def latest_by(frame: Frame | None, label: str, at: Tick) -> dict[str, float]:
    """`label` value → its series' latest value at or before `at` (series without one left
    out)."""
    out: dict[str, float] = {}
    for key, series in frame.values.items() if frame is not None else ():
        value = latest(series, at)
        if value is not None:
            out[dict(key).get(label, "")] = value
    return out


def first_settlement(launch: Launch, frames: Frames, t0: float, end: float) -> float | None:
    """Unix seconds of the first sample in [T0, end] at which any EOD settlement counter has
    grown since T0 (the settlement completed in the step before it); None if none did."""
    frame = frames.get(launch.config.plan.reports.signals.eod_settlements)
    if frame is None:
        return None
    first: Tick | None = None
    for points in frame.values.values():
        grown = increase_since(points, [tick(t0)])
        hit = min(
            (t for t, n in grown.items() if n > 0 and tick(t0) <= t <= tick(end)), default=None
        )
        if hit is not None and (first is None or hit < first):
            first = hit
    return None if first is None else seconds(first)
