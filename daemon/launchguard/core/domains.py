"""Samples screened against their signals' value domains (DESIGN §1).

A sample outside its signal's domain (±Inf, NaN, a ratio outside [0, 1], a negative duration
or count, a timestamp that is not a plausible time) is invalid and counts as absent: it is
moved out of the frame's `values` into `invalid`, with the reason. Every rule, SLO, counter
and ticket fact reads `values`, so none decides on such a sample or computes with it (no
overflow from an infinite cut-off), and `Frame.at` shows the reason in the evidence.
The engine screens whatever frames it is given; the fetchers screen what they build, so the
engine's pass finds them done.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from launchguard.config.domain import Launch
from launchguard.config.valuedomains import DomainSettings, ValueDomain, value_domain
from launchguard.core.frames import Frame, Frames, ScopeKey, Tick

FINITE = value_domain("gauge", DomainSettings())
"""The domain of a frame no signal of the config names: any finite number."""


def _mark(domain: ValueDomain) -> str:
    return f"{domain.kind}[{domain.low!r}, {domain.high!r}]"


def screen(frame: Frame, domain: ValueDomain) -> Frame:
    """`frame` with its samples outside `domain` moved to `invalid` (scopes are kept, even
    when none of their samples is valid). A frame already screened against `domain` is
    returned as is."""
    mark = _mark(domain)
    if frame.screened == mark:
        return frame
    low, high = domain.low, domain.high
    values: dict[ScopeKey, Mapping[Tick, float]] = {}
    invalid: dict[ScopeKey, dict[Tick, str]] = {k: dict(v) for k, v in frame.invalid.items()}
    for key, series in frame.values.items():
        if _all_inside(series.values(), low, high):  # the common case, kept as is
            values[key] = series
            continue
        kept: dict[Tick, float] = {}
        for t, v in series.items():
            why = domain.why_invalid(v)
            if why is None:
                kept[t] = v
            else:
                invalid.setdefault(key, {})[t] = why
        values[key] = kept
    return Frame(frame.name, frame.scope, values, invalid, mark)


def _all_inside(values: Collection[float], low: float, high: float) -> bool:
    """Whether every value is in [low, high], in three C loops: a NaN anywhere makes the sum
    NaN (min and max would pass over it); ±Inf is outside the finite bounds."""
    if not values:
        return True
    total = sum(values)
    return total == total and low <= min(values) and max(values) <= high


def screen_frames(launch: Launch, frames: Frames) -> dict[str, Frame]:
    """Every frame screened against its signal's domain (an unknown signal's: finite)."""
    out = {}
    for name, frame in frames.items():
        signal = launch.signals.get(name)
        out[name] = screen(frame, signal.domain if signal is not None else FINITE)
    return out


def invalid_counts(frames: Frames, first: Tick, last: Tick) -> dict[str, int]:
    """signal → how many of its samples at times in [first, last] are invalid (signals
    without any left out)."""
    out = {}
    for name, frame in frames.items():
        n = sum(1 for series in frame.invalid.values() for t in series if first <= t <= last)
        if n:
            out[name] = n
    return out
