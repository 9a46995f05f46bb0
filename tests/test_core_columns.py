"""Criteria and SLOs over timelines, through the one evaluation path (`core.columns`).

Each row gives per-step state strings for the inputs (F fires, C clear, I absent, N NaN) and
the state strings expected per scope: the span evaluated as columns must give them, and so
must the one-time verdict (a span of one) at every step, with the firing pairs as evidence.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping

import pytest

from launchguard.core import columns
from launchguard.core.criteria import evaluate_all, rules
from launchguard.core.frames import GLOBAL, Frame, ScopeKey, Tick
from launchguard.core.slo import slo_rules, slo_state_columns, slo_verdict_at
from launchguard.core.verdicts import State

from factories import (
    DEFAULT,
    STEP_S,
    codes,
    context,
    eod_timeline,
    frames,
    merge,
    minute,
    net,
    sev1_timeline,
    stall_timeline,
    unix,
    verdict_of,
)

TRC20, ERC20 = net("trc20"), net("erc20")
LETTER = {State.FIRED: "F", State.CLEAR: "C", State.INCONCLUSIVE: "I"}


def steps(n: int) -> list[Tick]:
    return [minute(i * STEP_S / 60) for i in range(n)]


def cutoff_only(network: str, name: str, n: int) -> dict[str, Frame]:
    """A pair that reports its cut-off at every step but no unsettled count (inconclusive)."""
    return frames(cutoff={(network, name): codes("C" * n, unix(-120), unix(-120))})


TIMELINES = [
    pytest.param(
        eod_timeline({("trc20", "A"): "FFCCII", ("trc20", "B"): "CCFFCC"}),
        "eod_unsettled",
        {TRC20: "FFFFII", ERC20: "IIIIII"},
        id="eod: two pairs firing one after the other keep the network firing, a gap in one"
        " pair beside a clear one is inconclusive, a network without pairs is inconclusive",
    ),
    pytest.param(
        merge(eod_timeline({("trc20", "A"): "FFCCCC"}), eod_timeline({("trc20", "B"): "F"}, 60)),
        "eod_unsettled",
        {TRC20: "FFCCCC"},
        id="eod: a pair that does not report yet (created an hour later) is left out",
    ),
    pytest.param(
        merge(eod_timeline({("trc20", "A"): "FFCCCC"}), cutoff_only("trc20", "B", 6)),
        "eod_unsettled",
        {TRC20: "FFIIII"},
        id="eod: a firing pair outweighs a pair missing an operand, a clear one does not",
    ),
    pytest.param(
        eod_timeline({("trc20", "A"): "FFCC", ("erc20", "B"): "CCFF", ("erc20", "C"): "CNNC"}),
        "eod_unsettled",
        {TRC20: "FFCC", ERC20: "CIFF"},
        id="eod: pairs on two networks fire their own network only; a NaN pair is inconclusive"
        " unless another pair fires",
    ),
    pytest.param(
        stall_timeline({"erc20": "FFCC", "trc20": "CIFN"}),
        "payout_stall",
        {ERC20: "FFCC", TRC20: "CIFI"},
        id="stall: two networks each on their own data; absent or NaN is inconclusive",
    ),
    pytest.param(
        sev1_timeline("FCINF"), "sev1", {GLOBAL: "FCIIF"}, id="sev1: global over a timeline"
    ),
]


@pytest.mark.parametrize(("fr", "criterion", "expected"), TIMELINES)
def test_timeline(fr: dict[str, Frame], criterion: str, expected: Mapping[ScopeKey, str]) -> None:
    ctx = context(fr)
    (rule,) = [r for r in rules(DEFAULT.criteria) if r.name == criterion]
    times = steps(len(next(iter(expected.values()))))
    span = columns.states(ctx, rule, times)
    for scope, spec in expected.items():
        assert "".join(LETTER[s] for s in span[scope]) == spec, "over the span"
        one_by_one = [
            verdict_of(evaluate_all(ctx, DEFAULT.criteria, t), criterion, scope).state
            for t in times
        ]
        assert "".join(LETTER[s] for s in one_by_one) == spec, "one time at a time"


def test_the_evidence_at_each_time_lists_the_pairs_firing_then() -> None:
    ctx = context(eod_timeline({("trc20", "A"): "FFCC", ("trc20", "B"): "CFFC"}))
    listed = [
        sorted(
            str(d["pair"])
            for d in verdict_of(
                evaluate_all(ctx, DEFAULT.criteria, t), "eod_unsettled", TRC20
            ).detail
        )
        for t in steps(4)
    ]
    assert listed == [["A"], ["A", "B"], ["B"], []]


def test_an_slo_over_a_timeline_is_what_it_is_at_each_time() -> None:
    """webhook success 99.5 % met, 97 % breached, absent, NaN and -Inf (invalid) no data."""
    fr = frames(webhook_success=[0.995, 0.97, None, math.nan, -math.inf, 0.99])
    screened = context(fr).frames
    scopes = {name: s.scope for name, s in DEFAULT.signals.items()}
    times = steps(6)
    span = slo_state_columns(DEFAULT.slos, screened, scopes, DEFAULT.networks, times)
    one_by_one = [
        slo_verdict_at(DEFAULT.slos, screened, ("webhook_success", GLOBAL), t).state for t in times
    ]
    assert "".join(LETTER[s] for s in span[("webhook_success", GLOBAL)]) == "CFIIIC"
    assert one_by_one == span[("webhook_success", GLOBAL)]


def test_every_rule_tests_its_operands_by_their_names() -> None:
    """Each criterion's and SLO's test takes its operands as parameters named like the
    fields of its operand tuple, in the same order (they are passed by position)."""
    scopes = {name: s.scope for name, s in DEFAULT.signals.items()}
    every = [*rules(DEFAULT.criteria), *slo_rules(DEFAULT.slos, scopes)]
    assert len(every) == 5 + len(DEFAULT.slos)
    for rule in every:
        fields = getattr(rule.reads, "_fields", None)
        assert fields is not None, f"{rule.name}: operands without names"
        params = tuple(inspect.signature(rule.fires).parameters)
        assert params[: len(fields)] == fields, rule.name
        assert len(params) == len(fields) + 1, f"{rule.name}: then the evaluation time only"
