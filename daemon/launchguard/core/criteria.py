"""The five rollback criteria of the launch plan (DESIGN §1), evaluated at one time.

Each function returns one verdict per scope. A criterion with any operand absent or NaN
in a scope is INCONCLUSIVE there: missing data is never health and never a rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from launchguard.config.models import (
    Criteria,
    EodUnsettled,
    PassthroughRollback,
    PayoutStall,
    Sev1,
    WebhookRollback,
)
from launchguard.core.frames import ABSENT, GLOBAL, Frames, NoData, ScopeKey, Tick, tick
from launchguard.core.verdicts import Observation, State, Verdict


@dataclass(frozen=True)
class Context:
    """What every criterion reads: the frames, the configured networks, the pair index."""

    frames: Frames
    networks: tuple[str, ...]
    pairs: dict[str, tuple[ScopeKey, ...]]  # network → pair scope keys seen in the frames


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


def _read(ctx: Context, signal: str, key: ScopeKey, t: Tick, offset: float = 0.0) -> Observation:
    frame = ctx.frames.get(signal)
    at = t - tick(offset)
    value = frame.at(key, at) if frame is not None else ABSENT
    return Observation(signal, key, at, offset, value)


def _verdict(
    name: str,
    key: ScopeKey,
    t: Tick,
    obs: tuple[Observation, ...],
    thresholds: dict[str, float],
    fires: Callable[[list[float]], bool],
) -> Verdict:
    values = [o.value for o in obs]
    if any(isinstance(v, NoData) for v in values):
        return Verdict(name, key, t, State.INCONCLUSIVE, obs, thresholds)
    numbers = [float(v) for v in values]  # type: ignore[arg-type]  # NoData excluded above
    state = State.FIRED if fires(numbers) else State.CLEAR
    return Verdict(name, key, t, state, obs, thresholds)


def passthrough_rollback(ctx: Context, p: PassthroughRollback, t: Tick) -> list[Verdict]:
    """p95@t > threshold and p95@(t - previous_window) > threshold and the queue grows."""
    out = []
    thresholds = {"p95_threshold": p.p95_threshold}
    for network in ctx.networks:
        key = network_key(network)
        obs = (
            _read(ctx, p.p95_signal, key, t, p.previous_window),
            _read(ctx, p.p95_signal, key, t),
            _read(ctx, p.queue_signal, key, t, p.queue_growth_over),
            _read(ctx, p.queue_signal, key, t),
        )
        out.append(
            _verdict(
                "passthrough_rollback",
                key,
                t,
                obs,
                thresholds,
                lambda v: v[0] > p.p95_threshold and v[1] > p.p95_threshold and v[3] > v[2],
            )
        )
    return out


def payout_stall(ctx: Context, p: PayoutStall, t: Tick) -> list[Verdict]:
    """No payout completed in the window, the queue is non-empty and growing."""
    out = []
    for network in ctx.networks:
        key = network_key(network)
        obs = (
            _read(ctx, p.completed_signal, key, t),
            _read(ctx, p.queue_signal, key, t, p.queue_growth_over),
            _read(ctx, p.queue_signal, key, t),
        )
        out.append(
            _verdict(
                "payout_stall", key, t, obs, {}, lambda v: v[0] == 0 and v[2] > 0 and v[2] > v[1]
            )
        )
    return out


def eod_unsettled(ctx: Context, p: EodUnsettled, t: Tick) -> list[Verdict]:
    """Some pair has unsettled sessions ≥ `min_since_cutoff` after its cut-off, not improving.

    The network's verdict: FIRED if any pair fires (its detail lists the firing pairs), else
    INCONCLUSIVE if any pair lacks an operand or no pair of the network reports at t,
    else CLEAR.
    """
    out = []
    min_since = tick(p.min_since_cutoff)
    thresholds = {"min_since_cutoff": p.min_since_cutoff}
    for network in ctx.networks:
        fired: list[Verdict] = []
        inconclusive: list[Verdict] = []
        reporting = 0  # pairs with any operand at t: none at all is a gap, not health
        for key in ctx.pairs.get(network, ()):
            obs = (
                _read(ctx, p.unsettled_signal, key, t, p.improvement_over),
                _read(ctx, p.unsettled_signal, key, t),
                _read(ctx, p.cutoff_signal, key, t),
            )
            if all(o.value is ABSENT for o in obs):
                continue  # the pair does not exist at t (not yet created, or retired)
            reporting += 1
            v = _verdict(
                "eod_unsettled",
                key,
                t,
                obs,
                thresholds,
                lambda v: v[1] > 0 and t - tick(v[2]) >= min_since and v[1] >= v[0],
            )
            if v.state is State.FIRED:
                fired.append(v)
            elif v.state is State.INCONCLUSIVE:
                inconclusive.append(v)
        key = network_key(network)
        if fired:
            out.append(_network_verdict(key, t, State.FIRED, fired, thresholds))
        elif inconclusive or not reporting:
            out.append(_network_verdict(key, t, State.INCONCLUSIVE, inconclusive, thresholds))
        else:
            out.append(Verdict("eod_unsettled", key, t, State.CLEAR, (), thresholds))
    return out


def _network_verdict(
    key: ScopeKey, t: Tick, state: State, pairs: list[Verdict], thresholds: dict[str, float]
) -> Verdict:
    obs = tuple(o for v in pairs for o in v.observations)
    detail = tuple({"pair": dict(v.scope).get("pair", "")} for v in pairs)
    return Verdict("eod_unsettled", key, t, state, obs, thresholds, detail)


def webhook_rollback(ctx: Context, p: WebhookRollback, t: Tick) -> list[Verdict]:
    """Success ratio below threshold and the dead-letter queue growing (global)."""
    obs = (
        _read(ctx, p.success_signal, GLOBAL, t),
        _read(ctx, p.dead_letter_signal, GLOBAL, t, p.growth_over),
        _read(ctx, p.dead_letter_signal, GLOBAL, t),
    )
    thresholds = {"success_threshold": p.success_threshold}
    return [
        _verdict(
            "webhook_rollback",
            GLOBAL,
            t,
            obs,
            thresholds,
            lambda v: v[0] < p.success_threshold and v[2] > v[1],
        )
    ]


def sev1(ctx: Context, p: Sev1, t: Tick) -> list[Verdict]:
    """An open SEV1 incident (global)."""
    obs = (_read(ctx, p.signal, GLOBAL, t),)
    return [
        _verdict("sev1", GLOBAL, t, obs, {"threshold": p.threshold}, lambda v: v[0] > p.threshold)
    ]


def operand_offsets(c: Criteria) -> dict[str, set[float]]:
    """signal → the offsets (seconds before t) the criteria read it at, 0 included."""
    reads: list[tuple[str, float]] = [
        (c.passthrough_rollback.p95_signal, c.passthrough_rollback.previous_window),
        (c.passthrough_rollback.queue_signal, c.passthrough_rollback.queue_growth_over),
        (c.payout_stall.completed_signal, 0.0),
        (c.payout_stall.queue_signal, c.payout_stall.queue_growth_over),
        (c.eod_unsettled.unsettled_signal, c.eod_unsettled.improvement_over),
        (c.eod_unsettled.cutoff_signal, 0.0),
        (c.webhook_rollback.success_signal, 0.0),
        (c.webhook_rollback.dead_letter_signal, c.webhook_rollback.growth_over),
        (c.sev1.signal, 0.0),
    ]
    out: dict[str, set[float]] = {}
    for signal, offset in reads:
        out.setdefault(signal, {0.0}).add(offset)
    return out


def evaluate_all(ctx: Context, criteria: Criteria, t: Tick) -> list[Verdict]:
    """Every rollback criterion in every scope at `t`."""
    return [
        *passthrough_rollback(ctx, criteria.passthrough_rollback, t),
        *payout_stall(ctx, criteria.payout_stall, t),
        *eod_unsettled(ctx, criteria.eod_unsettled, t),
        *webhook_rollback(ctx, criteria.webhook_rollback, t),
        *sev1(ctx, criteria.sev1, t),
    ]
