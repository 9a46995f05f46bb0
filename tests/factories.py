"""Small fixture factories for the pure core: launches, frames on a tick grid, outcomes.

Times are minutes from `ORIGIN` (a fixed UTC instant); `minute(m)` is the core's tick (ms).
Series are given either as a list of values per `STEP_S` step from a start minute, or as a
mapping minute → value. `None` is an absent point (no sample), `math.nan` a NaN sample.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

from launchguard.config.domain import Launch, to_domain
from launchguard.config.loader import deep_merge, default_text, parse
from launchguard.core.columns import Context
from launchguard.core.criteria import context as criteria_context
from launchguard.core.criteria import evaluate_all
from launchguard.core.domains import screen_frames
from launchguard.core.engine import Outcome, evaluate_span, grid
from launchguard.core.frames import GLOBAL, Frame, Frames, ScopeKey, Tick, tick
from launchguard.core.verdicts import State, Verdict

ORIGIN = 1_780_272_000  # 2026-06-01T00:00:00Z, unix seconds; minute 0 of every test
STEP_S = 30  # the shipped evaluation interval, seconds
NOW = 120.0  # the evaluation minute of single-time criterion tests

Value = float | None
Points = Sequence[Value] | Mapping[float, Value]
"""Values per step (from a start minute) or minute → value."""


# --- launches -------------------------------------------------------------------------------


def launch(overrides: Mapping[str, Any] | None = None) -> Launch:
    """The shipped defaults with `overrides` deep-merged on top (no environment, no file)."""
    raw = yaml.safe_load(default_text())
    return to_domain(parse(deep_merge(raw, overrides or {}), "<test>"))


DEFAULT = launch()


def with_criterion(name: str, **fields: Any) -> Launch:
    """Defaults with some fields of one criterion changed, e.g. p95_threshold=2500."""
    return launch({"criteria": {name: fields}})


# --- times and series -----------------------------------------------------------------------


def minute(m: float) -> Tick:
    """Minute `m` after ORIGIN as a tick (ms)."""
    return tick(ORIGIN + m * 60)


def unix(m: float) -> float:
    """Minute `m` after ORIGIN as unix seconds (for timestamp-valued signals like cut-offs)."""
    return ORIGIN + m * 60


def series(points: Points, start: float = 0.0, step_s: float = STEP_S) -> dict[Tick, float]:
    """tick → value; `None` points are left out (absent)."""
    if isinstance(points, Mapping):
        pairs: Iterable[tuple[float, Value]] = points.items()
    else:
        pairs = ((start + i * step_s / 60, v) for i, v in enumerate(points))
    return {minute(m): v for m, v in pairs if v is not None}


def ramp(start: float, end: float, first: float = 0.0, slope: float = 1.0) -> dict[float, Value]:
    """A value growing by `slope` per step from minute `start` to `end` (a growing queue)."""
    n = round((end - start) * 60 / STEP_S)
    return {start + i * STEP_S / 60: first + slope * i for i in range(n + 1)}


def constant(value: Value, start: float, end: float) -> dict[float, Value]:
    """The same value at every step from minute `start` to `end` inclusive."""
    n = round((end - start) * 60 / STEP_S)
    return {start + i * STEP_S / 60: value for i in range(n + 1)}


def net(network: str) -> ScopeKey:
    return (("network", network),)


def pair(network: str, name: str) -> ScopeKey:
    return (("network", network), ("pair", name))


def _frame(name: str, scope: tuple[str, ...], by: Mapping[ScopeKey, Points], start: float) -> Frame:
    return Frame(name, scope, {key: series(points, start) for key, points in by.items()})


def frames(
    *,
    passthrough: Mapping[str, Points] | None = None,
    queue: Mapping[str, Points] | None = None,
    completed: Mapping[str, Points] | None = None,
    unsettled: Mapping[tuple[str, str], Points] | None = None,
    cutoff: Mapping[tuple[str, str], Points] | None = None,
    eod_p95: Mapping[str, Points] | None = None,
    webhook_success: Points | None = None,
    dead_letter: Points | None = None,
    sev1: Points | None = None,
    volume_cap: Points | None = None,
    start: float = 0.0,
) -> dict[str, Frame]:
    """Frames under the shipped signal names; per-network signals keyed by network name,
    per-pair ones by (network, pair). A signal not given has no frame at all (absent)."""
    out: dict[str, Frame] = {}
    by_net = {
        "passthrough_p95": passthrough,
        "payout_queue": queue,
        "payouts_completed": completed,
        "eod_p95": eod_p95,
    }
    for name, given in by_net.items():
        if given is not None:
            keyed = {net(n): p for n, p in given.items()}
            out[name] = _frame(name, ("network",), keyed, start)
    for name, by_pair in (("eod_unsettled", unsettled), ("eod_cutoff", cutoff)):
        if by_pair is not None:
            keyed = {pair(n, p): pts for (n, p), pts in by_pair.items()}
            out[name] = _frame(name, ("network", "pair"), keyed, start)
    by_global = {
        "webhook_success": webhook_success,
        "dead_letter": dead_letter,
        "sev1_open": sev1,
        "volume_cap": volume_cap,
    }
    for name, points in by_global.items():
        if points is not None:
            out[name] = _frame(name, (), {GLOBAL: points}, start)
    return out


def merge(*parts: Mapping[str, Frame]) -> dict[str, Frame]:
    """Frames of several factories together; the same signal and scope in two parts joins the
    points (a later part wins on the same tick)."""
    values: dict[str, dict[ScopeKey, dict[Tick, float]]] = {}
    scopes: dict[str, tuple[str, ...]] = {}
    for part in parts:
        for name, frame in part.items():
            scopes[name] = frame.scope
            for key, points in frame.values.items():
                values.setdefault(name, {}).setdefault(key, {}).update(points)
    return {name: Frame(name, scopes[name], by_key) for name, by_key in values.items()}


# --- operand variants at one evaluation time (NOW) ------------------------------------------


def passthrough_case(
    p95_before: Value = 2000.0,
    p95_now: Value = 2000.0,
    queue_before: Value = 10.0,
    queue_now: Value = 20.0,
    network: str = "trc20",
) -> dict[str, Frame]:
    """passthrough_rollback operands: p95@(NOW-15m), p95@NOW, queue@(NOW-30m), queue@NOW.
    The defaults fire (two windows above 1800 s, queue growing)."""
    return frames(
        passthrough={network: {NOW - 15: p95_before, NOW: p95_now}},
        queue={network: {NOW - 30: queue_before, NOW: queue_now}},
    )


def stall_case(
    completed: Value = 0.0,
    queue_before: Value = 10.0,
    queue_now: Value = 20.0,
    network: str = "trc20",
) -> dict[str, Frame]:
    """payout_stall operands: increase(completed[30m])@NOW, queue@(NOW-30m), queue@NOW.
    The defaults fire (nothing completed, queue non-empty and growing)."""
    return frames(
        completed={network: {NOW: completed}},
        queue={network: {NOW - 30: queue_before, NOW: queue_now}},
    )


def eod_pair(
    name: str = "USDT-PLN",
    network: str = "trc20",
    unsettled_before: Value = 5.0,
    unsettled_now: Value = 5.0,
    since_cutoff_min: Value = 120.0,
) -> dict[str, Frame]:
    """One pair's eod_unsettled operands: unsettled@(NOW-15m), unsettled@NOW and a cut-off
    `since_cutoff_min` minutes before NOW (as unix seconds). The defaults fire."""
    cut = None if since_cutoff_min is None else unix(NOW - since_cutoff_min)  # NaN stays NaN
    return frames(
        unsettled={(network, name): {NOW - 15: unsettled_before, NOW: unsettled_now}},
        cutoff={(network, name): {NOW: cut}},
    )


def webhook_case(
    success: Value = 0.9, dead_before: Value = 10.0, dead_now: Value = 20.0
) -> dict[str, Frame]:
    """webhook_rollback operands: success@NOW, dead_letter@(NOW-15m), dead_letter@NOW.
    The defaults fire (success below 0.98, dead letters growing)."""
    return frames(
        webhook_success={NOW: success},
        dead_letter={NOW - 15: dead_before, NOW: dead_now},
    )


def sev1_case(open_sev1: Value = 1.0) -> dict[str, Frame]:
    return frames(sev1={NOW: open_sev1})


# --- contexts, verdicts, outcomes -----------------------------------------------------------


def context(fr: Frames, the_launch: Launch = DEFAULT) -> Context:
    """The criteria's context over `fr`, screened and with the pair index as the engine
    builds them."""
    return criteria_context(the_launch, screen_frames(the_launch, fr))


def verdict_of(verdicts: Iterable[Verdict], criterion: str, scope: ScopeKey = GLOBAL) -> Verdict:
    """The one verdict of `criterion` in `scope`."""
    found = [v for v in verdicts if v.criterion == criterion and v.scope == scope]
    assert len(found) == 1, f"{len(found)} verdicts for {criterion} {scope}"
    return found[0]


def state_at(
    fr: Frames, criterion: str, scope: ScopeKey, at: float = NOW, the_launch: Launch = DEFAULT
) -> State:
    """The state of `criterion` in `scope` at minute `at`, through `evaluate_all`."""
    verdicts = evaluate_all(context(fr, the_launch), the_launch.criteria, minute(at))
    return verdict_of(verdicts, criterion, scope).state


def run(
    fr: Frames,
    start: float,
    end: float,
    report_from: float | None = None,
    the_launch: Launch = DEFAULT,
    step_s: float = STEP_S,
) -> Outcome:
    """`evaluate_span` over minutes start..end (inclusive) every `step_s` seconds."""
    times = grid(ORIGIN + start * 60, ORIGIN + end * 60, step_s)
    origin = start if report_from is None else report_from
    return evaluate_span(the_launch, fr, times, minute(origin))


def codes(spec: str, fired: Value, clear: Value, start: float = 0.0) -> dict[float, Value]:
    """A per-step series from a state string: F → `fired`, C → `clear`, I → absent, N → NaN.

    Spaces are ignored, so "FFFFF CCCCC" reads as ten steps.
    """
    value = {"F": fired, "C": clear, "I": None, "N": math.nan}
    steps = [c for c in spec if c != " "]
    return {start + i * STEP_S / 60: value[c] for i, c in enumerate(steps)}


def sev1_timeline(spec: str, start: float = 0.0) -> dict[str, Frame]:
    """sev1 per step from a state string (F: one SEV1 open, C: none, I: absent, N: NaN)."""
    return frames(sev1=codes(spec, 1.0, 0.0, start))


def stall_timeline(by_network: Mapping[str, str], start: float = 0.0) -> dict[str, Frame]:
    """payout_stall per network per step from state strings: the queue grows by one per step
    (from an hour before `start`), so the state follows `completed` (F: 0, C: 5 completed)."""
    completed: dict[str, Points] = {}
    queue: dict[str, Points] = {}
    for network, spec in by_network.items():
        completed[network] = codes(spec, 0.0, 5.0, start)
        queue[network] = ramp(start - 60, start + len(spec) * STEP_S / 60, first=1.0)
    return frames(completed=completed, queue=queue)


def eod_timeline(by_pair: Mapping[tuple[str, str], str], start: float = 0.0) -> dict[str, Frame]:
    """eod_unsettled per (network, pair) per step from state strings: F → 5 unsettled sessions
    (with 5 already 15 min before `start`), C → 0, I → neither unsettled nor cut-off reported.
    The cut-off is two hours before `start`, so F is past the 90-minute grace."""
    unsettled: dict[tuple[str, str], Points] = {}
    cutoff: dict[tuple[str, str], Points] = {}
    for key, spec in by_pair.items():
        unsettled[key] = {**constant(5.0, start - 15, start), **codes(spec, 5.0, 0.0, start)}
        cutoff[key] = codes(spec, unix(start - 120), unix(start - 120), start)
    return frames(unsettled=unsettled, cutoff=cutoff)


def passthrough_firing(network: str, start: float, end: float) -> dict[str, Frame]:
    """passthrough_rollback fires at every step start..end: p95 2000 s from 15 min before,
    queue growing by one per step from 30 min before."""
    return frames(
        passthrough={network: constant(2000.0, start - 15, end)},
        queue={network: ramp(start - 30, end, first=1.0)},
    )


def webhook_firing(start: float, end: float, success: float = 0.9) -> dict[str, Frame]:
    """webhook success at `success` every step start..end, dead letters growing by one per step
    from 15 min before (fires while `success` < 0.98)."""
    return frames(
        webhook_success=constant(success, start, end),
        dead_letter=ramp(start - 15, end, first=1.0),
    )


def as_minute(t: Tick) -> float:
    """A tick as minutes after ORIGIN (for readable expected values)."""
    return (t - minute(0)) / 60_000
