"""Building blocks of scenario series: seeded noise, counts per step, time windows.

A series is made by a factory returning a `Step`: a function called once per sample time,
in ascending order (unix seconds), holding whatever state the series needs. Gauges return
their value (None: no sample), counters their increment over the step ending at t,
histograms the values observed in that step. Every random draw comes from a generator
seeded by the scenario seed and the series' identity, so a series is the same whichever
order, or output (history file or live exporter), it is generated for.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

Step = Callable[[float], object]
Factory = Callable[[], Step]

_NORMAL_FROM = 15.0  # mean above which a Poisson count is drawn from its normal approximation


def rng(seed: int, *identity: str) -> random.Random:
    """A generator for one series: the same seed and identity give the same draws."""
    return random.Random(f"{seed}/" + "/".join(identity))


def poisson(r: random.Random, mean: float) -> int:
    """A Poisson count (Knuth's method for small means, a rounded normal above 15)."""
    if mean <= 0:
        return 0
    if mean > _NORMAL_FROM:
        return max(0, round(r.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


@dataclass(frozen=True)
class Window:
    """An absolute time span [start, end) (end None: open-ended)."""

    start: float
    end: float | None = None

    def holds(self, t: float) -> bool:
        return self.start <= t and (self.end is None or t < self.end)

    def elapsed(self, t: float) -> float:
        """Seconds since start, capped at the end; 0 before start."""
        if t < self.start:
            return 0.0
        stop = t if self.end is None else min(t, self.end)
        return stop - self.start


def constant(value: float | None) -> Factory:
    return lambda: lambda _t: value


def first_at(at: float, value: float) -> Factory:
    """A gauge absent before `at`, then `value` (a fact such as a timestamp)."""
    return lambda: lambda t: value if t >= at else None
