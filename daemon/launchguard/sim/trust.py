"""Trust pairs and their end-of-day settlement.

A pair closes `sessions` sessions at each daily cut-off (`cutoff` after the scenario start,
then every 24 h, the previous one 24 h before) and settles them `settle_after` later (±20 %,
fixed per pair and day by the seed). An `eod_stuck` event keeps the sessions of the first
cut-off at or after its `at` unsettled until its `until`, or settles one every
`settle_every`. Sessions of one cut-off do not carry over to the next one.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from launchguard.sim.events import EodStuck
from launchguard.sim.scenario import PairGroup, Scenario
from launchguard.sim.streams import Factory, Step, rng

DAY = 86400.0


@dataclass(frozen=True)
class Stuck:
    until: float | None
    settle_every: float | None
    outcome: str


@dataclass
class Pair:
    network: str
    name: str
    base: float  # unix time of the cut-off of day 0
    settle_after: float
    sessions: int
    step: float
    seed: int
    stuck: dict[int, Stuck] = field(default_factory=dict)  # cut-off index → stuck settlement
    _settles: dict[int, tuple[float | None, str]] = field(default_factory=dict, repr=False)

    def cutoff(self, k: int) -> float:
        return self.base + k * DAY

    def index(self, t: float) -> int:
        """The index of the latest cut-off at or before t."""
        return math.floor((t - self.base) / DAY)

    def settles(self, k: int) -> tuple[float | None, str]:
        """(unix time the sessions of cut-off k are all settled, or None; outcome)."""
        known = self._settles.get(k)
        if known is None:
            known = self._settles[k] = self._settle(k)
        return known

    def _settle(self, k: int) -> tuple[float | None, str]:
        c = self.cutoff(k)
        s = self.stuck.get(k)
        if s is None:
            r = rng(self.seed, "eod", self.network, self.name, str(k))
            jitter = r.uniform(-0.2, 0.2) * self.settle_after
            delay = max(self.step, round((self.settle_after + jitter) / self.step) * self.step)
            return c + delay, "full"
        if s.settle_every is not None:
            return c + self.sessions * s.settle_every, s.outcome
        return s.until, s.outcome

    def unsettled(self, t: float) -> float:
        k = self.index(t)
        c = self.cutoff(k)
        s = self.stuck.get(k)
        if s is not None and s.settle_every is not None:
            return float(max(0, self.sessions - math.floor((t - c) / s.settle_every)))
        done, _ = self.settles(k)
        return float(self.sessions) if done is None or t < done else 0.0

    def settlements(self, first: int) -> Iterator[tuple[float, float, str]]:
        """(settled at, seconds since cut-off, outcome) for cut-offs first, first+1, …"""
        k = first
        while True:
            done, outcome = self.settles(k)
            if done is not None:
                yield done, done - self.cutoff(k), outcome
            k += 1


class TrustModel:
    def __init__(self, scenario: Scenario, start: float) -> None:
        self.start = start
        self.pairs: list[Pair] = []
        for group in scenario.baseline.pairs:
            self.pairs += self._group(scenario, group, start)

    def _group(self, scenario: Scenario, group: PairGroup, start: float) -> list[Pair]:
        pairs = [
            Pair(
                group.network,
                name,
                start + group.cutoff,
                group.settle_after,
                group.sessions,
                scenario.step,
                scenario.seed,
            )
            for name in group.pair_names()
        ]
        for e in scenario.events:
            if not isinstance(e, EodStuck) or e.network != group.network:
                continue
            chosen = [p for p in pairs if e.pairs is None or p.name in e.pairs]
            for p in chosen[: e.count] if e.count else chosen:
                k = math.ceil((start + e.at - p.base) / DAY)
                until = None if e.until is None else start + e.until
                p.stuck[k] = Stuck(until, e.settle_every, e.outcome)
        return pairs

    def of(self, network: str) -> list[Pair]:
        return [p for p in self.pairs if p.network == network]

    def unsettled(self, pair: Pair) -> Factory:
        def make() -> Step:
            # The cut-off in force changes once a day: look it up only when t leaves it.
            lo, hi, done, every = math.inf, -math.inf, None, None
            sessions = float(pair.sessions)

            def step(t: float) -> float:
                nonlocal lo, hi, done, every
                if not lo <= t < hi:
                    k = pair.index(t)
                    lo, hi = pair.cutoff(k), pair.cutoff(k + 1)
                    stuck = pair.stuck.get(k)
                    every = stuck.settle_every if stuck is not None else None
                    done = pair.settles(k)[0]
                if every is not None:
                    return pair.unsettled(t)
                return sessions if done is None or t < done else 0.0

            return step

        return make

    def cutoff(self, pair: Pair) -> Factory:
        def make() -> Step:
            lo, hi = math.inf, -math.inf

            def step(t: float) -> float:
                nonlocal lo, hi
                if not lo <= t < hi:
                    k = pair.index(t)
                    lo, hi = pair.cutoff(k), pair.cutoff(k + 1)
                return lo

            return step

        return make

    def _events(self, network: str) -> Iterator[tuple[float, float, str]]:
        streams = [p.settlements(p.index(self.start) - 1) for p in self.of(network)]
        return heapq.merge(*streams)

    def observations(self, network: str, outcome: str | None = None) -> Factory:
        """Settlement durations (seconds) of the network's pairs completed in (t - step, t]
        at or after the scenario start; only those of `outcome` when given."""

        def make() -> Step:
            events = self._events(network)
            pending = next(events, None)

            def step(t: float) -> list[float]:
                nonlocal pending
                out = []
                while pending is not None and pending[0] <= t:
                    if pending[0] >= self.start and (outcome is None or pending[2] == outcome):
                        out.append(pending[1])
                    pending = next(events, None)
                return out

            return step

        return make

    def settlement_count(self, network: str, outcome: str) -> Factory:
        obs = self.observations(network, outcome)

        def make() -> Step:
            step = obs()
            return lambda t: float(len(step(t)))  # type: ignore[arg-type]

        return make
