"""Properties of the core that must hold for any data (DESIGN §1):

1. Missing data is never a rollback: a criterion with an operand absent or NaN at t never
   fires at t, and a history in which an operand's signal never has a value opens no decision
   for that criterion (nor, with every signal missing, any decision at all).
2. A fired criterion resolves only after 15 minutes of unbroken clear: every resolved decision
   has clear verdicts at every evaluation of [resolved_at - 15 min, resolved_at], resolves at
   the first evaluation where that holds, and at most one decision is open per
   (criterion, scope) at any time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchguard.config.models import ESCALATION_CRITERION
from launchguard.core.criteria import evaluate_all
from launchguard.core.decisions import DecisionBook, Key
from launchguard.core.frames import GLOBAL, Frame, ScopeKey, Tick
from launchguard.core.verdicts import State, Verdict

from factories import DEFAULT, NOW, Value, context, frames, minute, net, pair, run, unix

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MISSING = object()  # "no sample" in a drawn operand (absent); NaN is drawn as math.nan


# --- 1a. one evaluation time: an operand missing at t never fires ---------------------------


@dataclass(frozen=True)
class Operand:
    """An operand of a criterion, named as in `world` below."""

    criterion: str
    name: str


OPERANDS = (
    Operand("passthrough_rollback", "p95_before"),
    Operand("passthrough_rollback", "p95_now"),
    Operand("passthrough_rollback", "queue_before"),
    Operand("passthrough_rollback", "queue_now"),
    Operand("payout_stall", "completed"),
    Operand("payout_stall", "queue_before"),
    Operand("payout_stall", "queue_now"),
    Operand("eod_unsettled", "unsettled_before"),
    Operand("eod_unsettled", "unsettled_now"),
    Operand("eod_unsettled", "cutoff"),
    Operand("webhook_rollback", "success"),
    Operand("webhook_rollback", "dead_before"),
    Operand("webhook_rollback", "dead_now"),
    Operand("sev1", "sev1"),
)

# Values chosen around each threshold, so that most complete operand sets can fire.
VALUES: dict[str, st.SearchStrategy[float]] = {
    "p95_before": st.sampled_from([0.0, 1799.0, 1800.0, 1801.0, 5000.0, math.inf]),
    "p95_now": st.sampled_from([0.0, 1799.0, 1800.0, 1801.0, 5000.0, math.inf]),
    "queue_before": st.integers(0, 5).map(float),
    "queue_now": st.integers(0, 5).map(float),
    "completed": st.sampled_from([0.0, 0.0, 0.5, 3.0]),
    "unsettled_before": st.integers(0, 5).map(float),
    "unsettled_now": st.integers(0, 5).map(float),
    "cutoff": st.sampled_from([-30.0, 60.0, 89.0, 90.0, 91.0, 300.0]).map(lambda m: unix(NOW - m)),
    "success": st.sampled_from([0.5, 0.97, 0.98, 0.99, 1.0]),
    "dead_before": st.integers(0, 5).map(float),
    "dead_now": st.integers(0, 5).map(float),
    "sev1": st.sampled_from([0.0, 1.0, 2.0]),
}
NAMES = sorted(VALUES)


def reading(name: str) -> st.SearchStrategy[object]:
    """A value, or absent, or NaN (missing a third of the time)."""
    return st.one_of(VALUES[name], VALUES[name], VALUES[name], st.just(MISSING), st.just(math.nan))


def _v(drawn: Mapping[str, object], name: str) -> Value:
    value = drawn[name]
    return None if value is MISSING else float(value)  # type: ignore[arg-type]


def world(drawn: Mapping[str, object]) -> dict[str, Frame]:
    """Every criterion's operands on trc20 (one eod pair) and globally, at NOW."""
    v = {name: _v(drawn, name) for name in NAMES}
    return frames(
        passthrough={"trc20": {NOW - 15: v["p95_before"], NOW: v["p95_now"]}},
        queue={"trc20": {NOW - 30: v["queue_before"], NOW: v["queue_now"]}},
        completed={"trc20": {NOW: v["completed"]}},
        unsettled={("trc20", "A"): {NOW - 15: v["unsettled_before"], NOW: v["unsettled_now"]}},
        cutoff={("trc20", "A"): {NOW: v["cutoff"]}},
        webhook_success={NOW: v["success"]},
        dead_letter={NOW - 15: v["dead_before"], NOW: v["dead_now"]},
        sev1={NOW: v["sev1"]},
    )


def is_missing(value: object) -> bool:
    return value is MISSING or (isinstance(value, float) and math.isnan(value))


@PROPERTY
@given(st.fixed_dictionaries({name: reading(name) for name in NAMES}))
def test_an_operand_missing_at_t_never_fires(drawn: dict[str, object]) -> None:
    verdicts = evaluate_all(context(world(drawn)), DEFAULT.criteria, minute(NOW))
    for criterion in {o.criterion for o in OPERANDS}:
        names = [o.name for o in OPERANDS if o.criterion == criterion]
        missing = [n for n in names if is_missing(drawn[n])]
        if not missing:
            continue
        scope = GLOBAL if criterion in {"webhook_rollback", "sev1"} else net("trc20")
        (verdict,) = [v for v in verdicts if v.criterion == criterion and v.scope == scope]
        assert verdict.state is not State.FIRED, (criterion, missing)
        assert verdict.state is State.INCONCLUSIVE, (criterion, missing)
    # erc20 has no data at all: nothing may fire there.
    assert all(v.state is not State.FIRED for v in verdicts if v.scope == net("erc20"))


# --- 1b. a history: an operand's signal never present opens no decision for it ---------------

START, END = 0.0, 20.0
WARM = 30.0  # minutes of history before START, for the t-15m and t-30m operands

# Which signals each criterion and SLO reads (the shipped config's names).
_c = DEFAULT.criteria
READS: dict[str, set[str]] = {
    "passthrough_rollback": {
        _c.passthrough_rollback.p95_signal,
        _c.passthrough_rollback.queue_signal,
    },
    "payout_stall": {_c.payout_stall.completed_signal, _c.payout_stall.queue_signal},
    "eod_unsettled": {_c.eod_unsettled.unsettled_signal, _c.eod_unsettled.cutoff_signal},
    "webhook_rollback": {
        _c.webhook_rollback.success_signal,
        _c.webhook_rollback.dead_letter_signal,
    },
    "sev1": {_c.sev1.signal},
    **{name: {slo.signal} for name, slo in DEFAULT.slos.items()},
}

# Signal → (scope keys it reports, levels to draw around its thresholds).
SIGNALS: dict[str, tuple[Sequence[ScopeKey], Sequence[float]]] = {
    "passthrough_p95": ([net("erc20"), net("trc20")], [600.0, 1000.0, 2000.0, math.inf]),
    "payout_queue": ([net("erc20"), net("trc20")], [0.0, 10.0]),
    "payouts_completed": ([net("erc20"), net("trc20")], [0.0, 0.0, 4.0]),
    "eod_p95": ([net("erc20"), net("trc20")], [1800.0, 5000.0]),
    "eod_unsettled": ([pair("erc20", "A"), pair("trc20", "B")], [0.0, 5.0]),
    "eod_cutoff": ([pair("erc20", "A"), pair("trc20", "B")], [unix(-200), unix(10)]),
    "webhook_success": ([GLOBAL], [0.9, 0.985, 1.0]),
    "dead_letter": ([GLOBAL], [0.0, 10.0]),
    "sev1_open": ([GLOBAL], [0.0, 1.0]),
    "volume_cap": ([GLOBAL], [0.3, 1.0]),
}


@st.composite
def history(draw: st.DrawFn) -> tuple[dict[str, Frame], dict[str, str]]:
    """Random level-and-slope series per signal and scope; some signals blanked entirely
    (no frame, a frame of NaN, or a frame whose scopes have no samples)."""
    modes = {
        name: draw(st.sampled_from(["present", "present", "no frame", "all NaN", "no samples"]))
        for name in SIGNALS
    }
    steps = round((END - START + WARM) * 2) + 1
    out: dict[str, Frame] = {}
    for name, (keys, levels) in SIGNALS.items():
        mode = modes[name]
        if mode == "no frame":
            continue
        scope = tuple(label for label, _ in keys[0])
        by_key: dict[ScopeKey, dict[Tick, float]] = {}
        for key in keys:
            level = draw(st.sampled_from(levels))
            trend = draw(st.sampled_from([-1, 0, 0, 1]))  # % of the level per step
            points: dict[Tick, float] = {}
            for i in range(steps):
                t = minute(START - WARM + i * 0.5)
                if mode == "all NaN":
                    points[t] = math.nan
                elif mode == "present":
                    grown = level * (1 + trend * i / 100) if math.isfinite(level) else level
                    points[t] = max(0.0, grown)
            by_key[key] = points
        out[name] = Frame(name, scope, by_key)
    return out, modes


@PROPERTY
@given(history())
def test_a_signal_never_present_opens_no_decision_that_reads_it(
    drawn: tuple[dict[str, Frame], dict[str, str]],
) -> None:
    fr, modes = drawn
    blanked = {name for name, mode in modes.items() if mode != "present"}
    outcome = run(fr, START, END)
    for decision in outcome.decisions:
        reads = READS.get(decision.criterion, set())
        assert not reads & blanked, f"{decision.criterion} opened with {reads & blanked} missing"


@st.composite
def missing_history(draw: st.DrawFn) -> dict[str, Frame]:
    """Every signal missing throughout: no frame, scopes without samples, all NaN, or a mix
    of NaN samples and holes."""
    out: dict[str, Frame] = {}
    for name, (keys, _) in SIGNALS.items():
        mode = draw(st.sampled_from(["no frame", "no samples", "all NaN", "mixed"]))
        if mode == "no frame":
            continue
        every = draw(st.integers(2, 7))
        by_key: dict[ScopeKey, dict[Tick, float]] = {}
        for key in keys:
            ticks = [minute(START - WARM + i * 0.5) for i in range(round((END + WARM) * 2) + 1)]
            if mode == "no samples":
                by_key[key] = {}
            elif mode == "all NaN":
                by_key[key] = dict.fromkeys(ticks, math.nan)
            else:
                by_key[key] = {t: math.nan for i, t in enumerate(ticks) if i % every}
        out[name] = Frame(name, tuple(label for label, _ in keys[0]), by_key)
    return out


@PROPERTY
@given(missing_history())
def test_an_all_missing_history_opens_no_decision(fr: dict[str, Frame]) -> None:
    outcome = run(fr, START, END)
    assert outcome.decisions == []
    assert outcome.transitions == []


# --- 2. lifecycle: never resolved before 15 unbroken clear minutes ---------------------------

KEYS: tuple[Key, ...] = (
    ("sev1", GLOBAL),
    ("payout_stall", net("erc20")),
    ("payout_stall", net("trc20")),
    ("eod_unsettled", net("trc20")),
    ("passthrough_p95", net("trc20")),  # an SLO: slo_breach
)
NO_VERDICT = None  # the key gets no verdict at that time (the book treats it as inconclusive)
STATES = [State.FIRED, State.CLEAR, State.CLEAR, State.INCONCLUSIVE, NO_VERDICT]


@st.composite
def runs(draw: st.DrawFn, length: int) -> list[State | None]:
    """`length` states made of runs (1..40 steps) of one state, so long clear runs happen."""
    out: list[State | None] = []
    while len(out) < length:
        out += [draw(st.sampled_from(STATES))] * draw(st.integers(1, 40))
    return out[:length]


@st.composite
def scenario(draw: st.DrawFn) -> tuple[int, int, dict[Key, list[State | None]]]:
    step_s = draw(st.sampled_from([30, 60, 45, 420]))
    clear_for_s = draw(st.sampled_from([900, 300]))
    n = draw(st.integers(10, 150))
    return step_s, clear_for_s, {key: draw(runs(n)) for key in KEYS}


def kind_of(criterion: str) -> str:
    plan = DEFAULT.actions.get(criterion)
    return plan.kind if plan is not None else "slo_breach"


@PROPERTY
@given(scenario())
def test_a_decision_resolves_only_after_unbroken_clear_time(
    drawn: tuple[int, int, dict[Key, list[State | None]]],
) -> None:
    step_s, clear_for_s, states = drawn
    step, clear_for = step_s * 1000, clear_for_s * 1000
    book = DecisionBook(clear_for, DEFAULT.networks, DEFAULT.actions, DEFAULT.levels)
    times = [minute(0) + i * step for i in range(len(states[KEYS[0]]))]
    seen: dict[Key, dict[Tick, State | None]] = {key: {} for key in KEYS}

    for i, t in enumerate(times):
        verdicts = []
        for key in KEYS:
            state = states[key][i]
            seen[key][t] = state
            if state is not None:
                verdicts.append(Verdict(key[0], key[1], t, state))
        book.step(t, verdicts, kind_of, None)

        # At most one decision open per (criterion, scope), and a fired key has one open.
        open_keys = [(d.criterion, d.scope) for d in book.decisions() if d.is_open]
        assert len(open_keys) == len(set(open_keys))
        for key in KEYS:
            if states[key][i] is State.FIRED:
                assert key in open_keys
        # all_networks is open exactly while every network has a partial rollback open.
        partial_networks = {
            dict(d.scope).get("network")
            for d in book.decisions()
            if d.is_open and d.kind == "partial_rollback"
        }
        covered = set(DEFAULT.networks) <= partial_networks
        assert ((ESCALATION_CRITERION, GLOBAL) in open_keys) is covered

    decisions = book.decisions()
    assert len({d.id for d in decisions}) == len(decisions)
    last = times[-1]
    for d in decisions:
        if d.criterion == ESCALATION_CRITERION:
            continue
        history_ = seen[(d.criterion, d.scope)]
        assert history_[d.opened_at] is State.FIRED
        end = last if d.resolved_at is None else d.resolved_at
        # The clear run ending at `end`: walk back while the evaluations are CLEAR.
        run_start = end
        while run_start - step in history_ and history_[run_start - step] is State.CLEAR:
            run_start -= step
        if d.resolved_at is None:
            if history_[last] is State.CLEAR:
                assert last - run_start < clear_for, "clear long enough but still open"
            continue
        assert history_[d.resolved_at] is State.CLEAR
        assert run_start > d.opened_at
        window = [t for t in times if d.resolved_at - clear_for <= t <= d.resolved_at]
        assert all(history_[t] is State.CLEAR for t in window), "resolved inside a broken run"
        assert d.resolved_at - run_start >= clear_for, "resolved before the clear time"
        assert d.resolved_at - step - run_start < clear_for, "resolved later than needed"

    # Decisions of one key never overlap in time.
    for key in KEYS:
        spans = sorted(
            (d.opened_at, d.resolved_at if d.resolved_at is not None else last + 1)
            for d in decisions
            if (d.criterion, d.scope) == key
        )
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
