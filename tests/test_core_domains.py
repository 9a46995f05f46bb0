"""Value domains (DESIGN §1): a sample outside its signal's domain (±Inf, NaN, a ratio outside
[0, 1], a negative duration or count, a timestamp that is not a plausible time) is invalid,
counts as absent and is named in the evidence; it never opens or resolves a decision."""

from __future__ import annotations

import math
from typing import Any

import pytest

from launchguard.config.loader import ConfigError
from launchguard.core.counters import le_buckets
from launchguard.core.criteria import evaluate_all
from launchguard.core.domains import invalid_counts, screen
from launchguard.core.explain import fmt_value, summary
from launchguard.core.frames import GLOBAL, Frame, NoData
from launchguard.core.slo import slo_verdict_at
from launchguard.core.verdicts import State
from launchguard.output.jsonout import observation_json

from factories import (
    DEFAULT,
    NOW,
    context,
    eod_pair,
    frames,
    launch,
    minute,
    net,
    passthrough_case,
    sev1_case,
    stall_case,
    unix,
    verdict_of,
    webhook_case,
)

TRC20 = net("trc20")
INF, NAN = math.inf, math.nan
Y2000, Y2100 = 946_684_800.0, 4_102_444_800.0  # the shipped plausible-time bounds (unix s)


def domain(signal: str) -> Any:
    return DEFAULT.signals[signal].domain


# --- which values each domain holds ------------------------------------------------------------

SAMPLES = [
    # (signal of that domain, value, reason or None when valid)
    ("webhook_success", 0.0, None),
    ("webhook_success", 1.0, None),
    ("webhook_success", 1.0 + 1e-12, None),  # a sum in another order, one bit over 1
    ("webhook_success", -INF, "-Inf is not a ratio in [0, 1]"),
    ("webhook_success", 1.5, "1.5 is not a ratio in [0, 1]"),
    ("webhook_success", -0.01, "-0.01 is not a ratio in [0, 1]"),
    ("webhook_success", NAN, "NaN"),
    ("passthrough_p95", 0.0, None),
    ("passthrough_p95", 9e15, None),
    ("passthrough_p95", 1e308, "1e+308 is not a duration in [0, 9.007e+15] s"),
    ("passthrough_p95", -1.0, "-1 is not a duration in [0, 9.007e+15] s"),
    ("passthrough_p95", INF, "+Inf is not a duration in [0, 9.007e+15] s"),
    ("payout_queue", 2.0**53, None),  # the largest integer a float holds exactly
    ("payout_queue", 2.0**53 + 2, "9.0072e+15 is not a count in [0, 9.007e+15]"),
    ("payout_queue", 1e308, "1e+308 is not a count in [0, 9.007e+15]"),
    ("payout_queue", -3.0, "-3 is not a count in [0, 9.007e+15]"),
    ("payout_queue", -1e308, "-1e+308 is not a count in [0, 9.007e+15]"),
    ("eod_cutoff", Y2000, None),
    ("eod_cutoff", Y2100, None),
    ("eod_cutoff", INF, "+Inf is not a plausible unix time (2000-01-01 … 2100-01-01)"),
    ("eod_cutoff", 1e308, "1e+308 is not a plausible unix time (2000-01-01 … 2100-01-01)"),
    ("eod_cutoff", 1.78e12, "1.78e+12 is not a plausible unix time (2000-01-01 … 2100-01-01)"),
    ("eod_cutoff", 0.0, "0 is not a plausible unix time (2000-01-01 … 2100-01-01)"),
    ("ticket_created", -1.0, "-1 is not a plausible unix time (2000-01-01 … 2100-01-01)"),
]


@pytest.mark.parametrize(
    ("signal", "value", "reason"),
    [
        pytest.param(*s, id=f"{s[0]} = {s[1]!r} is {'valid' if s[2] is None else 'invalid'}")
        for s in SAMPLES
    ],
)
def test_a_sample_is_valid_only_inside_its_signals_domain(
    signal: str, value: float, reason: str | None
) -> None:
    frame = screen(Frame(signal, (), {GLOBAL: {minute(0): value}}), domain(signal))
    if reason is None:
        assert frame.values[GLOBAL] == {minute(0): value}
        assert frame.at(GLOBAL, minute(0)) == value
        return
    assert frame.values[GLOBAL] == {}, "an invalid sample is absent to everything reading values"
    read = frame.at(GLOBAL, minute(0))
    assert isinstance(read, NoData)
    assert (read.reason, read.detail) == (("nan", "") if reason == "NaN" else ("invalid", reason))


def test_a_gauge_holds_any_finite_number_and_nothing_else() -> None:
    gauge = launch({"signals": {"sev1_open": {"domain": "gauge"}}}).signals["sev1_open"].domain
    frame = screen(
        Frame("sev1_open", (), {GLOBAL: {1: -1e308, 2: 1e308, 3: -5.0, 4: INF, 5: -INF, 6: NAN}}),
        gauge,
    )
    assert frame.values[GLOBAL] == {1: -1e308, 2: 1e308, 3: -5.0}
    assert invalid_counts({"sev1_open": frame}, 1, 5) == {"sev1_open": 2}


SHIPPED = {
    "ratio": {
        "webhook_success",
        "passthrough_fast_share",
        "webhook_success_by_partner",
        "volume_cap",
    },
    "duration": {"passthrough_p95", "eod_p95"},
    "timestamp": {"eod_cutoff", "ticket_created", "ticket_stage"},
    "count": {
        "payout_queue",
        "payouts_completed",
        "eod_unsettled",
        "dead_letter",
        "sev1_open",
        "payout_volume",
        "daily_target",
        "incidents_declared",
        "incidents_open",
        "passthrough_buckets",
        "eod_buckets",
        "eod_settlements",
        "webhook_outcomes",
        "offers",
        "deals",
        "deals_cancelled",
    },
}


def test_every_shipped_signal_declares_the_domain_of_what_it_measures() -> None:
    declared: dict[str, set[str]] = {}
    for name, signal in DEFAULT.signals.items():
        declared.setdefault(signal.domain.kind, set()).add(name)
    assert declared == SHIPPED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param(
            {"signals": {"eod_cutoff": {"domain": "time"}}},
            "signals.eod_cutoff.domain",
            id="an unknown domain names the signal's field",
        ),
        pytest.param(
            {"domains": {"timestamp_min": "2100-01-01T00:00:00Z"}},
            "domains",
            id="a plausible-time range that ends before it starts is rejected",
        ),
        pytest.param(
            {"domains": {"count_max": float("inf")}},
            "domains.count_max",
            id="an infinite largest count is rejected (±Inf is in no domain)",
        ),
        pytest.param(
            {"domains": {"duration_max": "0s"}},
            "domains.duration_max",
            id="a largest duration of zero is rejected",
        ),
    ],
)
def test_a_bad_domain_in_config_is_rejected_with_its_field(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ConfigError) as err:
        launch(overrides)
    assert any(path.startswith(field) for path, _ in err.value.problems), err.value.problems


def test_the_plausible_time_range_comes_from_config() -> None:
    narrow = launch({"domains": {"timestamp_min": "2026-01-01T00:00:00Z"}})
    cutoff = narrow.signals["eod_cutoff"].domain
    assert cutoff.why_invalid(unix(0)) is None
    assert cutoff.why_invalid(Y2000) == (
        f"{Y2000:.6g} is not a plausible unix time (2026-01-01 … 2100-01-01)"
    )


# --- criteria and SLOs: an invalid operand is inconclusive, with the reason ---------------------

CASES = [
    (passthrough_case(p95_now=INF), "passthrough_rollback", TRC20, "+Inf is not a duration"),
    (passthrough_case(p95_before=-1.0), "passthrough_rollback", TRC20, "-1 is not a duration"),
    (passthrough_case(queue_now=-1e308), "passthrough_rollback", TRC20, "is not a count"),
    (stall_case(completed=-2.0), "payout_stall", TRC20, "-2 is not a count in [0, 9.007e+15]"),
    (stall_case(queue_now=INF), "payout_stall", TRC20, "+Inf is not a count"),
    (webhook_case(success=-INF), "webhook_rollback", GLOBAL, "-Inf is not a ratio in [0, 1]"),
    (webhook_case(success=1.5), "webhook_rollback", GLOBAL, "1.5 is not a ratio in [0, 1]"),
    (webhook_case(dead_before=-INF), "webhook_rollback", GLOBAL, "-Inf is not a count"),
    (sev1_case(9e15), "sev1", GLOBAL, None),  # valid: a huge count still fires
    (sev1_case(1e308), "sev1", GLOBAL, "1e+308 is not a count in [0, 9.007e+15]"),
    (sev1_case(INF), "sev1", GLOBAL, "+Inf is not a count in [0, 9.007e+15]"),
    (sev1_case(-1.0), "sev1", GLOBAL, "-1 is not a count in [0, 9.007e+15]"),
]


def _cutoff(value: float) -> dict[str, Frame]:
    pair = ("trc20", "USDT-PLN")
    return frames(unsettled={pair: {NOW - 15: 5.0, NOW: 5.0}}, cutoff={pair: {NOW: value}})


CASES += [
    (_cutoff(INF), "eod_unsettled", TRC20, "+Inf is not a plausible unix time"),
    (_cutoff(-INF), "eod_unsettled", TRC20, "-Inf is not a plausible unix time"),
    (_cutoff(1e308), "eod_unsettled", TRC20, "1e+308 is not a plausible unix time"),
    (eod_pair(unsettled_now=-5.0), "eod_unsettled", TRC20, "-5 is not a count in [0, 9.007e+15]"),
]


@pytest.mark.parametrize(
    ("fr", "criterion", "scope", "reason"),
    [
        pytest.param(
            *c,
            id=f"{c[1]}: {c[3] or 'a huge valid count'}"
            + (" is inconclusive, with the reason" if c[3] else " fires"),
        )
        for c in CASES
    ],
)
def test_an_invalid_operand_makes_its_criterion_inconclusive_with_the_reason(
    fr: dict[str, Frame], criterion: str, scope: Any, reason: str | None
) -> None:
    verdict = verdict_of(evaluate_all(context(fr), DEFAULT.criteria, minute(NOW)), criterion, scope)
    if reason is None:
        assert verdict.state is State.FIRED
        return
    assert verdict.state is State.INCONCLUSIVE
    invalid = [o for o in verdict.observations if isinstance(o.value, NoData) and o.value.detail]
    assert invalid and reason in invalid[0].value.detail  # type: ignore[union-attr]
    assert reason in summary(verdict)
    assert reason in observation_json(invalid[0])["invalid"]


def test_an_invalid_slo_value_is_no_data_with_the_reason() -> None:
    fr = frames(webhook_success={NOW: -INF})
    verdict = slo_verdict_at(
        DEFAULT.slos, context(fr).frames, ("webhook_success", GLOBAL), minute(NOW)
    )
    assert verdict.state is State.INCONCLUSIVE
    assert fmt_value(verdict.observations[0].value) == (
        "no data (invalid: -Inf is not a ratio in [0, 1])"
    )


def test_a_bucket_whose_le_is_not_a_number_is_left_out_of_the_quantile() -> None:
    scope = (("network", "trc20"),)
    increases = {
        (*scope, ("le", le)): n
        for le, n in (("60.0", 5.0), ("abc", 100.0), ("NaN", 100.0), ("+Inf", 10.0))
    }
    assert le_buckets({tuple(sorted(k)): v for k, v in increases.items()}) == {
        scope: [(60.0, 5.0), (INF, 10.0)]
    }
