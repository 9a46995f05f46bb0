"""Signal series as the core sees them: values per scope, keyed by evaluation time.

Times are integer milliseconds (`Tick`), so "the value at t - 15m" is an exact lookup.
A missing value or NaN is `NoData`, a value of its own, never 0. A sample outside its
signal's value domain is screened out of `values` (`core.domains`): it reads as `NoData`
with the reason, and everything that reads `values` sees it as absent.
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
    """An operand that could not be read: absent at that time, NaN, or invalid (outside its
    signal's domain; `detail` says which value and why)."""

    reason: str  # "absent" | "nan" | "invalid"
    detail: str = ""


ABSENT = NoData("absent")
NAN = NoData("nan")

Reading = float | NoData


@dataclass(frozen=True)
class Frame:
    """One signal's values: scope key → {tick: value}. NaN is read as `NAN`.

    `invalid` holds the samples screened out of `values` (scope key → {tick: why}) and
    `screened` the domain they were screened against ("" for none: a frame built by hand)."""

    name: str
    scope: tuple[str, ...]
    values: Mapping[ScopeKey, Mapping[Tick, float]] = field(default_factory=dict)
    invalid: Mapping[ScopeKey, Mapping[Tick, str]] = field(default_factory=dict)
    screened: str = ""

    def at(self, key: ScopeKey, t: Tick) -> Reading:
        """The value for `key` at `t`, or NoData."""
        series = self.values.get(key)
        value = series.get(t) if series is not None else None
        if value is None:
            why = self.invalid.get(key, {}).get(t)
            if why is None:
                return ABSENT
            return NAN if why == "NaN" else NoData("invalid", why)
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
