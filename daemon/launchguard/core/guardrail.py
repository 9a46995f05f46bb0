"""The volume guardrail (seed 002 section 7): the share of the daily target paid out today
must not exceed the cap in force.

"Today" is the launch-zone day (Warsaw midnight to midnight). The volume signal is the
cumulative payout counter, fetched once over the span and `longest_day` before it; today's
volume at t is its increase since the last sample at or before that midnight, resets
counted as Prometheus' `increase()` does (see `counters`). Series absent at t count with
their last value of the same day; no series at all is no data. The cap is the cap signal
(`clubgate_launch_volume_cap_ratio`) when present, else the calendar phase's level.
The verdict is FIRED when paid / target > cap, INCONCLUSIVE when any operand is missing or
the target is not positive. A breach opens a `volume_guardrail` warning (a decision with the
usual lifecycle: it resolves after `clear_for` of clear, e.g. after midnight).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from launchguard.config.domain import Launch
from launchguard.core.actions import phase_at
from launchguard.core.calendar import day_starts
from launchguard.core.counters import increase_since
from launchguard.core.frames import ABSENT, GLOBAL, Frames, NoData, Reading, Tick, seconds, tick
from launchguard.core.verdicts import Observation, State, Verdict

CRITERION = "volume_guardrail"
KIND = "volume_guardrail"


@dataclass(frozen=True)
class Guardrail:
    """Today's paid volume (USD) at each evaluation time, and what it is compared with."""

    launch: Launch
    frames: Frames
    times: Sequence[Tick]
    paid: Sequence[float | None]
    starts: Sequence[Tick]

    def _target(self, t: Tick) -> Reading:
        frame = self.frames.get(self.launch.config.plan.volume_guardrail.target_signal)
        return frame.at(GLOBAL, t) if frame is not None else ABSENT

    def cap(self, t: Tick) -> tuple[float, str] | None:
        """(cap ratio 0..1, where it comes from) at `t`, or None when unknown."""
        name = self.launch.config.launch.volume_cap_signal
        frame = self.frames.get(name) if name else None
        value = frame.at(GLOBAL, t) if frame is not None else ABSENT
        if not isinstance(value, NoData):
            return value, "cap signal"
        phase = phase_at(self.launch.phases, seconds(t))
        if phase is None:
            return None
        level = next((lv for lv in self.launch.levels if lv.name == phase.level), None)
        return (level.ratio, f"calendar phase {phase.name}") if level is not None else None

    def state(self, i: int) -> State:
        t = self.times[i]
        paid, target, cap = self.paid[i], self._target(t), self.cap(t)
        if paid is None or cap is None or isinstance(target, NoData) or target <= 0:
            return State.INCONCLUSIVE
        return State.FIRED if paid / target > cap[0] else State.CLEAR

    def column(self) -> list[State]:
        return [self.state(i) for i in range(len(self.times))]

    def verdict(self, t: Tick) -> Verdict:
        """The verdict at evaluation time `t`, with its evidence."""
        i = bisect.bisect_left(self.times, t)
        settings = self.launch.config.plan.volume_guardrail
        paid = self.paid[i] if i < len(self.times) and self.times[i] == t else None
        target, cap = self._target(t), self.cap(t)
        obs = (
            Observation(settings.volume_signal, GLOBAL, t, 0.0, ABSENT if paid is None else paid),
            Observation(settings.target_signal, GLOBAL, t, 0.0, target),
        )
        detail: dict[str, object] = {
            "paid_today_usd": paid,
            "daily_target_usd": None if isinstance(target, NoData) else target,
            "share": None
            if paid is None or isinstance(target, NoData) or target <= 0
            else paid / target,
            "cap": None if cap is None else cap[0],
            "cap_source": None if cap is None else cap[1],
            "day_start": seconds(self.starts[max(0, bisect.bisect_right(self.starts, t) - 1)])
            if self.starts
            else None,
        }
        thresholds = {} if cap is None else {"cap": cap[0]}
        state = self.state(i) if paid is not None else State.INCONCLUSIVE
        return Verdict(CRITERION, GLOBAL, t, state, obs, thresholds, (detail,))


def prepare(launch: Launch, frames: Frames, times: Sequence[Tick]) -> Guardrail | None:
    """The guardrail over `times`, or None when disabled or no volume was fetched at all."""
    settings = launch.config.plan.volume_guardrail
    volume = frames.get(settings.volume_signal)
    if not settings.enabled or volume is None or not times:
        return None
    first = seconds(times[0]) - settings.longest_day
    starts = [tick(s) for s in day_starts(first, seconds(times[-1]), launch.timezone)]
    per_series = [increase_since(points, starts) for points in volume.values.values()]
    paid: list[float | None] = []
    carry: list[tuple[int, float] | None] = [None] * len(per_series)
    for t in times:
        day = bisect.bisect_right(starts, t) - 1
        total, seen = 0.0, False
        for n, inc in enumerate(per_series):
            value = inc.get(t)
            if value is not None:
                carry[n] = (day, value)
                total, seen = total + value, True
            elif (held := carry[n]) is not None and held[0] == day:
                total += held[1]
        paid.append(total if seen else None)
    return Guardrail(launch, frames, times, paid, starts)


def summary(v: Verdict) -> str:
    """'paid today 1200 USD = 34.3 % of the daily target 3500 USD; cap 30 % (calendar
    phase canary)'."""
    if not v.detail:
        return CRITERION
    d = v.detail[0]
    paid, target, share, cap = d["paid_today_usd"], d["daily_target_usd"], d["share"], d["cap"]
    if not isinstance(share, float):
        return f"paid today {_usd(paid)} USD, daily target {_usd(target)} USD: share unknown"
    text = f"paid today {_usd(paid)} USD = {share:.1%} of the daily target {_usd(target)} USD"
    if isinstance(cap, float):
        text += f"; cap {cap:.0%} ({d['cap_source']})"
    return text


def _usd(value: object) -> str:
    return f"{value:,.0f}" if isinstance(value, float) else "no data"
