"""SLOs as rules of `core.columns`: one operand, the SLO's signal now, breached (FIRED) when
it misses its objective, no data (INCONCLUSIVE) when absent, NaN or invalid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, NamedTuple, TypeVar

from launchguard.config.models import SLOSpec
from launchguard.core.columns import Context, Read, Rule, states, verdict_at
from launchguard.core.frames import Frames, ScopeKey, Tick
from launchguard.core.verdicts import Observation, SLOReading, SLOState, State, Verdict

V = TypeVar("V")


class SLOOperands(NamedTuple, Generic[V]):
    value: V  # the SLO's signal at t (seconds for latencies, ratio 0..1 for ratios)


def meets(value: float, objective: float, comparison: str) -> bool:
    """Whether `value` meets the objective (`<=` for latencies, `>=` for ratios)."""
    return value <= objective if comparison == "<=" else value >= objective


def slo_rule(name: str, spec: SLOSpec, signal: str, scope: tuple[str, ...]) -> Rule:
    """SLO `name` read from `signal` (its own or its detail signal) whose labels are `scope`:
    per network over every configured network, global, or over the scopes the frame holds."""
    objective, comparison = spec.objective, spec.comparison

    def fires(value: float, _t: Tick) -> bool:
        return not meets(value, objective, comparison)

    kind = "network" if scope == ("network",) else "global" if not scope else "seen"
    return Rule(name, kind, SLOOperands(Read(signal, 0.0)), fires, {"objective": objective})


def slo_rules(slos: Mapping[str, SLOSpec], scopes: Mapping[str, tuple[str, ...]]) -> list[Rule]:
    """Every SLO as a rule (`scopes`: signal → its scope labels)."""
    return [slo_rule(name, spec, spec.signal, scopes[spec.signal]) for name, spec in slos.items()]


_SLO_STATE = {
    State.CLEAR: SLOState.MET,
    State.FIRED: SLOState.BREACHED,
    State.INCONCLUSIVE: SLOState.NO_DATA,
}


def _readings(
    ctx: Context, rules: Sequence[Rule], slos: Mapping[str, SLOSpec], t: Tick
) -> list[SLOReading]:
    out = []
    for rule in rules:
        spec = slos[rule.name]
        for key in ctx.scopes(rule):
            v = verdict_at(ctx, rule, key, t)  # explained: the value even when met
            value = v.observations[0].value
            out.append(
                SLOReading(
                    rule.name, key, t, value, spec.objective, spec.comparison, _SLO_STATE[v.state]
                )
            )
    return out


def read_slos(
    slos: Mapping[str, SLOSpec],
    frames: Frames,
    scopes: Mapping[str, tuple[str, ...]],
    networks: tuple[str, ...],
    t: Tick,
) -> list[SLOReading]:
    """Every SLO in every scope at `t`; absent, NaN or invalid is NO_DATA."""
    ctx = Context(frames, networks, {}, explain=True)
    return _readings(ctx, slo_rules(slos, scopes), slos, t)


def read_details(slos: Mapping[str, SLOSpec], frames: Frames, t: Tick) -> list[SLOReading]:
    """Each SLO's detail signal (e.g. webhook success per partner) at `t`, for display only:
    details never open decisions."""
    rules = [
        slo_rule(name, spec, spec.detail_signal, ("detail",))
        for name, spec in slos.items()
        if spec.detail_signal and spec.detail_signal in frames
    ]
    return _readings(Context(frames, (), {}, explain=True), rules, slos, t)


def as_verdict(reading: SLOReading, signal: str) -> Verdict:
    """An SLO reading as the verdict `slo_verdict_at` gives, so `slo_breach` decisions share
    the lifecycle. A met SLO carries no evidence (no decision opens on it)."""
    state = {v: k for k, v in _SLO_STATE.items()}[reading.state]
    thresholds = {"objective": reading.objective}
    if state is State.CLEAR:
        return Verdict(reading.slo, reading.scope, reading.at, state, (), thresholds)
    obs = (Observation(signal, reading.scope, reading.at, 0.0, reading.value),)
    return Verdict(reading.slo, reading.scope, reading.at, state, obs, thresholds)


def slo_state_columns(
    slos: Mapping[str, SLOSpec],
    frames: Frames,
    scopes: Mapping[str, tuple[str, ...]],
    networks: tuple[str, ...],
    times: Sequence[Tick],
) -> dict[tuple[str, ScopeKey], list[State]]:
    """Each SLO's verdict state per scope over `times` (breached is FIRED, no data is
    INCONCLUSIVE)."""
    ctx = Context(frames, networks, {})
    return {
        (rule.name, key): column
        for rule in slo_rules(slos, scopes)
        for key, column in states(ctx, rule, times).items()
    }


def slo_verdict_at(
    slos: Mapping[str, SLOSpec], frames: Frames, key: tuple[str, ScopeKey], t: Tick
) -> Verdict:
    """The verdict of SLO `key[0]` in scope `key[1]` at `t`, with its evidence (none when
    met)."""
    name, scope = key
    spec = slos[name]
    rule = slo_rule(name, spec, spec.signal, ("network",))  # the scope kind is not read here
    return verdict_at(Context(frames, (), {}), rule, scope, t)
