"""The partner side of a scenario: webhook deliveries and dead letters, offers and deals;
and the launch-wide series: incidents, the volume cap and the daily target, tickets."""

from __future__ import annotations

from dataclasses import dataclass

from launchguard.sim.events import Incident, VolumeCap, WebhookOutage
from launchguard.sim.scenario import Scenario
from launchguard.sim.streams import Factory, Step, Window, poisson, rng


@dataclass(frozen=True)
class Outage:
    window: Window
    partners: frozenset[str] | None
    failure_ratio: float
    dead_letter_per_minute: float
    replay: bool

    def covers(self, partner: str) -> bool:
        return self.partners is None or partner in self.partners


class PartnerModel:
    def __init__(self, scenario: Scenario, start: float) -> None:
        self.spec = scenario.baseline.partners
        self.seed = scenario.seed
        self.step = scenario.step
        self.start = start
        self.names = self.spec.partner_names()
        self.outages = [
            Outage(
                Window(start + e.at, None if e.until is None else start + e.until),
                frozenset(e.partners) if e.partners else None,
                e.failure_ratio,
                e.dead_letter_per_minute,
                e.after == "replay",
            )
            for e in scenario.events
            if isinstance(e, WebhookOutage)
        ]

    def _failure_ratio(self, partner: str, t: float) -> float:
        ratio = self.spec.failure_ratio
        for o in self.outages:
            if o.covers(partner) and o.window.holds(t):
                ratio = max(ratio, o.failure_ratio)
        return ratio

    def deliveries(self, partner: str, outcome: str) -> Factory:
        """Deliveries of the step by final outcome (`success` or `failure`)."""
        per_step = self.spec.deliveries_per_minute * self.step / 60.0
        failing = outcome == "failure"

        def make() -> Step:
            r = rng(self.seed, "webhooks", partner, outcome)

            def step(t: float) -> float:
                ratio = self._failure_ratio(partner, t)
                return float(poisson(r, per_step * (ratio if failing else 1.0 - ratio)))

            return step

        return make

    def dead_letter(self, partner: str) -> Factory:
        """Baseline depth plus whole dead letters parked during outages (no noise: a flat
        queue stays exactly flat)."""
        base = self.spec.dead_letter
        mine = [o for o in self.outages if o.covers(partner) and o.dead_letter_per_minute > 0]

        def step(t: float) -> float:
            extra = 0.0
            for o in mine:
                w = o.window
                if o.replay and w.end is not None and t >= w.end:
                    continue
                extra += int(o.dead_letter_per_minute * w.elapsed(t) / 60.0 + 1e-9)
            return base + extra

        return lambda: step

    def business(self, partner: str, which: str) -> Factory:
        """Offers, deals or cancellations of the step."""
        s = self.spec
        rate = s.offers_per_hour * self.step / 3600.0
        mean = {
            "offers": rate,
            "deals": rate * s.deal_ratio,
            "cancelled": rate * s.deal_ratio * s.cancel_ratio,
        }[which]

        def make() -> Step:
            r = rng(self.seed, "business", partner, which)
            return lambda _t: float(poisson(r, mean))

        return make


class LaunchModel:
    """Incidents, the volume cap and the daily target."""

    def __init__(self, scenario: Scenario, start: float) -> None:
        self.step = scenario.step
        self.baseline = scenario.baseline
        self.incidents = [
            (e.severity, Window(start + e.at, None if e.until is None else start + e.until))
            for e in scenario.events
            if isinstance(e, Incident)
        ]
        self.caps = sorted(
            (start + e.at, e.ratio) for e in scenario.events if isinstance(e, VolumeCap)
        )

    def incidents_open(self, severity: str) -> Factory:
        mine = [w for s, w in self.incidents if s == severity]
        return lambda: lambda t: float(sum(1 for w in mine if w.holds(t)))

    def incidents_declared(self, severity: str) -> Factory:
        """1 in the step (t - step, t] holding an incident's start."""
        starts = [w.start for s, w in self.incidents if s == severity]
        step = self.step
        return lambda: lambda t: float(sum(1 for a in starts if t - step < a <= t))

    def volume_cap(self) -> Factory:
        base, caps = self.baseline.volume_cap, self.caps

        def step(t: float) -> float | None:
            value = base
            for at, ratio in caps:
                if at <= t:
                    value = ratio
            return value

        return lambda: step
