"""Go/No-Go (DESIGN §3) in the pure core: promote one volume level up only when every SLO was
met over the window (at least `min_met_share` of the evaluations, in every scope), no
rollback decision was open in it, no SEV1/SEV2 was declared in it, and no rollback criterion
fires or is inconclusive at the decision time ("GO blockers"); otherwise No-Go, with every
reason.

The window is minutes 0…60 after ORIGIN at 30 s steps (121 evaluations) with the canary
cap (0.3) in force, so a promote means canary → full.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from launchguard.config.domain import Launch
from launchguard.core.checklist import ItemStatus
from launchguard.core.engine import evaluate_span, grid
from launchguard.core.frames import Frame, tick
from launchguard.core.gonogo import NO_GO, PROMOTE, Assessment, assess
from launchguard.output.timefmt import in_zone

from factories import (
    ORIGIN,
    codes,
    constant,
    frames,
    launch,
    merge,
    minute,
    net,
    series,
    unix,
)

END = 60.0
NETWORKS = ("erc20", "trc20")
Frames = dict[str, Frame]


def incidents(declared: Mapping[str, Mapping[float, float]] | None = None) -> Frames:
    """`incidents_declared` counters per severity: 0 before minute 0, then +1 at each given
    minute (one entry per declared incident)."""
    by: dict[str, dict[float, float]] = {}
    for severity in ("sev1", "sev2", "sev3"):
        steps = constant(0.0, -1, END)
        count = 0.0
        for m in sorted(steps):
            count += (declared or {}).get(severity, {}).get(m, 0.0)
            steps[m] = count
        by[severity] = {k: v for k, v in steps.items() if v is not None}
    frame = Frame(
        "incidents_declared",
        ("severity",),
        {(("severity", s),): series(points) for s, points in by.items()},
    )
    return {"incidents_declared": frame}


def healthy(**changes: Any) -> Frames:
    """Every SLO met, every rollback criterion clear, over minutes -60…60."""
    given: dict[str, Any] = {
        "passthrough": {n: constant(300.0, -60, END) for n in NETWORKS},
        "eod_p95": {n: constant(1500.0, -60, END) for n in NETWORKS},
        "queue": {n: constant(5.0, -60, END) for n in NETWORKS},
        "completed": {n: constant(20.0, -60, END) for n in NETWORKS},
        "unsettled": {(n, f"{n}-pair"): constant(0.0, -60, END) for n in NETWORKS},
        "cutoff": {(n, f"{n}-pair"): constant(unix(-120), -60, END) for n in NETWORKS},
        "webhook_success": constant(0.999, -60, END),
        "dead_letter": constant(0.0, -60, END),
        "sev1": constant(0.0, -60, END),
        "volume_cap": constant(0.3, -60, END),
    }
    given.update(changes)
    return frames(**given)


def decide(
    fr: Frames, the_launch: Launch | None = None, checklist: tuple[ItemStatus, ...] = ()
) -> Assessment:
    the_launch = the_launch or launch()
    times = grid(ORIGIN - 3600, ORIGIN + END * 60, 30.0)
    out = evaluate_span(the_launch, fr, times, minute(0))
    local = in_zone(the_launch)
    return assess(the_launch, fr, times, out.decisions, out.verdicts, ORIGIN, local, checklist)


def with_passthrough(network: str, spec: str) -> Callable[[], Frames]:
    """trc20's p95 per step from minute 0 (F: 1000 s, over the 900 s objective; C: 300 s)."""

    def make() -> Frames:
        other = [n for n in NETWORKS if n != network]
        points = {**constant(300.0, -60, 0), **codes(spec, 1000.0, 300.0)}
        return merge(
            healthy(passthrough={**{n: constant(300.0, -60, END) for n in other}, network: points}),
            incidents(),
        )

    return make


ALL_CLEAR = "C" * 121
ONE_BREACH = "C" * 60 + "F" + "C" * 60


CASES: list[Any] = [
    pytest.param(
        lambda: merge(healthy(), incidents()),
        {},
        [],
        id="every SLO met, nothing open, no incident: promote",
    ),
    pytest.param(
        lambda: merge(healthy(), incidents({"sev3": {30.0: 1.0}})),
        {},
        [],
        id="a SEV3 declared does not block the promote",
    ),
    pytest.param(
        with_passthrough("trc20", ONE_BREACH),
        {},
        [
            "SLO passthrough_p95 [network=trc20] met at 120 of 121 evaluations"
            " (1 breached, 0 without data); at least 100% required"
        ],
        id="one breached evaluation of 121 is a No-Go when every evaluation must be met",
    ),
    pytest.param(
        with_passthrough("trc20", ONE_BREACH),
        {"plan": {"gonogo": {"min_met_share": 0.99}}},
        [],
        id="one breached evaluation of 121 is still a promote at a 99 % share",
    ),
    pytest.param(
        with_passthrough("erc20", "I" * 21 + "C" * 100),
        {"plan": {"gonogo": {"min_met_share": 0.8}}},
        [],
        id="evaluations without data count against the share, here still above 80 %",
    ),
    pytest.param(
        with_passthrough("erc20", "I" * 31 + "C" * 90),
        {"plan": {"gonogo": {"min_met_share": 0.8}}},
        [
            "SLO passthrough_p95 [network=erc20] met at 90 of 121 evaluations"
            " (0 breached, 31 without data); at least 80% required"
        ],
        id="no data is never met: 31 evaluations without data fall under 80 %",
    ),
    pytest.param(
        lambda: merge(healthy(), incidents({"sev2": {20.0: 1.0}})),
        {},
        ["1 SEV2 incident(s) declared in the window"],
        id="a SEV2 declared in the window is a No-Go",
    ),
    pytest.param(
        lambda: merge(healthy(), incidents({"sev1": {5.0: 1.0}, "sev2": {6.0: 1.0, 7.0: 1.0}})),
        {},
        ["1 SEV1 incident(s) declared in the window", "2 SEV2 incident(s) declared in the window"],
        id="SEV1 and SEV2 incidents are each a reason",
    ),
    pytest.param(
        lambda: healthy(),
        {},
        ["no incident data: cannot confirm that no SEV1/SEV2 was declared"],
        id="no incident data is a No-Go, never an all clear",
    ),
    pytest.param(
        lambda: merge(healthy(volume_cap=constant(1.0, -60, END)), incidents()),
        {},
        ["no volume level above the one in force (or the level is unknown)"],
        id="at full volume there is no level to promote to",
    ),
]


@pytest.mark.parametrize(("make", "overrides", "reasons"), CASES)
def test_promote_only_when_everything_held_over_the_window(
    make: Callable[[], Frames], overrides: dict[str, Any], reasons: list[str]
) -> None:
    result = decide(make(), launch(overrides))
    assert list(result.reasons) == reasons
    assert result.recommendation == (NO_GO if reasons else PROMOTE)
    if reasons:
        assert result.decision is None
    else:
        assert result.decision is not None
        assert (result.decision.kind, result.decision.opened_at) == ("promote", minute(END))
        [step] = result.decision.actions
        assert step.step == "volume_step_up"
        assert (step.from_level, step.to_level) == (result.level, result.next_level)
        assert result.level is not None and result.next_level is not None
        assert (result.level.name, result.next_level.name) == ("canary", "full")


def trc20_stall(completed: dict[float, float], queue: dict[float, float]) -> Frames:
    """Healthy but for trc20's completed payouts and queue (from minute -60 to END)."""
    return merge(
        healthy(
            completed={"erc20": constant(20.0, -60, END), "trc20": completed},
            queue={"erc20": constant(5.0, -60, END), "trc20": queue},
        ),
        incidents(),
    )


# ORIGIN is midnight UTC on 1 June: 02:00 CEST in the launch's zone.
STALLS: list[Any] = [
    pytest.param(
        # trc20 stalls from minute 5 to 10: nothing completes, queue growing. Confirmed at
        # minute 5.5, clear from 10.5 for the 15 minutes resolution needs: resolved at 25.5.
        {**constant(20.0, -60, 5), **constant(0.0, 5.5, 10), **constant(20.0, 10.5, END)},
        {
            **constant(5.0, -60, -25),
            **{m: 5.0 + (m + 25) for m in constant(0, -24.5, 10)},
            **constant(40.0, 10.5, END),
        },
        ["was open from 2026-06-01 02:05:30 CEST to 2026-06-01 02:25:30 CEST"],
        id="a rollback resolved inside the window is a no-go that says when it was open",
    ),
    pytest.param(
        # trc20 completes nothing from minute 40.5 on while its queue grows from minute 10.5.
        {**constant(20.0, -60, 40), **constant(0.0, 40.5, END)},
        {**constant(5.0, -60, 10), **{m: 5.0 + (m - 10) for m in constant(0, 10.5, END)}},
        [
            "open since 2026-06-01 02:40:30 CEST",
            "GO blocker: payout_stall [network=trc20] is fired at the decision time",
        ],
        id="a rollback still open at the decision time says since when",
    ),
]


@pytest.mark.parametrize(("completed", "queue", "said"), STALLS)
def test_a_rollback_open_in_the_window_is_a_no_go_even_once_resolved(
    completed: dict[float, float], queue: dict[float, float], said: list[str]
) -> None:
    result = decide(trc20_stall(completed, queue))
    [rollback] = result.rollbacks
    assert rollback.criterion == "payout_stall" and rollback.scope == net("trc20")
    head = f"rollback decision {rollback.id} (payout_stall [network=trc20]) "
    assert list(result.reasons) == [head + said[0], *said[1:]]


def test_rollback_criteria_not_clear_at_the_decision_time_are_go_blockers() -> None:
    # SEV1 data stops a minute before the decision: the criterion is inconclusive.
    fr = merge(healthy(sev1={**constant(0.0, -60, END - 1)}), incidents())
    result = decide(fr)
    assert result.recommendation == NO_GO
    assert [(v.criterion, v.state.value) for v in result.blockers] == [("sev1", "inconclusive")]
    assert list(result.reasons) == [
        "GO blocker: sev1 [global] is inconclusive at the decision time"
    ]


def test_the_window_length_is_config_data() -> None:
    # A breach at minute 10 is outside a 30-minute window ending at minute 60.
    fr = with_passthrough("trc20", "C" * 20 + "F" + "C" * 100)()
    the_launch = launch({"plan": {"gonogo": {"window": "30m"}}})
    times = grid(ORIGIN - 3600, ORIGIN + END * 60, 30.0)
    start = ORIGIN + (END - 30) * 60
    out = evaluate_span(the_launch, fr, times, tick(start))
    result = assess(the_launch, fr, times, out.decisions, out.verdicts, start, in_zone(the_launch))
    assert result.recommendation == PROMOTE
    assert {c.evaluations for c in result.slos} == {61}
