"""Decisions over a span of evaluations, against DESIGN §1 "Decisions".

State strings give one evaluation per 30 s step from minute 0: F fired, C clear, I absent,
N NaN. Expected times are minutes after ORIGIN, reasoned from the contract: a decision opens
at its first fired evaluation and resolves at the first evaluation after 15 minutes of
unbroken clear, i.e. 15 min after the first clear evaluation c of the run (step 30 s).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from launchguard.config.domain import Launch
from launchguard.core.decisions import Decision, decision_id
from launchguard.core.engine import Outcome
from launchguard.core.frames import GLOBAL, Frame, ScopeKey

from factories import (
    ORIGIN,
    as_minute,
    constant,
    eod_timeline,
    frames,
    launch,
    merge,
    minute,
    net,
    passthrough_firing,
    run,
    sev1_timeline,
    stall_timeline,
    webhook_firing,
)

Lifecycle = list[tuple[float, float | None]]
"""(opened, resolved or None) per decision, in minutes after ORIGIN."""

ERC20, TRC20 = net("erc20"), net("trc20")
PAIR = ("trc20", "USDT-PLN")


def decisions_of(outcome: Outcome, criterion: str, scope: ScopeKey = GLOBAL) -> list[Decision]:
    return [d for d in outcome.decisions if d.criterion == criterion and d.scope == scope]


def lifecycle(outcome: Outcome, criterion: str, scope: ScopeKey = GLOBAL) -> Lifecycle:
    return [
        (as_minute(d.opened_at), None if d.resolved_at is None else as_minute(d.resolved_at))
        for d in decisions_of(outcome, criterion, scope)
    ]


def end_of(spec: str) -> float:
    """The minute of the last step of a state string."""
    return (len(spec.replace(" ", "")) - 1) * 0.5


# --- lifecycle ------------------------------------------------------------------------------

LIFECYCLE = [
    pytest.param(
        "F" * 10 + "C" * 40,
        [(0.0, 20.0)],
        id="resolves 15 min after the first clear evaluation (clear from 5, resolved at 20)",
    ),
    pytest.param(
        "F" * 10 + "C" * 30,
        [(0.0, None)],
        id="14.5 clear minutes are not enough to resolve",
    ),
    pytest.param(
        "C" * 10 + "F" * 20 + "C" * 10,
        [(5.0, None)],
        id="opens once, at the first fired evaluation, however long it fires",
    ),
    pytest.param(
        "F" + "C" * 31,
        [(0.0, 15.5)],
        id="a single fired evaluation resolves 15 min after the next, clear one",
    ),
    pytest.param(
        "F" * 10 + "C" * 10 + "I" + "C" * 40,
        [(0.0, 25.5)],
        id="an absent evaluation in the clear run restarts the 15 minutes",
    ),
    pytest.param(
        "F" * 10 + "C" * 10 + "N" + "C" * 40,
        [(0.0, 25.5)],
        id="a NaN evaluation in the clear run restarts the 15 minutes",
    ),
    pytest.param(
        "F" * 10 + "C" * 10 + "F" + "C" * 40,
        [(0.0, 25.5)],
        id="firing again in the clear run restarts the 15 minutes of the same decision",
    ),
    pytest.param(
        "F" * 10 + "I" * 120,
        [(0.0, None)],
        id="a decision stays open through an hour of missing data",
    ),
    pytest.param(
        "F" * 10 + "I" * 40 + "C" * 31,
        [(0.0, 40.0)],
        id="clear minutes count only from when the data returns (clear from 25, resolved at 40)",
    ),
    pytest.param(
        "F" * 10 + "C" * 31 + "F" * 4 + "C" * 10,
        [(0.0, 20.0), (20.5, None)],
        id="firing after resolving opens a new decision",
    ),
    pytest.param("I" * 40 + "N" * 40, [], id="missing data never opens a decision"),
    pytest.param("C" * 60, [], id="clear all along opens nothing"),
]


@pytest.mark.parametrize(("spec", "expected"), LIFECYCLE)
def test_decision_lifecycle(spec: str, expected: Lifecycle) -> None:
    outcome = run(sev1_timeline(spec), 0, end_of(spec))
    assert lifecycle(outcome, "sev1") == expected


def test_lifecycle_transitions_are_reported_at_their_times() -> None:
    spec = "F" * 10 + "C" * 40
    outcome = run(sev1_timeline(spec), 0, end_of(spec))
    events = [
        (as_minute(t), tr.event) for t, tr in outcome.transitions if tr.decision.criterion == "sev1"
    ]
    assert events == [(0.0, "opened"), (20.0, "resolved")]


def test_clear_time_comes_from_config() -> None:
    """clear_for 5m: clear from minute 5, resolved at minute 10."""
    spec = "F" * 10 + "C" * 20
    outcome = run(
        sev1_timeline(spec), 0, end_of(spec), the_launch=launch({"evaluation": {"clear_for": "5m"}})
    )
    assert lifecycle(outcome, "sev1") == [(0.0, 10.0)]


def test_with_a_coarse_step_it_resolves_at_the_first_evaluation_15_min_after_clearing() -> None:
    """Every 7 min: fired at 0, clear from 7; at 21 only 14 min have passed, so 28."""
    fr = frames(sev1={0: 1.0, 7: 0.0, 14: 0.0, 21: 0.0, 28: 0.0, 35: 0.0})
    outcome = run(fr, 0, 35, step_s=7 * 60)
    assert lifecycle(outcome, "sev1") == [(0.0, 28.0)]


def test_an_open_eod_decision_stays_open_through_a_trust_data_gap() -> None:
    """Fired 0..9.5, then 40 min with no Trust samples. From minute 25 not even
    unsettled@(t-15m) exists; the core calls that clear and resolves at 40."""
    spec = "F" * 20 + "I" * 80
    outcome = run(eod_timeline({PAIR: spec}), 0, end_of(spec))
    assert lifecycle(outcome, "eod_unsettled", TRC20) == [(0.0, None)]


# --- ids ------------------------------------------------------------------------------------


def ids(outcome: Outcome) -> list[str]:
    return [d.id for d in outcome.decisions]


def busy_history() -> dict[str, Frame]:
    return merge(
        sev1_timeline("C" * 4 + "F" * 10 + "C" * 40 + "F" * 6),
        stall_timeline({"erc20": "F" * 60, "trc20": "C" * 20 + "F" * 40}),
    )


def test_the_same_history_twice_gives_the_same_ids() -> None:
    first, second = run(busy_history(), 0, 29.5), run(busy_history(), 0, 29.5)
    assert len(first.decisions) >= 4
    assert ids(first) == ids(second)


def test_a_replay_from_an_earlier_start_gives_the_same_ids() -> None:
    """A restart backtests a longer horizon: the same openings give the same ids."""
    short = run(busy_history(), 0, 29.5)
    long = run(busy_history(), -60, 29.5, report_from=0)
    assert ids(short) == ids(long)


def test_a_different_opening_time_gives_a_different_id() -> None:
    early = decisions_of(run(sev1_timeline("F" * 4), 0, 1.5), "sev1")
    late = decisions_of(run(sev1_timeline("C" + "F" * 3), 0, 1.5), "sev1")
    assert [as_minute(d.opened_at) for d in early + late] == [0.0, 0.5]
    assert early[0].id != late[0].id


def test_each_scope_gets_its_own_decision_and_id() -> None:
    outcome = run(stall_timeline({"erc20": "F" * 4, "trc20": "F" * 4}), 0, 1.5)
    erc, trc = (
        decisions_of(outcome, "payout_stall", ERC20),
        decisions_of(outcome, "payout_stall", TRC20),
    )
    assert len(erc) == len(trc) == 1
    assert erc[0].id != trc[0].id


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param(("sev1", GLOBAL, 5), ("sev1", GLOBAL, 5), True, id="same inputs, same id"),
        pytest.param(("sev1", GLOBAL, 5), ("sev1", GLOBAL, 6), False, id="other time, other id"),
        pytest.param(
            ("payout_stall", ERC20, 5),
            ("payout_stall", TRC20, 5),
            False,
            id="other scope, other id",
        ),
        pytest.param(
            ("payout_stall", TRC20, 5),
            ("passthrough_rollback", TRC20, 5),
            False,
            id="other criterion, other id",
        ),
    ],
)
def test_decision_id_is_a_function_of_criterion_scope_and_opening(
    a: tuple[str, ScopeKey, float], b: tuple[str, ScopeKey, float], same: bool
) -> None:
    id_a = decision_id(a[0], a[1], minute(a[2]))
    id_b = decision_id(b[0], b[1], minute(b[2]))
    assert (id_a == id_b) is same


# --- kinds and action plans -----------------------------------------------------------------

KINDS = [
    pytest.param(
        passthrough_firing("trc20", 0, 2),
        "passthrough_rollback",
        TRC20,
        "partial_rollback",
        {"freeze_payouts", "volume_step_down"},
        id="passthrough rollback freezes payouts on its network and steps volume down",
    ),
    pytest.param(
        stall_timeline({"trc20": "F" * 5}),
        "payout_stall",
        TRC20,
        "partial_rollback",
        {"freeze_payouts", "volume_step_down"},
        id="payout stall freezes payouts on its network and steps volume down",
    ),
    pytest.param(
        eod_timeline({PAIR: "F" * 5}),
        "eod_unsettled",
        TRC20,
        "partial_rollback",
        {"eod_off", "volume_step_down"},
        id="unsettled EOD turns EOD off on its network and steps volume down",
    ),
    pytest.param(
        webhook_firing(0, 2),
        "webhook_rollback",
        GLOBAL,
        "partial_rollback",
        {"volume_step_down", "notify_partners_webhooks_degraded"},
        id="webhook rollback steps volume down and notifies partners",
    ),
    pytest.param(
        sev1_timeline("F" * 5),
        "sev1",
        GLOBAL,
        "full_rollback",
        {"safe_mode_all_networks", "volume_step_down"},
        id="sev1 is a full rollback: safe-mode on every network and volume down",
    ),
    pytest.param(
        frames(passthrough={"trc20": constant(1000.0, 0, 2)}),
        "passthrough_p95",
        TRC20,
        "slo_breach",
        set(),
        id="p95 pass-through of 1000 s breaches its 900 s SLO as a warning",
    ),
    pytest.param(
        frames(eod_p95={"erc20": constant(4000.0, 0, 2)}),
        "eod_p95",
        ERC20,
        "slo_breach",
        set(),
        id="p95 EOD of 4000 s breaches its 3600 s SLO as a warning",
    ),
    pytest.param(
        webhook_firing(0, 2, success=0.985),
        "webhook_success",
        GLOBAL,
        "slo_breach",
        set(),
        id="webhook success of 98.5 % breaches its 99 % SLO as a warning",
    ),
]


@pytest.mark.parametrize(("fr", "criterion", "scope", "kind", "steps"), KINDS)
def test_kind_and_action_plan(
    fr: dict[str, Frame], criterion: str, scope: ScopeKey, kind: str, steps: set[str]
) -> None:
    (decision,) = decisions_of(run(fr, 0, 2), criterion, scope)
    assert decision.kind == kind
    assert {a.step for a in decision.actions} == steps
    network = dict(scope).get("network")
    for action in decision.actions:
        if action.step in {"freeze_payouts", "eod_off"}:
            assert action.network == network
            assert network is not None and network in action.text
        if action.step == "safe_mode_all_networks":
            assert "erc20" in action.text and "trc20" in action.text


@pytest.mark.parametrize(
    ("fr", "slo", "scope"),
    [
        pytest.param(
            frames(
                passthrough={"trc20": constant(1000.0, -15, 2)},
                queue={"trc20": constant(5, -30, 2)},
            ),
            "passthrough_p95",
            TRC20,
            id="a p95 of 1000 s breaches the SLO but is no passthrough rollback",
        ),
        pytest.param(
            webhook_firing(0, 2, success=0.985),
            "webhook_success",
            GLOBAL,
            id="webhook success of 98.5 % breaches the SLO but is no webhook rollback",
        ),
    ],
)
def test_slo_breaches_are_warnings_not_rollbacks(
    fr: dict[str, Frame], slo: str, scope: ScopeKey
) -> None:
    outcome = run(fr, 0, 2)
    assert [d.kind for d in outcome.decisions] == ["slo_breach"]
    assert decisions_of(outcome, slo, scope)


# --- all_networks escalation ----------------------------------------------------------------

ESCALATION = [
    pytest.param(
        stall_timeline({"erc20": "F" * 81, "trc20": "C" * 20 + "F" * 20 + "C" * 41}),
        40.0,
        [(10.0, 35.0)],
        id="opens when the second network stalls (10) and resolves with its stall (clear 20 + 15)",
    ),
    pytest.param(
        merge(stall_timeline({"erc20": "F" * 21}), eod_timeline({PAIR: "C" * 10 + "F" * 11})),
        10.0,
        [(5.0, None)],
        id="different partial rollbacks on each network escalate too",
    ),
    pytest.param(
        merge(
            stall_timeline({"erc20": "F" * 81, "trc20": "F" * 10 + "C" * 71}),
            eod_timeline({PAIR: "F" * 81}),
        ),
        40.0,
        [(0.0, None)],
        id="one partial resolving while another stays open on that network keeps it open",
    ),
    pytest.param(
        merge(stall_timeline({"erc20": "F" * 21}), webhook_firing(0, 10)),
        10.0,
        [],
        id="a global webhook rollback does not stand in for a network",
    ),
    pytest.param(
        merge(stall_timeline({"erc20": "F" * 21}), sev1_timeline("F" * 21)),
        10.0,
        [],
        id="a sev1 full rollback does not stand in for a network",
    ),
    pytest.param(
        merge(stall_timeline({"trc20": "F" * 21}), eod_timeline({PAIR: "F" * 21})),
        10.0,
        [],
        id="two partial rollbacks on the same network are not every network",
    ),
    pytest.param(
        frames(passthrough={"erc20": constant(1000.0, 0, 10), "trc20": constant(1000.0, 0, 10)}),
        10.0,
        [],
        id="SLO breaches on every network are warnings and do not escalate",
    ),
]


@pytest.mark.parametrize(("fr", "end", "expected"), ESCALATION)
def test_all_networks_escalation(fr: dict[str, Frame], end: float, expected: Lifecycle) -> None:
    assert lifecycle(run(fr, 0, end), "all_networks") == expected


def test_all_networks_is_a_full_rollback_naming_the_partials_behind_it() -> None:
    outcome = run(stall_timeline({"erc20": "F" * 5, "trc20": "F" * 5}), 0, 2)
    (escalation,) = decisions_of(outcome, "all_networks")
    partials = decisions_of(outcome, "payout_stall", ERC20) + decisions_of(
        outcome, "payout_stall", TRC20
    )
    assert escalation.kind == "full_rollback"
    assert {a.step for a in escalation.actions} == {"safe_mode_all_networks", "volume_step_down"}
    assert sorted(escalation.related) == sorted(d.id for d in partials)


# --- volume step-down -----------------------------------------------------------------------


def t0_in(days: float) -> dict[str, Any]:
    """Config override: T0 `days` after ORIGIN, written as Warsaw local time like a user would."""
    local = datetime.fromtimestamp(ORIGIN + days * 86400, ZoneInfo("Europe/Warsaw"))
    return {"launch": {"t0": local.replace(tzinfo=None).isoformat()}}


VOLUME = [
    pytest.param(None, 1.0, "full", "canary", id="cap 1.0: full steps down to canary 0.3"),
    pytest.param(None, 0.3, "canary", "pilot", id="cap 0.3: canary steps down to pilot 0.1"),
    pytest.param(None, 0.1, "pilot", "halt", id="cap 0.1: pilot steps down to halt"),
    pytest.param(None, 0.0, "halt", None, id="cap 0: halted volume has no lower level"),
    pytest.param(
        t0_in(10), None, "pilot", "halt", id="no cap, T-10 d: calendar pilot steps down to halt"
    ),
    pytest.param(
        t0_in(3), None, "canary", "pilot", id="no cap, T-3 d: calendar canary steps down to pilot"
    ),
    pytest.param(
        t0_in(-1), None, "full", "canary", id="no cap, T+1 d: calendar full steps down to canary"
    ),
    pytest.param(
        t0_in(3), float("nan"), "canary", "pilot", id="a NaN cap falls back to the calendar"
    ),
    pytest.param(t0_in(-1), 0.3, "canary", "pilot", id="the cap wins over the calendar"),
    pytest.param(None, None, None, None, id="no cap and no T0: the level in force is unknown"),
]


@pytest.mark.parametrize(("overrides", "cap", "from_level", "to_level"), VOLUME)
def test_volume_step_down(
    overrides: dict[str, Any] | None,
    cap: float | None,
    from_level: str | None,
    to_level: str | None,
) -> None:
    fr = merge(
        sev1_timeline("F" * 3), frames(volume_cap=constant(cap, 0, 1)) if cap is not None else {}
    )
    the_launch: Launch = launch(overrides)
    (decision,) = decisions_of(run(fr, 0, 1, the_launch=the_launch), "sev1")
    (step,) = [a for a in decision.actions if a.step == "volume_step_down"]
    ratios = {level.name: level.ratio for level in the_launch.levels}
    assert (step.from_level.name if step.from_level else None) == from_level
    assert (step.to_level.name if step.to_level else None) == to_level
    if to_level is not None:
        assert step.to_level is not None and step.to_level.ratio == ratios[to_level]
        assert to_level in step.text and f"{ratios[to_level]:.0%}" in step.text
    elif from_level is not None:
        assert from_level in step.text


# --- reporting window and inconclusive spans ------------------------------------------------


REPORTING = [
    pytest.param(
        "F" * 121,
        30.0,
        [(0.0, None)],
        id="a decision open before report_from keeps its true opened_at",
    ),
    pytest.param(
        "F" * 10 + "C" * 111,
        10.0,
        [(0.0, 20.0)],
        id="a decision resolved after report_from is reported",
    ),
    pytest.param(
        "F" * 10 + "C" * 111, 30.0, [], id="a decision resolved before report_from is not reported"
    ),
]


@pytest.mark.parametrize(("spec", "report_from", "expected"), REPORTING)
def test_reporting_window(spec: str, report_from: float, expected: Lifecycle) -> None:
    outcome = run(sev1_timeline(spec), 0, end_of(spec), report_from=report_from)
    assert lifecycle(outcome, "sev1") == expected


Span = tuple[float, float]

SPANS = [
    pytest.param(
        "C" * 20 + "I" * 10 + "C" * 10, 0.0, [(10.0, 14.5)], id="a gap of absent data is one span"
    ),
    pytest.param(
        "C" * 20 + "N" * 10 + "C" * 10, 0.0, [(10.0, 14.5)], id="a run of NaN is one span"
    ),
    pytest.param(
        "C" * 10 + "I" * 4 + "C" * 6 + "N" * 2 + "C" * 2,
        0.0,
        [(5.0, 6.5), (10.0, 10.5)],
        id="two gaps are two spans",
    ),
    pytest.param(
        "C" * 20 + "I" * 20,
        0.0,
        [(10.0, 19.5)],
        id="a gap up to the end ends at the last evaluation",
    ),
    pytest.param(
        "I" * 20 + "C" * 20, 5.0, [(5.0, 9.5)], id="a gap before report_from is cut at report_from"
    ),
]


@pytest.mark.parametrize(("spec", "report_from", "expected"), SPANS)
def test_inconclusive_spans(spec: str, report_from: float, expected: list[Span]) -> None:
    outcome = run(sev1_timeline(spec), 0, end_of(spec), report_from=report_from)
    spans = [
        (as_minute(s.start), as_minute(s.end))
        for s in outcome.inconclusive
        if s.criterion == "sev1"
    ]
    assert spans == expected
    assert all(s.scope == GLOBAL for s in outcome.inconclusive if s.criterion == "sev1")


def test_inconclusive_span_of_one_network() -> None:
    """A gap in trc20's completed payouts is a payout_stall span on trc20 only."""
    spec = "C" * 10 + "I" * 6 + "C" * 10
    outcome = run(stall_timeline({"erc20": "C" * 26, "trc20": spec}), 0, end_of(spec))
    stall = [
        (s.scope, as_minute(s.start), as_minute(s.end))
        for s in outcome.inconclusive
        if s.criterion == "payout_stall"
    ]
    assert stall == [(TRC20, 5.0, 7.5)]
