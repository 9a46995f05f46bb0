"""Value domains over spans of evaluation (DESIGN §1): the two reproduced bugs (a +Inf
cut-off raised OverflowError every cycle; -Inf in a ratio opened an `slo_breach`), invalid
stretches that must neither resolve nor reopen a decision, invalid ticket timestamps, and
the per-signal count of invalid samples the daemon's counter is fed with."""

from __future__ import annotations

import math

import pytest

from launchguard.core import sla
from launchguard.core.explain import summary
from launchguard.core.frames import Frame, frame_from_points

from factories import frames, merge, minute, net, ramp, run, unix

TRC20 = net("trc20")
INF, NAN = math.inf, math.nan


def test_an_infinite_cutoff_with_unsettled_sessions_is_inconclusive_and_raises_nothing() -> None:
    """Reproduced: `tick()` of a +Inf cut-off raised OverflowError on every cycle."""
    pair = ("trc20", "USDT-PLN")
    fr = frames(
        unsettled={pair: {m / 2: 7.0 for m in range(-60, 41)}},
        cutoff={pair: {m / 2: INF for m in range(-60, 41)}},
    )
    outcome = run(fr, 0.0, 20.0)
    assert outcome.decisions == []
    spans = [
        (s.start, s.end)
        for s in outcome.inconclusive
        if (s.criterion, s.scope) == ("eod_unsettled", TRC20)
    ]
    assert spans == [(minute(0), minute(20))]
    (verdict,) = [
        v for v in outcome.verdicts if v.criterion == "eod_unsettled" and v.scope == TRC20
    ]
    assert "cut-off no data (invalid: +Inf is not a plausible unix time" in summary(verdict)
    assert outcome.invalid == {"eod_cutoff": 41}  # the samples at the span's 41 times


def test_a_minus_infinite_ratio_opens_no_slo_breach_and_resolves_none() -> None:
    """Reproduced: -Inf in webhook_success opened an `slo_breach` (-Inf < 0.99)."""
    breach = {m / 2: 0.9 for m in range(0, 21)}  # breached 0..10 min: opens at minute 0
    hostile = {m / 2: -INF for m in range(21, 81)}  # then -Inf for 30 min (past clear_for)
    outcome = run(frames(webhook_success={**breach, **hostile}), 0.0, 40.0)
    slo = [d for d in outcome.decisions if d.criterion == "webhook_success"]
    assert [(d.opened_at, d.resolved_at) for d in slo] == [(minute(0), None)]
    assert not [
        d
        for d in run(frames(webhook_success=hostile), 10.5, 40.0).decisions
        if d.kind == "slo_breach"
    ]


def test_a_long_invalid_stretch_neither_resolves_nor_reopens_a_rollback() -> None:
    fired = merge(
        frames(sev1={m / 2: 1.0 for m in range(0, 11)}),
        frames(sev1={m / 2: -1.0 for m in range(11, 81)}),
    )
    (decision,) = [d for d in run(fired, 0.0, 40.0).decisions if d.criterion == "sev1"]
    assert (decision.opened_at, decision.resolved_at) == (minute(0), None)


def test_the_span_counts_invalid_samples_per_signal_only_at_its_own_times() -> None:
    fr = merge(
        frames(queue={"trc20": ramp(-30.0, 10.0)}),
        frames(queue={"erc20": {-20.0: -1.0, 0.0: -1.0, 5.0: NAN, 10.0: INF}}),
        frames(webhook_success={0.0: 2.0}),
    )
    assert run(fr, 0.0, 10.0).invalid == {"payout_queue": 3, "webhook_success": 1}


def ticket_frames(created: float, responded: float | None = None) -> dict[str, Frame]:
    """Ticket T-1 (p1: reaction due 1 h after registration) as read at minute 300."""
    at = unix(300)
    return {
        "ticket_created": frame_from_points(
            "ticket_created",
            ("ticket", "priority"),
            [({"ticket": "T-1", "priority": "p1"}, [(at, created)])],
        ),
        "ticket_stage": frame_from_points(
            "ticket_stage",
            ("ticket", "stage"),
            [({"ticket": "T-1", "stage": "responded"}, [(at, responded)])]
            if responded is not None
            else [],
        ),
    }


@pytest.mark.parametrize(
    ("created", "responded"),
    [
        pytest.param(INF, unix(30), id="a +Inf registration time with a reaction is no breach"),
        pytest.param(1e308, None, id="a registration time of 1e308 is no breach"),
        pytest.param(-1.0, None, id="a negative registration time is no breach"),
        pytest.param(4_102_531_200.0, None, id="a registration on 2100-01-02 is no breach"),
    ],
)
def test_an_invalid_registration_time_opens_no_sla_breach(
    created: float, responded: float | None
) -> None:
    outcome = run(ticket_frames(created, responded), 290.0, 300.0)
    assert [d for d in outcome.decisions if d.kind == sla.KIND] == []
    unknown = {s.criterion for s in outcome.inconclusive if dict(s.scope).get("ticket") == "T-1"}
    assert unknown == ({"sla_reaction", "sla_workaround", "sla_resolution"} if responded else set())
    assert outcome.invalid == {"ticket_created": 1}


def test_an_invalid_stage_time_counts_as_not_reached() -> None:
    """The reaction is due at minute 60: a +Inf reaction time is no reaction (the breach stays
    open, as with no reaction at all), never a resolve at an impossible time."""
    (breach,) = [
        d
        for d in run(ticket_frames(unix(0), INF), 290.0, 300.0).decisions
        if d.kind == sla.KIND
        if d.criterion == "sla_reaction"
    ]
    assert (breach.opened_at, breach.resolved_at) == (minute(60), None)
