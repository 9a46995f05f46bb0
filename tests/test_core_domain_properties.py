"""The core never raises on any float and never decides on an invalid one (DESIGN §1).

Every signal the engine reads gets a plausible history with arbitrary floats mixed in (±Inf,
NaN, ±1e308, negatives, subnormals, huge and tiny timestamps, decreasing counters), sprinkled
or as long stretches. The property: the evaluation raises nothing, its evidence renders,
and it takes exactly the decisions (and reports exactly the inconclusive spans) it takes on
the same history with the invalid samples removed. Which samples are invalid is decided
here, from the domains as documented, not by the code under test.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchguard.core.engine import Outcome
from launchguard.core.explain import summary
from launchguard.core.frames import GLOBAL, Frame, ScopeKey, Tick
from launchguard.output.jsonout import decision_json, verdict_json

from factories import minute, net, pair, run, unix

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

START, END, WARM = 0.0, 20.0, 30.0  # minutes; WARM of history before START
TICKS = [minute(START - WARM + i / 2) for i in range(round((END - START + WARM) * 2) + 1)]
Y2000, Y2100 = 946_684_800.0, 4_102_444_800.0  # the shipped plausible-time bounds
RATIO_SLACK = 1e-9  # docs/config.md: a ratio may exceed 1 by float rounding

NETS = [net("erc20"), net("trc20")]
TICKETS_CREATED = [(("priority", "p1"), ("ticket", "T-1")), (("priority", "p2"), ("ticket", "T-2"))]
TICKETS_STAGED = [
    (("stage", "responded"), ("ticket", "T-1")),
    (("stage", "resolved"), ("ticket", "T-2")),
]

# signal → (domain, scope keys, plausible levels drawn around the thresholds)
SIGNALS: dict[str, tuple[str, Sequence[ScopeKey], Sequence[float]]] = {
    "passthrough_p95": ("duration", NETS, [600.0, 2000.0]),
    "eod_p95": ("duration", NETS, [1800.0, 5000.0]),
    "webhook_success": ("ratio", [GLOBAL], [0.9, 1.0]),
    "webhook_success_by_partner": ("ratio", [(("partner", "acme"),)], [0.5, 1.0]),
    "payout_queue": ("count", NETS, [0.0, 10.0]),
    "payouts_completed": ("count", NETS, [0.0, 0.0, 4.0]),
    "eod_unsettled": ("count", [pair("erc20", "A"), pair("trc20", "B")], [0.0, 5.0]),
    "eod_cutoff": ("timestamp", [pair("erc20", "A"), pair("trc20", "B")], [unix(-200), unix(10)]),
    "dead_letter": ("count", [GLOBAL], [0.0, 10.0]),
    "sev1_open": ("count", [GLOBAL], [0.0, 1.0]),
    "volume_cap": ("ratio", [GLOBAL], [0.3, 1.0]),
    "payout_volume": ("count", [(("asset", "usdt"), ("network", "trc20"))], [1e5, 1e6]),
    "daily_target": ("count", [GLOBAL], [1e6]),
    "ticket_created": ("timestamp", TICKETS_CREATED, [unix(-300), unix(-100)]),
    "ticket_stage": ("timestamp", TICKETS_STAGED, [unix(-250), unix(15)]),
}

HOSTILE = st.one_of(
    st.sampled_from(
        [
            *(math.inf, -math.inf, math.nan, 1e308, -1e308, -1.0, -0.0, 5e-324, 1.5, -1e-300),
            *(1e12, Y2100 + 1, Y2000 - 1, Y2000, Y2100, 0.0),  # around the plausible times
            *(2.0**53, 2.0**53 + 2, 1e16),  # around the largest plausible count
        ]
    ),
    st.floats(),  # any float, NaN and infinities included
)


def outside(value: float, domain: str) -> bool:
    """The documented domains: ±Inf and NaN never; ratio [0, 1]; duration and count from 0 to
    2^53; timestamp 2000-01-01 … 2100-01-01."""
    if not math.isfinite(value):
        return True
    if domain == "ratio":
        return not 0.0 <= value <= 1.0 + RATIO_SLACK
    if domain in ("duration", "count"):
        return not 0.0 <= value <= 2.0**53
    return domain == "timestamp" and not Y2000 <= value <= Y2100


@st.composite
def series(draw: st.DrawFn, levels: Sequence[float]) -> dict[Tick, float]:
    """A level with a trend (-2 %: a decreasing counter, a draining queue), then hostile
    floats sprinkled at a few times or over a stretch."""
    level = draw(st.sampled_from(levels))
    trend = draw(st.sampled_from([-2, 0, 0, 1]))
    points = {t: max(0.0, level * (1 + trend * i / 100)) for i, t in enumerate(TICKS)}
    mode = draw(st.sampled_from(["clean", "sprinkled", "sprinkled", "stretch"]))
    if mode == "sprinkled":
        for i in draw(st.lists(st.integers(0, len(TICKS) - 1), max_size=8)):
            points[TICKS[i]] = draw(HOSTILE)
    elif mode == "stretch":
        a = draw(st.integers(0, len(TICKS) - 1))
        b = draw(st.integers(a, len(TICKS) - 1))
        value = draw(HOSTILE)
        points.update({t: value for t in TICKS[a : b + 1]})
    return points


@st.composite
def hostile_history(draw: st.DrawFn) -> dict[str, Frame]:
    out = {}
    for name, (_, keys, levels) in SIGNALS.items():
        scope = tuple(label for label, _ in keys[0])
        out[name] = Frame(name, scope, {key: draw(series(levels)) for key in keys})
    return out


def without_invalid(frames: dict[str, Frame]) -> dict[str, Frame]:
    """The same history with every sample outside its domain absent (scopes kept)."""
    out = {}
    for name, frame in frames.items():
        domain = SIGNALS[name][0]
        values = {
            key: {t: v for t, v in points.items() if not outside(v, domain)}
            for key, points in frame.values.items()
        }
        out[name] = Frame(name, frame.scope, values)
    return out


def decided(outcome: Outcome) -> list[tuple[object, ...]]:
    return [
        (d.id, d.kind, d.criterion, d.scope, d.opened_at, d.resolved_at) for d in outcome.decisions
    ]


@PROPERTY
@given(hostile_history())
def test_arbitrary_floats_never_raise_and_decide_only_what_their_valid_samples_decide(
    frames: dict[str, Frame],
) -> None:
    hostile = run(frames, START, END)
    clean = run(without_invalid(frames), START, END)
    assert decided(hostile) == decided(clean)
    assert _events(hostile) == _events(clean)
    assert hostile.inconclusive == clean.inconclusive
    assert hostile.invalid == _count_invalid(frames)
    # The evidence renders for people and as strict JSON (no bare NaN or Infinity).
    for verdict in hostile.verdicts:
        summary(verdict)
        json.dumps(verdict_json(verdict), allow_nan=False)
    for decision in hostile.decisions:
        summary(decision.evidence)
        json.dumps(decision_json(decision), allow_nan=False)


def _events(outcome: Outcome) -> list[tuple[object, ...]]:
    """Each transition: when the evaluation learnt it, what, which decision."""
    return [(t, tr.event, tr.decision.id, tr.decision.resolved_at) for t, tr in outcome.transitions]


def _count_invalid(frames: dict[str, Frame]) -> dict[str, int]:
    first, last = minute(START), minute(END)
    out = {}
    for name, frame in frames.items():
        n = sum(
            1
            for points in frame.values.values()
            for t, v in points.items()
            if first <= t <= last and outside(v, SIGNALS[name][0])
        )
        if n:
            out[name] = n
    return out
