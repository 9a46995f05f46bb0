"""The payout side of a scenario, per network: completions, pass-through, queue, reserves.

Each method returns a series factory (see `sim.streams`). Completions are drawn per
(network, asset) from their own seeded generator, and every series built on them
(pass-through histogram, completed counter, USD volume) replays the same draws, so the
histogram's count and the completed counter agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from launchguard.sim.events import (
    Noise,
    PassthroughDegradation,
    PayoutStall,
    QueueDrain,
    QueueGrowth,
)
from launchguard.sim.scenario import NetworkSpec, Scenario
from launchguard.sim.streams import Factory, Step, Window, poisson, rng


@dataclass(frozen=True)
class Growth:
    """A queue contribution growing `per_minute` over `window`, then held/reset/drained."""

    window: Window
    per_minute: float
    after: str

    def at(self, t: float) -> float:
        w = self.window
        if t < w.start:
            return 0.0
        if w.end is None or t < w.end:
            return self.per_minute * (t - w.start) / 60.0
        peak = self.per_minute * (w.end - w.start) / 60.0
        if self.after == "hold":
            return peak
        if self.after == "drain":
            return max(0.0, peak - self.per_minute * (t - w.end) / 60.0)
        return 0.0


@dataclass(frozen=True)
class Degradation:
    window: Window
    assets: frozenset[str] | None
    mu: float
    sigma: float
    share: float


class NetworkModel:
    """One network of a scenario anchored at `start` (unix seconds)."""

    def __init__(self, scenario: Scenario, spec: NetworkSpec, start: float) -> None:
        self.spec = spec
        self.seed = scenario.seed
        self.step = scenario.step
        total = sum(spec.assets.values()) or 1.0
        self.shares = {asset: share / total for asset, share in spec.assets.items()}
        mine = [e for e in scenario.events if getattr(e, "network", spec.name) == spec.name]

        def window(e: PassthroughDegradation | PayoutStall | QueueGrowth | QueueDrain) -> Window:
            return Window(start + e.at, None if e.until is None else start + e.until)

        self.stalls = [window(e) for e in mine if isinstance(e, PayoutStall)]
        self.stuck = [(window(e), e.stuck_transactions) for e in mine if isinstance(e, PayoutStall)]
        self.growths = [
            Growth(window(e), e.per_minute, e.after) for e in mine if isinstance(e, QueueGrowth)
        ] + [
            Growth(window(e), e.queue_per_minute, e.after)
            for e in mine
            if isinstance(e, PayoutStall)
        ]
        self.drains = [
            (window(e), e.depth, e.per_minute) for e in mine if isinstance(e, QueueDrain)
        ]
        self.noise = [
            (Window(start + e.at, None if e.until is None else start + e.until), e.queue)
            for e in mine
            if isinstance(e, Noise)
        ]
        self.degradations = [
            Degradation(
                window(e),
                frozenset(e.assets) if e.assets else None,
                math.log(e.median),
                e.spread,
                e.share,
            )
            for e in mine
            if isinstance(e, PassthroughDegradation)
        ]

    def completions(self, asset: str) -> Factory:
        """Payouts of `asset` completed in the step ending at t (0 while stalled)."""
        mean = self.spec.payouts_per_minute * self.shares[asset] * self.step / 60.0
        stalls = self.stalls

        def make() -> Step:
            r = rng(self.seed, "completions", self.spec.name, asset)

            def step(t: float) -> float:
                n = poisson(r, mean)  # drawn even while stalled: the draws stay aligned
                return 0.0 if any(w.holds(t) for w in stalls) else float(n)

            return step

        return make

    def completed(self) -> Factory:
        parts = [self.completions(asset) for asset in self.shares]

        def make() -> Step:
            steps = [p() for p in parts]
            return lambda t: sum(s(t) for s in steps)  # type: ignore[misc]

        return make

    def volume(self, asset: str) -> Factory:
        count, usd = self.completions(asset), self.spec.usd_per_payout

        def make() -> Step:
            step = count()
            return lambda t: step(t) * usd  # type: ignore[operator]

        return make

    def passthrough(self, asset: str) -> Factory:
        """The pass-through values (seconds) of the payouts completed in the step."""
        count = self.completions(asset)
        base_mu, base_sigma = math.log(self.spec.passthrough.median), self.spec.passthrough.spread
        mine = [d for d in self.degradations if d.assets is None or asset in d.assets]

        def make() -> Step:
            n_at = count()
            r = rng(self.seed, "passthrough", self.spec.name, asset)

            def step(t: float) -> Sequence[float]:
                n = int(n_at(t))  # type: ignore[call-overload]
                active = [d for d in mine if d.window.holds(t)]
                out = []
                for _ in range(n):
                    mu, sigma = base_mu, base_sigma
                    for d in active:
                        if r.random() < d.share:
                            mu, sigma = d.mu, d.sigma
                    out.append(r.lognormvariate(mu, sigma))
                return out

            return step

        return make

    def queue(self) -> Factory:
        """Baseline depth + growths + backlogs + noise, a whole number ≥ 0."""
        depth, base_noise = self.spec.queue.depth, self.spec.queue.noise

        def make() -> Step:
            r = rng(self.seed, "queue", self.spec.name)

            def step(t: float) -> float:
                extra = sum(g.at(t) for g in self.growths)
                for w, backlog, rate in self.drains:
                    if w.holds(t):
                        extra += max(0.0, backlog - rate * (t - w.start) / 60.0)
                noise = math.sqrt(base_noise**2 + sum(a**2 for w, a in self.noise if w.holds(t)))
                jitter = r.gauss(0.0, noise) if noise > 0 else 0.0
                return float(max(0, round(depth + extra + jitter)))

            return step

        return make

    def stuck_transactions(self) -> Factory:
        base = self.spec.stuck_transactions

        def make() -> Step:
            return lambda t: base + sum(n for w, n in self.stuck if w.holds(t))

        return make

    def reserve(self, value: float, identity: str) -> Factory:
        """A slowly wandering level (±1 % noise), e.g. a gas reserve or a hot balance."""

        def make() -> Step:
            r = rng(self.seed, "reserve", self.spec.name, identity)
            return lambda _t: round(value * (1.0 + r.gauss(0.0, 0.01)), 2)

        return make
