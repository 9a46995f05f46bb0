"""The five rollback criteria of the launch plan (DESIGN §1).

Each criterion is a `Rule`: the operands it reads (signal, offset before t) and the test
that fires it. A rule is evaluated either at one time, with evidence (`evaluate_all`), or
over a whole span as columns of states (`state_columns`), which is how a backtest stays
fast. Both paths share `Rule.state`. A criterion with any operand absent, NaN or invalid (the
engine screens samples outside their domain out) in a scope is INCONCLUSIVE there: missing
data is never health and never a rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from launchguard.config.models import (
    Criteria,
    EodUnsettled,
    PassthroughRollback,
    PayoutStall,
    Sev1,
    WebhookRollback,
)
from launchguard.core.frames import (
    ABSENT,
    GLOBAL,
    Frames,
    NoData,
    Reading,
    ScopeKey,
    Tick,
    tick,
)
from launchguard.core.verdicts import Observation, State, Verdict

Read = tuple[str, float]
"""An operand: (signal, offset in seconds before t)."""

Fires = Callable[[Sequence[float], Tick], bool]
"""The rule's test on its operand values (all numbers) at time t."""

FIRED, CLEAR, INCONCLUSIVE = State.FIRED, State.CLEAR, State.INCONCLUSIVE
INF = float("inf")


@dataclass(frozen=True)
class Rule:
    """A criterion: its operands, its test, and whether it is per network, global or per pair
    (a per-pair rule yields one verdict per network, listing the pairs)."""

    name: str
    scope: str  # "network" | "global" | "pair"
    reads: tuple[Read, ...]
    fires: Fires
    thresholds: dict[str, float] = field(default_factory=dict)

    def state(self, values: Sequence[float | None], t: Tick) -> State:
        """INCONCLUSIVE if a value is None, NaN or infinite (never in a domain), else FIRED or
        CLEAR by the test."""
        for v in values:
            if v is None or not -INF < v < INF:
                return INCONCLUSIVE
        return FIRED if self.fires(values, t) else CLEAR  # type: ignore[arg-type]


@dataclass(frozen=True)
class Context:
    """What every criterion reads: the frames, the configured networks, the pair index."""

    frames: Frames
    networks: tuple[str, ...]
    pairs: dict[str, tuple[ScopeKey, ...]]  # network → pair scope keys seen in the frames
    explain: bool = False  # build evidence for clear verdicts too (check, not backtest)

    def scopes(self, rule: Rule) -> list[ScopeKey]:
        return [GLOBAL] if rule.scope == "global" else [network_key(n) for n in self.networks]

    def column(
        self, signal: str, key: ScopeKey, offset: float, times: Sequence[Tick]
    ) -> list[float | None]:
        """The signal's values in `key` at each of `times` minus `offset` (None: absent)."""
        frame = self.frames.get(signal)
        series = frame.values.get(key) if frame is not None else None
        if not series:
            return [None] * len(times)
        off = tick(offset)
        return [series.get(t - off) for t in times]


def network_key(network: str) -> ScopeKey:
    return (("network", network),)


def pair_index(frames: Frames, signals: Sequence[str]) -> dict[str, tuple[ScopeKey, ...]]:
    """network → the (network, pair) scope keys that any of `signals` reports."""
    found: dict[str, set[ScopeKey]] = {}
    for name in signals:
        frame = frames.get(name)
        if frame is None:
            continue
        for key in frame.scopes():
            network = dict(key).get("network", "")
            found.setdefault(network, set()).add(key)
    return {net: tuple(sorted(keys)) for net, keys in found.items()}


# --- the five rules ---------------------------------------------------------------------------


def passthrough_rule(p: PassthroughRollback) -> Rule:
    """p95@(t - previous_window) > threshold and p95@t > threshold and the queue grows."""
    limit = p.p95_threshold

    def fires(v: Sequence[float], _t: Tick) -> bool:
        return v[0] > limit and v[1] > limit and v[3] > v[2]

    reads = (
        (p.p95_signal, p.previous_window),
        (p.p95_signal, 0.0),
        (p.queue_signal, p.queue_growth_over),
        (p.queue_signal, 0.0),
    )
    return Rule("passthrough_rollback", "network", reads, fires, {"p95_threshold": limit})


def stall_rule(p: PayoutStall) -> Rule:
    """No payout completed in the window, the queue is non-empty and growing."""

    def fires(v: Sequence[float], _t: Tick) -> bool:
        return v[0] == 0 and v[2] > 0 and v[2] > v[1]

    reads = (
        (p.completed_signal, 0.0),
        (p.queue_signal, p.queue_growth_over),
        (p.queue_signal, 0.0),
    )
    return Rule("payout_stall", "network", reads, fires)


def eod_rule(p: EodUnsettled) -> Rule:
    """A pair has unsettled sessions ≥ `min_since_cutoff` after its cut-off, not improving."""
    min_since = tick(p.min_since_cutoff)

    def fires(v: Sequence[float], t: Tick) -> bool:
        return v[1] > 0 and t - tick(v[2]) >= min_since and v[1] >= v[0]

    reads = (
        (p.unsettled_signal, p.improvement_over),
        (p.unsettled_signal, 0.0),
        (p.cutoff_signal, 0.0),
    )
    return Rule("eod_unsettled", "pair", reads, fires, {"min_since_cutoff": p.min_since_cutoff})


def webhook_rule(p: WebhookRollback) -> Rule:
    """Success ratio below threshold and the dead-letter queue growing (global)."""
    limit = p.success_threshold

    def fires(v: Sequence[float], _t: Tick) -> bool:
        return v[0] < limit and v[2] > v[1]

    reads = (
        (p.success_signal, 0.0),
        (p.dead_letter_signal, p.growth_over),
        (p.dead_letter_signal, 0.0),
    )
    return Rule("webhook_rollback", "global", reads, fires, {"success_threshold": limit})


def sev1_rule(p: Sev1) -> Rule:
    """An open SEV1 incident (global)."""
    limit = p.threshold

    def fires(v: Sequence[float], _t: Tick) -> bool:
        return v[0] > limit

    return Rule("sev1", "global", ((p.signal, 0.0),), fires, {"threshold": limit})


def rules(c: Criteria) -> tuple[Rule, ...]:
    """The five rollback criteria with the config's numbers."""
    return (
        passthrough_rule(c.passthrough_rollback),
        stall_rule(c.payout_stall),
        eod_rule(c.eod_unsettled),
        webhook_rule(c.webhook_rollback),
        sev1_rule(c.sev1),
    )


def operand_offsets(c: Criteria) -> dict[str, set[float]]:
    """signal → the offsets (seconds before t) the criteria read it at, 0 included."""
    out: dict[str, set[float]] = {}
    for rule in rules(c):
        for signal, offset in rule.reads:
            out.setdefault(signal, {0.0}).add(offset)
    return out


# --- at one time, with evidence ---------------------------------------------------------------


def _values(ctx: Context, key: ScopeKey, t: Tick, reads: Sequence[Read]) -> list[Reading]:
    out: list[Reading] = []
    for signal, offset in reads:
        frame = ctx.frames.get(signal)
        out.append(frame.at(key, t - tick(offset)) if frame is not None else ABSENT)
    return out


def verdict_at(ctx: Context, rule: Rule, key: ScopeKey, t: Tick) -> Verdict:
    """The rule's verdict in a network or global scope at `t`."""
    if rule.scope == "pair":
        return _pairs_verdict(ctx, rule, key, t)
    return _verdict(ctx, rule, key, t, _values(ctx, key, t, rule.reads))


def _verdict(ctx: Context, rule: Rule, key: ScopeKey, t: Tick, values: list[Reading]) -> Verdict:
    """Evidence is built for fired and inconclusive verdicts, and for clear ones only when
    the context asks to explain."""
    numbers = [None if isinstance(v, NoData) else v for v in values]
    state = rule.state(numbers, t)
    if state is CLEAR and not ctx.explain:
        return Verdict(rule.name, key, t, state, (), rule.thresholds)
    obs = tuple(
        Observation(signal, key, t - tick(offset), offset, value)
        for (signal, offset), value in zip(rule.reads, values, strict=True)
    )
    return Verdict(rule.name, key, t, state, obs, rule.thresholds)


def _pairs_verdict(ctx: Context, rule: Rule, key: ScopeKey, t: Tick) -> Verdict:
    """FIRED if any pair fires (the detail lists the firing pairs), else INCONCLUSIVE if any
    pair lacks an operand or no pair of the network reports at t, else CLEAR."""
    by_state: dict[State, list[Verdict]] = {FIRED: [], INCONCLUSIVE: [], CLEAR: []}
    for pair in ctx.pairs.get(dict(key).get("network", ""), ()):
        values = _values(ctx, pair, t, rule.reads)
        if all(isinstance(v, NoData) for v in values):
            continue  # the pair does not report at t (not yet created, retired, or no valid value)
        v = _verdict(ctx, rule, pair, t, values)
        by_state[v.state].append(v)
    if by_state[FIRED]:
        state, shown = FIRED, by_state[FIRED]
    elif by_state[INCONCLUSIVE] or not by_state[CLEAR]:
        state, shown = INCONCLUSIVE, by_state[INCONCLUSIVE]
    else:
        state, shown = CLEAR, []
    obs = tuple(o for v in shown for o in v.observations)
    detail = tuple({"pair": dict(v.scope).get("pair", "")} for v in shown)
    return Verdict(rule.name, key, t, state, obs, rule.thresholds, detail)


def evaluate_all(ctx: Context, criteria: Criteria, t: Tick) -> list[Verdict]:
    """Every rollback criterion in every scope at `t`."""
    return [verdict_at(ctx, rule, key, t) for rule in rules(criteria) for key in ctx.scopes(rule)]


# --- over a span, as columns of states ----------------------------------------------------------


def state_columns(ctx: Context, rule: Rule, times: Sequence[Tick]) -> dict[ScopeKey, list[State]]:
    """The rule's state in each scope at each of `times` (same logic as `verdict_at`)."""
    if rule.scope == "pair":
        return {key: _pair_states(ctx, rule, key, times) for key in ctx.scopes(rule)}
    out = {}
    for key in ctx.scopes(rule):
        columns = [ctx.column(signal, key, offset, times) for signal, offset in rule.reads]
        out[key] = [
            rule.state(values, t)
            for values, t in zip(zip(*columns, strict=True), times, strict=True)
        ]
    return out


def _pair_states(ctx: Context, rule: Rule, key: ScopeKey, times: Sequence[Tick]) -> list[State]:
    n = len(times)
    fired, inconclusive, reporting = [False] * n, [False] * n, [False] * n
    for pair in ctx.pairs.get(dict(key).get("network", ""), ()):
        columns = [ctx.column(signal, pair, offset, times) for signal, offset in rule.reads]
        for i, values in enumerate(zip(*columns, strict=True)):
            if all(v is None or v != v for v in values):
                continue
            reporting[i] = True
            state = rule.state(values, times[i])
            if state is FIRED:
                fired[i] = True
            elif state is INCONCLUSIVE:
                inconclusive[i] = True
    return [
        FIRED if f else INCONCLUSIVE if (inc or not rep) else CLEAR
        for f, inc, rep in zip(fired, inconclusive, reporting, strict=True)
    ]
