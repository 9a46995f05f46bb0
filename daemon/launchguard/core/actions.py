"""Action plans: the launch plan's rollback procedure for a decision, and volume levels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from launchguard.config.domain import Launch, PhaseSpan
from launchguard.config.models import ActionPlan, VolumeLevel
from launchguard.core.frames import ABSENT, GLOBAL, Frames, NoData, Reading, ScopeKey, Tick, seconds


@dataclass(frozen=True)
class Action:
    """One step of an action plan, with the English text the warroom reads."""

    step: str
    text: str
    network: str | None = None
    from_level: VolumeLevel | None = None
    to_level: VolumeLevel | None = None


def phase_at(phases: Sequence[PhaseSpan], t: float) -> PhaseSpan | None:
    """The calendar phase containing unix time `t` (start inclusive, end exclusive)."""
    for phase in phases:
        if (phase.start is None or phase.start <= t) and (phase.end is None or t < phase.end):
            return phase
    return None


def level_in_force(
    levels: Sequence[VolumeLevel], cap: Reading, phases: Sequence[PhaseSpan], t: float
) -> VolumeLevel | None:
    """The volume level in force: the cap metric if present, else the phase calendar.

    A cap between two levels counts as the highest level not above it.
    """
    if not isinstance(cap, NoData):
        for level in levels:
            if level.ratio <= cap + 1e-9:
                return level
        return None
    phase = phase_at(phases, t)
    if phase is None:
        return None
    return next((level for level in levels if level.name == phase.level), None)


def level_at(launch: Launch, frames: Frames, t: Tick) -> VolumeLevel | None:
    """The volume level in force at `t`: the value of `launch.volume_cap_signal` in `frames`
    at `t` when it has one, else the phase calendar's (`level_in_force`)."""
    name = launch.config.launch.volume_cap_signal
    frame = frames.get(name) if name else None
    cap = frame.at(GLOBAL, t) if frame is not None else ABSENT
    return level_in_force(launch.levels, cap, launch.phases, seconds(t))


def one_level_down(levels: Sequence[VolumeLevel], current: VolumeLevel) -> VolumeLevel | None:
    """The next level below `current` (levels are listed highest first); None at the bottom."""
    return next((level for level in levels if level.ratio < current.ratio), None)


def plan_actions(
    plan: ActionPlan,
    scope: ScopeKey,
    networks: Sequence[str],
    levels: Sequence[VolumeLevel],
    current: VolumeLevel | None,
) -> tuple[Action, ...]:
    """The concrete steps of `plan` for a decision in `scope`."""
    network = dict(scope).get("network")
    out = []
    for step in plan.steps:
        if step == "freeze_payouts":
            out.append(Action(step, f"Safe-mode: freeze payouts on {network}.", network))
        elif step == "eod_off":
            out.append(Action(step, f"Safe-mode: turn EOD settlement off on {network}.", network))
        elif step == "safe_mode_all_networks":
            names = ", ".join(networks)
            out.append(
                Action(step, f"Safe-mode on every network ({names}): EOD off, payouts frozen.")
            )
        elif step == "notify_partners_webhooks_degraded":
            out.append(
                Action(
                    step,
                    "Notify partners (EN) that webhooks are degraded, with "
                    "replay instructions for missed deliveries.",
                )
            )
        elif step == "volume_step_down":
            out.append(_step_down(levels, current))
    return tuple(out)


def _step_down(levels: Sequence[VolumeLevel], current: VolumeLevel | None) -> Action:
    if current is None:
        return Action(
            "volume_step_down",
            "Volume one level down (the level in force is unknown: "
            "no volume cap metric and no phase calendar).",
        )
    lower = one_level_down(levels, current)
    if lower is None:
        return Action(
            "volume_step_down",
            f"Volume stays at {_fmt(current)}: no lower level.",
            from_level=current,
        )
    return Action(
        "volume_step_down",
        f"Volume one level down: {_fmt(current)} → {_fmt(lower)}.",
        from_level=current,
        to_level=lower,
    )


def _fmt(level: VolumeLevel) -> str:
    return f"{level.name} ({level.ratio:.0%})"
