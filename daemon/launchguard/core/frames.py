"""Signal series as the core sees them: values per scope, keyed by evaluation time.

Times are integer milliseconds (`Tick`), so "the value at t - 15m" is an exact lookup.
A missing value or NaN is `NoData`, a value of its own, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Tick = int
"""Unix time in milliseconds."""

ScopeKey = tuple[tuple[str, str], ...]
"""Sorted (label, value) pairs of a scope, e.g. (("network", "trc20"),); () is global."""

GLOBAL: ScopeKey = ()


def tick(seconds: float) -> Tick:
    """Unix seconds → milliseconds, rounded."""
    return round(seconds * 1000)


def seconds(t: Tick) -> float:
    return t / 1000.0


def scope_key(labels: Mapping[str, str], scope: Iterable[str]) -> ScopeKey:
    """The scope key of a series: its `scope` labels (missing ones as "")."""
    return tuple(sorted((name, labels.get(name, "")) for name in scope))


@dataclass(frozen=True)
class NoData:
    """An operand that could not be read: absent at that time, or NaN."""

    reason: str  # "absent" | "nan"


ABSENT = NoData("absent")
NAN = NoData("nan")

Reading = float | NoData


@dataclass(frozen=True)
class Frame:
    """One signal's values: scope key → {tick: value}. NaN is kept and read as `NAN`."""

    name: str
    scope: tuple[str, ...]
    values: Mapping[ScopeKey, Mapping[Tick, float]] = field(default_factory=dict)

    def at(self, key: ScopeKey, t: Tick) -> Reading:
        """The value for `key` at `t`, or NoData."""
        series = self.values.get(key)
        if series is None:
            return ABSENT
        value = series.get(t)
        if value is None:
            return ABSENT
        if math.isnan(value):
            return NAN
        return value

    def scopes(self) -> Iterable[ScopeKey]:
        return self.values.keys()


Frames = Mapping[str, Frame]
"""Signal name → frame."""


def frame_from_points(
    name: str,
    scope: tuple[str, ...],
    series: Iterable[tuple[Mapping[str, str], Iterable[tuple[float, float]]]],
) -> Frame:
    """Build a frame from (labels, [(unix seconds, value)]) pairs.

    Series that fall on the same scope key (the query did not aggregate them away) are
    kept apart by nothing: the later one overwrites, so queries must aggregate `by` scope.
    """
    values: dict[ScopeKey, dict[Tick, float]] = {}
    for labels, points in series:
        values.setdefault(scope_key(labels, scope), {}).update(
            {round(t * 1000): v for t, v in points}
        )
    return Frame(name, scope, values)
