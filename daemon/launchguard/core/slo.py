"""SLO states (met / breached / no_data) per scope at one time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from launchguard.config.models import SLOSpec
from launchguard.core.frames import ABSENT, GLOBAL, Frames, NoData, Reading, ScopeKey, Tick
from launchguard.core.verdicts import Observation, SLOReading, SLOState, State, Verdict

INF = float("inf")


def slo_scopes(
    scope: tuple[str, ...], networks: tuple[str, ...], seen: list[ScopeKey]
) -> list[ScopeKey]:
    """Per-network SLOs cover every configured network; global ones the empty scope."""
    if scope == ("network",):
        return [(("network", n),) for n in networks]
    if not scope:
        return [GLOBAL]
    return sorted(seen)


def meets(value: float, objective: float, comparison: str) -> bool:
    """Whether `value` meets the objective (`<=` for latencies, `>=` for ratios)."""
    return value <= objective if comparison == "<=" else value >= objective


def read_slos(
    slos: Mapping[str, SLOSpec],
    frames: Frames,
    scopes: Mapping[str, tuple[str, ...]],
    networks: tuple[str, ...],
    t: Tick,
) -> list[SLOReading]:
    """Every SLO in every scope at `t`; absent or NaN is NO_DATA."""
    out = []
    for name, spec in slos.items():
        frame = frames.get(spec.signal)
        seen = list(frame.scopes()) if frame is not None else []
        for key in slo_scopes(scopes[spec.signal], networks, seen):
            value = frame.at(key, t) if frame is not None else ABSENT
            out.append(
                SLOReading(
                    name, key, t, value, spec.objective, spec.comparison, _state(value, spec)
                )
            )
    return out


def read_details(slos: Mapping[str, SLOSpec], frames: Frames, t: Tick) -> list[SLOReading]:
    """Each SLO's detail signal (e.g. webhook success per partner) at `t`, for display only:
    details never open decisions."""
    out = []
    for name, spec in slos.items():
        frame = frames.get(spec.detail_signal) if spec.detail_signal else None
        if frame is None:
            continue
        for key in sorted(frame.scopes()):
            value = frame.at(key, t)
            out.append(
                SLOReading(
                    name, key, t, value, spec.objective, spec.comparison, _state(value, spec)
                )
            )
    return out


def _state(value: Reading, spec: SLOSpec) -> SLOState:
    if isinstance(value, NoData) or not -INF < value < INF:
        return SLOState.NO_DATA
    return SLOState.MET if meets(value, spec.objective, spec.comparison) else SLOState.BREACHED


_TO_STATE = {
    SLOState.MET: State.CLEAR,
    SLOState.BREACHED: State.FIRED,
    SLOState.NO_DATA: State.INCONCLUSIVE,
}


def as_verdict(reading: SLOReading, signal: str) -> Verdict:
    """An SLO reading as a verdict, so `slo_breach` decisions share the lifecycle.

    A met SLO carries no evidence (no decision opens on it)."""
    state = _TO_STATE[reading.state]
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
    INCONCLUSIVE), the same as `as_verdict(read_slos(...))` time by time."""
    out: dict[tuple[str, ScopeKey], list[State]] = {}
    for name, spec in slos.items():
        frame = frames.get(spec.signal)
        seen = list(frame.scopes()) if frame is not None else []
        for key in slo_scopes(scopes[spec.signal], networks, seen):
            series = frame.values.get(key, {}) if frame is not None else {}
            column = [series.get(t) for t in times]
            out[(name, key)] = [
                State.INCONCLUSIVE
                if v is None or not -INF < v < INF
                else State.CLEAR
                if meets(v, spec.objective, spec.comparison)
                else State.FIRED
                for v in column
            ]
    return out


def slo_verdict_at(
    slos: Mapping[str, SLOSpec], frames: Frames, key: tuple[str, ScopeKey], t: Tick
) -> Verdict:
    """The verdict of SLO `key[0]` in scope `key[1]` at `t`, with its evidence."""
    name, scope = key
    spec = slos[name]
    frame = frames.get(spec.signal)
    value = frame.at(scope, t) if frame is not None else ABSENT
    reading = SLOReading(
        name, scope, t, value, spec.objective, spec.comparison, _state(value, spec)
    )
    return as_verdict(reading, spec.signal)
