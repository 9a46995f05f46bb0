"""Criterion verdicts at one evaluation time, against DESIGN §1 "Rollback criteria".

Every case evaluates at minute NOW on the shipped defaults unless it says otherwise:
1800 s p95 threshold (strict >), p95 two windows 15 min apart, queue growth over 30 min,
eod 90 min after cut-off (inclusive) and no improvement over 15 min, webhook success
0.98 (strict <) with dead letters growing over 15 min, sev1 > 0.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import pytest

from launchguard.config.loader import load
from launchguard.core import criteria
from launchguard.core.frames import GLOBAL, Frame, ScopeKey
from launchguard.core.slo import read_slos
from launchguard.core.verdicts import SLOState, State

from factories import (
    DEFAULT,
    NOW,
    context,
    eod_pair,
    frames,
    launch,
    merge,
    minute,
    net,
    passthrough_case,
    series,
    sev1_case,
    stall_case,
    state_at,
    unix,
    verdict_of,
    webhook_case,
)

FIRED, CLEAR, INCONCLUSIVE = State.FIRED, State.CLEAR, State.INCONCLUSIVE
TRC20, ERC20 = net("trc20"), net("erc20")
NaN = math.nan


def missing_operands(
    factory: Callable[..., dict[str, Frame]], operands: list[str], criterion: str, scope: ScopeKey
) -> list[Any]:
    """One case per operand and per kind of missing (absent, NaN): each is INCONCLUSIVE."""
    cases = []
    for operand in operands:
        for value, how in ((None, "absent"), (NaN, "NaN")):
            cases.append(
                pytest.param(
                    factory(**{operand: value}),
                    criterion,
                    scope,
                    INCONCLUSIVE,
                    id=f"{criterion}: {operand} {how} is inconclusive, never health or rollback",
                )
            )
    return cases


VERDICTS = [
    # passthrough_rollback: p95@t > 1800 and p95@(t-15m) > 1800 and queue@t > queue@(t-30m)
    pytest.param(
        passthrough_case(),
        "passthrough_rollback",
        TRC20,
        FIRED,
        id="p95 above 1800 s two windows in a row with the queue growing rolls back",
    ),
    pytest.param(
        passthrough_case(p95_now=math.inf, p95_before=math.inf),
        "passthrough_rollback",
        TRC20,
        INCONCLUSIVE,
        id="p95 of +Inf is outside the duration domain: inconclusive, never a rollback",
    ),
    pytest.param(
        passthrough_case(p95_now=1800.0),
        "passthrough_rollback",
        TRC20,
        CLEAR,
        id="p95 of exactly 1800 s now does not roll back (strict >)",
    ),
    pytest.param(
        passthrough_case(p95_before=1800.0),
        "passthrough_rollback",
        TRC20,
        CLEAR,
        id="p95 of exactly 1800 s in the previous window does not roll back (strict >)",
    ),
    pytest.param(
        passthrough_case(p95_before=1200.0),
        "passthrough_rollback",
        TRC20,
        CLEAR,
        id="p95 high in the current window only does not roll back",
    ),
    pytest.param(
        passthrough_case(p95_now=1200.0),
        "passthrough_rollback",
        TRC20,
        CLEAR,
        id="p95 high in the previous window only does not roll back",
    ),
    pytest.param(
        passthrough_case(queue_before=20.0, queue_now=20.0),
        "passthrough_rollback",
        TRC20,
        CLEAR,
        id="queue flat while p95 is high does not roll back",
    ),
    pytest.param(
        passthrough_case(queue_before=30.0, queue_now=20.0),
        "passthrough_rollback",
        TRC20,
        CLEAR,
        id="queue shrinking while p95 is high does not roll back",
    ),
    *missing_operands(
        passthrough_case,
        ["p95_before", "p95_now", "queue_before", "queue_now"],
        "passthrough_rollback",
        TRC20,
    ),
    # payout_stall: increase(completed[30m]) == 0, queue@t > 0 and queue@t > queue@(t-30m)
    pytest.param(
        stall_case(),
        "payout_stall",
        TRC20,
        FIRED,
        id="nothing completed in 30 min with a non-empty growing queue is a stall",
    ),
    pytest.param(
        stall_case(queue_before=0.0, queue_now=3.0),
        "payout_stall",
        TRC20,
        FIRED,
        id="a queue growing from empty with nothing completed is a stall",
    ),
    pytest.param(
        stall_case(completed=1.0),
        "payout_stall",
        TRC20,
        CLEAR,
        id="one payout completed in the last 30 min clears the stall",
    ),
    pytest.param(
        stall_case(completed=0.4),
        "payout_stall",
        TRC20,
        CLEAR,
        id="a fractional (extrapolated) increase above 0 clears the stall",
    ),
    pytest.param(
        stall_case(queue_before=0.0, queue_now=0.0),
        "payout_stall",
        TRC20,
        CLEAR,
        id="an empty queue with nothing completed is idle, not stalled",
    ),
    pytest.param(
        stall_case(queue_before=20.0, queue_now=20.0),
        "payout_stall",
        TRC20,
        CLEAR,
        id="a flat queue with nothing completed is not a stall",
    ),
    pytest.param(
        stall_case(queue_before=30.0, queue_now=20.0),
        "payout_stall",
        TRC20,
        CLEAR,
        id="a draining queue with nothing completed is not a stall",
    ),
    *missing_operands(
        stall_case, ["completed", "queue_before", "queue_now"], "payout_stall", TRC20
    ),
    # eod_unsettled, one pair: unsettled@t > 0, t - cutoff@t >= 90 min, unsettled@t >= @(t-15m)
    pytest.param(
        eod_pair(),
        "eod_unsettled",
        TRC20,
        FIRED,
        id="unsettled sessions 2 h after cut-off with no improvement fire",
    ),
    pytest.param(
        eod_pair(since_cutoff_min=90.0),
        "eod_unsettled",
        TRC20,
        FIRED,
        id="exactly 90 min after cut-off fires (inclusive)",
    ),
    pytest.param(
        eod_pair(since_cutoff_min=89.0),
        "eod_unsettled",
        TRC20,
        CLEAR,
        id="89 min after cut-off is still in grace",
    ),
    pytest.param(
        eod_pair(since_cutoff_min=-30.0),
        "eod_unsettled",
        TRC20,
        CLEAR,
        id="a cut-off still in the future is in grace",
    ),
    pytest.param(
        eod_pair(unsettled_before=3.0, unsettled_now=5.0),
        "eod_unsettled",
        TRC20,
        FIRED,
        id="unsettled growing after the grace fires",
    ),
    pytest.param(
        eod_pair(unsettled_before=5.0, unsettled_now=4.0),
        "eod_unsettled",
        TRC20,
        CLEAR,
        id="an improving pair is clear",
    ),
    pytest.param(
        eod_pair(unsettled_before=0.0, unsettled_now=0.0),
        "eod_unsettled",
        TRC20,
        CLEAR,
        id="no unsettled sessions is clear",
    ),
    *missing_operands(
        eod_pair, ["unsettled_before", "unsettled_now", "since_cutoff_min"], "eod_unsettled", TRC20
    ),
    # webhook_rollback: success@t < 0.98 and dead_letter@t > dead_letter@(t-15m)
    pytest.param(
        webhook_case(),
        "webhook_rollback",
        GLOBAL,
        FIRED,
        id="webhook success 90 % with dead letters growing rolls back",
    ),
    pytest.param(
        webhook_case(success=0.9799),
        "webhook_rollback",
        GLOBAL,
        FIRED,
        id="webhook success just under 98 % rolls back",
    ),
    pytest.param(
        webhook_case(success=0.98),
        "webhook_rollback",
        GLOBAL,
        CLEAR,
        id="webhook success of exactly 98 % does not roll back (strict <)",
    ),
    pytest.param(
        webhook_case(dead_before=20.0, dead_now=20.0),
        "webhook_rollback",
        GLOBAL,
        CLEAR,
        id="flat dead letters with low success do not roll back",
    ),
    pytest.param(
        webhook_case(dead_before=30.0, dead_now=20.0),
        "webhook_rollback",
        GLOBAL,
        CLEAR,
        id="draining dead letters with low success do not roll back",
    ),
    *missing_operands(
        webhook_case, ["success", "dead_before", "dead_now"], "webhook_rollback", GLOBAL
    ),
    # sev1: open sev1 incidents > 0
    pytest.param(sev1_case(1.0), "sev1", GLOBAL, FIRED, id="one open SEV1 rolls back"),
    pytest.param(sev1_case(3.0), "sev1", GLOBAL, FIRED, id="several open SEV1s roll back"),
    pytest.param(sev1_case(0.0), "sev1", GLOBAL, CLEAR, id="no open SEV1 is clear"),
    *missing_operands(sev1_case, ["open_sev1"], "sev1", GLOBAL),
]


@pytest.mark.parametrize(("fr", "criterion", "scope", "expected"), VERDICTS)
def test_verdict(fr: dict[str, Frame], criterion: str, scope: ScopeKey, expected: State) -> None:
    assert state_at(fr, criterion, scope) is expected


# --- scopes and evidence --------------------------------------------------------------------


def test_each_network_is_judged_on_its_own_data() -> None:
    """trc20 fires; erc20 has no series at all, so it is inconclusive there, not clear."""
    verdicts = criteria.evaluate_all(
        context(passthrough_case(network="trc20")), DEFAULT.criteria, minute(NOW)
    )
    assert verdict_of(verdicts, "passthrough_rollback", TRC20).state is FIRED
    assert verdict_of(verdicts, "passthrough_rollback", ERC20).state is INCONCLUSIVE


def test_a_total_stall_without_any_p95_is_still_visible() -> None:
    """Nothing completes, so there is no p95 at all: passthrough cannot tell, the stall can."""
    fr = stall_case()
    assert "passthrough_p95" not in fr
    assert state_at(fr, "passthrough_rollback", TRC20) is INCONCLUSIVE
    assert state_at(fr, "payout_stall", TRC20) is FIRED


def test_evaluate_all_gives_one_verdict_per_criterion_and_scope() -> None:
    verdicts = criteria.evaluate_all(context({}), DEFAULT.criteria, minute(NOW))
    keys = sorted((v.criterion, v.scope) for v in verdicts)
    per_network = ["eod_unsettled", "passthrough_rollback", "payout_stall"]
    expected = sorted(
        [(c, net(n)) for c in per_network for n in ("erc20", "trc20")]
        + [("sev1", GLOBAL), ("webhook_rollback", GLOBAL)]
    )
    assert keys == expected
    assert {v.state for v in verdicts} == {INCONCLUSIVE}, "no data at all is never health"


def test_verdict_evidence_names_the_operands_and_their_times() -> None:
    """p95 read now and 15 min ago, queue now and 30 min ago, with the threshold."""
    verdict = verdict_of(
        criteria.evaluate_all(context(passthrough_case()), DEFAULT.criteria, minute(NOW)),
        "passthrough_rollback",
        TRC20,
    )
    reads = sorted((o.signal, o.at, o.value) for o in verdict.observations)
    assert reads == sorted(
        [
            ("passthrough_p95", minute(NOW - 15), 2000.0),
            ("passthrough_p95", minute(NOW), 2000.0),
            ("payout_queue", minute(NOW - 30), 10.0),
            ("payout_queue", minute(NOW), 20.0),
        ]
    )
    assert verdict.thresholds["p95_threshold"] == 1800.0


EOD_NETWORK = [
    pytest.param(
        [eod_pair("A"), eod_pair("B", unsettled_now=4.0), eod_pair("C", since_cutoff_min=89.0)],
        FIRED,
        ["A"],
        id="one firing pair among clear ones fires the network and only it is in the evidence",
    ),
    pytest.param(
        [eod_pair("A"), eod_pair("B", unsettled_before=1.0), eod_pair("C", unsettled_now=0.0)],
        FIRED,
        ["A", "B"],
        id="two firing pairs are both listed in the evidence",
    ),
    pytest.param(
        [eod_pair("A", unsettled_now=4.0), eod_pair("B", since_cutoff_min=30.0)],
        CLEAR,
        [],
        id="improving and in-grace pairs leave the network clear",
    ),
    pytest.param(
        [eod_pair("A", unsettled_now=4.0), eod_pair("B", unsettled_before=None)],
        INCONCLUSIVE,
        [],
        id="a pair missing an operand beside a clear pair makes the network inconclusive",
    ),
    pytest.param(
        [eod_pair("A", network="erc20")],
        INCONCLUSIVE,
        [],
        id="a network reporting no pair at all is inconclusive",
    ),
]


@pytest.mark.parametrize(("parts", "expected", "listed"), EOD_NETWORK)
def test_eod_unsettled_per_network(
    parts: list[dict[str, Frame]], expected: State, listed: list[str]
) -> None:
    fr = merge(*parts)
    verdict = verdict_of(
        criteria.evaluate_all(context(fr), DEFAULT.criteria, minute(NOW)), "eod_unsettled", TRC20
    )
    assert verdict.state is expected
    if expected is FIRED:
        assert sorted(str(d["pair"]) for d in verdict.detail) == listed
        pairs_read = {dict(o.scope)["pair"] for o in verdict.observations}
        assert pairs_read == set(listed), "the evidence holds the firing pairs' operands only"


def test_a_firing_pair_on_one_network_does_not_fire_the_other() -> None:
    fr = merge(eod_pair("A", network="erc20"), eod_pair("B", network="trc20", unsettled_now=1.0))
    assert state_at(fr, "eod_unsettled", ERC20) is FIRED
    assert state_at(fr, "eod_unsettled", TRC20) is CLEAR


def test_a_trust_data_gap_on_every_pair_is_inconclusive_not_clear() -> None:
    """The pair is known (it reported before), but at t neither unsettled nor cut-off has a
    sample: DESIGN §1, "if any operand of a criterion is absent ... inconclusive there"."""
    fr = frames(
        unsettled={("trc20", "A"): {NOW - 60: 5.0}},
        cutoff={("trc20", "A"): {NOW - 60: unix(NOW - 200)}},
    )
    assert state_at(fr, "eod_unsettled", TRC20) is INCONCLUSIVE


# --- every number is config ------------------------------------------------------------------


def at_offsets(signal_points: dict[str, dict[float, float]]) -> dict[str, Frame]:
    """trc20 (or global) frames from minute-offsets-before-NOW → value, for config cases."""
    per_net = {"passthrough", "queue", "completed"}
    kwargs: dict[str, Any] = {}
    for name, points in signal_points.items():
        by_minute = {NOW - back: v for back, v in points.items()}
        kwargs[name] = {"trc20": by_minute} if name in per_net else by_minute
    return frames(**kwargs)


CONFIG = [
    pytest.param(
        {"criteria": {"passthrough_rollback": {"p95_threshold": 2500}}},
        passthrough_case(),
        "passthrough_rollback",
        TRC20,
        FIRED,
        CLEAR,
        id="p95 threshold raised to 2500 s: 2000 s no longer rolls back",
    ),
    pytest.param(
        {"criteria": {"passthrough_rollback": {"p95_threshold": 1500}}},
        passthrough_case(p95_now=1600.0, p95_before=1600.0),
        "passthrough_rollback",
        TRC20,
        CLEAR,
        FIRED,
        id="p95 threshold lowered to 1500 s: 1600 s rolls back",
    ),
    pytest.param(
        {"criteria": {"passthrough_rollback": {"previous_window": "30m"}}},
        at_offsets({"passthrough": {30: 1000.0, 15: 2000.0, 0: 2000.0}, "queue": {30: 1, 0: 9}}),
        "passthrough_rollback",
        TRC20,
        FIRED,
        CLEAR,
        id="previous window of 30 min reads p95 30 min back",
    ),
    pytest.param(
        {"criteria": {"passthrough_rollback": {"queue_growth_over": "15m"}}},
        at_offsets({"passthrough": {15: 2000.0, 0: 2000.0}, "queue": {30: 30, 15: 10, 0: 20}}),
        "passthrough_rollback",
        TRC20,
        CLEAR,
        FIRED,
        id="queue growth over 15 min sees a queue that grew in the last 15 min",
    ),
    pytest.param(
        {"criteria": {"payout_stall": {"queue_growth_over": "15m"}}},
        at_offsets({"completed": {0: 0.0}, "queue": {30: 30, 15: 10, 0: 20}}),
        "payout_stall",
        TRC20,
        CLEAR,
        FIRED,
        id="stall queue growth over 15 min sees a queue that grew in the last 15 min",
    ),
    pytest.param(
        {"criteria": {"eod_unsettled": {"min_since_cutoff": "60m"}}},
        eod_pair(since_cutoff_min=70.0),
        "eod_unsettled",
        TRC20,
        CLEAR,
        FIRED,
        id="eod grace shortened to 60 min: 70 min after cut-off fires",
    ),
    pytest.param(
        {"criteria": {"eod_unsettled": {"improvement_over": "30m"}}},
        merge(
            eod_pair(unsettled_before=4.0, unsettled_now=6.0),
            frames(unsettled={("trc20", "USDT-PLN"): {NOW - 30: 9.0}}),
        ),
        "eod_unsettled",
        TRC20,
        FIRED,
        CLEAR,
        id="eod improvement over 30 min sees an improvement since 30 min ago",
    ),
    pytest.param(
        {"criteria": {"webhook_rollback": {"success_threshold": 0.95}}},
        webhook_case(success=0.96),
        "webhook_rollback",
        GLOBAL,
        FIRED,
        CLEAR,
        id="webhook threshold lowered to 95 %: 96 % no longer rolls back",
    ),
    pytest.param(
        {"criteria": {"webhook_rollback": {"growth_over": "30m"}}},
        at_offsets({"webhook_success": {0: 0.9}, "dead_letter": {30: 50, 15: 10, 0: 20}}),
        "webhook_rollback",
        GLOBAL,
        FIRED,
        CLEAR,
        id="dead-letter growth over 30 min sees fewer than 30 min ago",
    ),
    pytest.param(
        {"criteria": {"sev1": {"threshold": 1}}},
        sev1_case(1.0),
        "sev1",
        GLOBAL,
        FIRED,
        CLEAR,
        id="sev1 threshold raised to 1: a single SEV1 no longer rolls back",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "fr", "criterion", "scope", "by_default", "configured"), CONFIG
)
def test_thresholds_and_windows_come_from_config(
    overrides: dict[str, Any],
    fr: dict[str, Frame],
    criterion: str,
    scope: ScopeKey,
    by_default: State,
    configured: State,
) -> None:
    assert state_at(fr, criterion, scope) is by_default
    assert state_at(fr, criterion, scope, the_launch=launch(overrides)) is configured


def test_the_test_launch_is_what_load_returns_for_the_shipped_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The factories parse the shipped YAML without the environment; `load()` agrees."""
    for name in [n for n in os.environ if n.startswith("LAUNCHGUARD_")]:
        monkeypatch.delenv(name)
    assert load().config == DEFAULT.config


# --- SLO states (warnings, not rollbacks) -----------------------------------------------------

SLOS = [
    pytest.param(
        "passthrough_p95",
        TRC20,
        900.0,
        SLOState.MET,
        id="p95 pass-through of exactly 15 min meets its SLO",
    ),
    pytest.param(
        "passthrough_p95",
        TRC20,
        901.0,
        SLOState.BREACHED,
        id="p95 pass-through over 15 min breaches",
    ),
    pytest.param(
        "eod_p95", TRC20, 3600.0, SLOState.MET, id="p95 EOD of exactly 60 min meets its SLO"
    ),
    pytest.param("eod_p95", TRC20, 3601.0, SLOState.BREACHED, id="p95 EOD over 60 min breaches"),
    pytest.param(
        "webhook_success",
        GLOBAL,
        0.99,
        SLOState.MET,
        id="webhook success of exactly 99 % meets its SLO",
    ),
    pytest.param(
        "webhook_success",
        GLOBAL,
        0.9899,
        SLOState.BREACHED,
        id="webhook success under 99 % breaches",
    ),
    pytest.param(
        "passthrough_p95", TRC20, NaN, SLOState.NO_DATA, id="a NaN p95 is no data, not met"
    ),
    pytest.param(
        "webhook_success", GLOBAL, None, SLOState.NO_DATA, id="an absent webhook ratio is no data"
    ),
]


@pytest.mark.parametrize(("slo", "scope", "value", "expected"), SLOS)
def test_slo_state(slo: str, scope: ScopeKey, value: float | None, expected: SLOState) -> None:
    signal = DEFAULT.slos[slo].signal
    scopes = {name: s.scope for name, s in DEFAULT.signals.items()}
    fr = {signal: Frame(signal, scopes[signal], {scope: series({NOW: value})})}
    readings = read_slos(DEFAULT.slos, fr, scopes, DEFAULT.networks, minute(NOW))
    (reading,) = [r for r in readings if r.slo == slo and r.scope == scope]
    assert reading.state is expected
