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
from launchguard.core.frames import ABSENT, GLOBAL, Frames, NoData, Reading, ScopeKey, Tick, tick
from launchguard.core.verdicts import Observation, State, Verdict


@dataclass(frozen=True)
class Context:
    """What every criterion reads: the frames, the configured networks, the pair index."""

    frames: Frames
    networks: tuple[str, ...]
    pairs: dict[str, tuple[ScopeKey, ...]]  # network → pair scope keys seen in the frames
    explain: bool = False  # build evidence for clear verdicts too (check, not backtest)


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


Read = tuple[str, float]
"""An operand: (signal, offset in seconds before t)."""


def _values(ctx: Context, key: ScopeKey, t: Tick, reads: Sequence[Read]) -> list[Reading]:
    out: list[Reading] = []
    for signal, offset in reads:
        frame = ctx.frames.get(signal)
        out.append(frame.at(key, t - tick(offset)) if frame is not None else ABSENT)
    return out


def _verdict(
    ctx: Context,
    name: str,
    key: ScopeKey,
    t: Tick,
    reads: Sequence[Read],
    thresholds: dict[str, float],
    fires: Callable[[list[float]], bool],
    values: list[Reading] | None = None,
) -> Verdict:
    """FIRED/CLEAR from `fires(values)`, INCONCLUSIVE if any operand is NoData.

    Evidence (observations) is built for fired and inconclusive verdicts, and for clear
    ones only when the context asks to explain: a 7-day backtest has ~10^5 clear verdicts.
    """
    values = _values(ctx, key, t, reads) if values is None else values
    if any(isinstance(v, NoData) for v in values):
        state = State.INCONCLUSIVE
    else:
        state = State.FIRED if fires(values) else State.CLEAR  # type: ignore[arg-type]
        if state is State.CLEAR and not ctx.explain:
            return Verdict(name, key, t, state, (), thresholds)
    obs = tuple(
        Observation(signal, key, t - tick(offset), offset, value)
        for (signal, offset), value in zip(reads, values, strict=True)
    )
    return Verdict(name, key, t, state, obs, thresholds)


def passthrough_reads(p: PassthroughRollback) -> tuple[Read, ...]:
    return (
        (p.p95_signal, p.previous_window),
        (p.p95_signal, 0.0),
        (p.queue_signal, p.queue_growth_over),
        (p.queue_signal, 0.0),
    )


def stall_reads(p: PayoutStall) -> tuple[Read, ...]:
    return ((p.completed_signal, 0.0), (p.queue_signal, p.queue_growth_over), (p.queue_signal, 0.0))


def eod_reads(p: EodUnsettled) -> tuple[Read, ...]:
    return (
        (p.unsettled_signal, p.improvement_over),
        (p.unsettled_signal, 0.0),
        (p.cutoff_signal, 0.0),
    )


def webhook_reads(p: WebhookRollback) -> tuple[Read, ...]:
    return (
        (p.success_signal, 0.0),
        (p.dead_letter_signal, p.growth_over),
        (p.dead_letter_signal, 0.0),
    )


def sev1_reads(p: Sev1) -> tuple[Read, ...]:
    return ((p.signal, 0.0),)


def passthrough_rollback(ctx: Context, p: PassthroughRollback, t: Tick) -> list[Verdict]:
    """p95@(t - previous_window) > threshold and p95@t > threshold and the queue grows."""
    reads, limit = passthrough_reads(p), p.p95_threshold
    thresholds = {"p95_threshold": limit}

    def fires(v: list[float]) -> bool:
        return v[0] > limit and v[1] > limit and v[3] > v[2]

    return [
        _verdict(ctx, "passthrough_rollback", network_key(n), t, reads, thresholds, fires)
        for n in ctx.networks
    ]


def payout_stall(ctx: Context, p: PayoutStall, t: Tick) -> list[Verdict]:
    """No payout completed in the window, the queue is non-empty and growing."""
    reads = stall_reads(p)

    def fires(v: list[float]) -> bool:
        return v[0] == 0 and v[2] > 0 and v[2] > v[1]

    return [
        _verdict(ctx, "payout_stall", network_key(n), t, reads, {}, fires) for n in ctx.networks
    ]


def eod_unsettled(ctx: Context, p: EodUnsettled, t: Tick) -> list[Verdict]:
    """Some pair has unsettled sessions ≥ `min_since_cutoff` after its cut-off, not improving.

    The network's verdict: FIRED if any pair fires (its detail lists the firing pairs), else
    INCONCLUSIVE if any pair lacks an operand or no pair of the network reports at t,
    else CLEAR.
    """
    out = []
    reads, min_since = eod_reads(p), tick(p.min_since_cutoff)
    thresholds = {"min_since_cutoff": p.min_since_cutoff}

    def fires(v: list[float]) -> bool:
        return v[1] > 0 and t - tick(v[2]) >= min_since and v[1] >= v[0]

    for network in ctx.networks:
        fired: list[Verdict] = []
        inconclusive: list[Verdict] = []
        reporting = 0  # pairs with any operand at t: none at all is a gap, not health
        for key in ctx.pairs.get(network, ()):
            values = _values(ctx, key, t, reads)
            if all(v is ABSENT for v in values):
                continue  # the pair does not exist at t (not yet created, or retired)
            reporting += 1
            v = _verdict(ctx, "eod_unsettled", key, t, reads, thresholds, fires, values)
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
    limit = p.success_threshold

    def fires(v: list[float]) -> bool:
        return v[0] < limit and v[2] > v[1]

    thresholds = {"success_threshold": limit}
    return [_verdict(ctx, "webhook_rollback", GLOBAL, t, webhook_reads(p), thresholds, fires)]


def sev1(ctx: Context, p: Sev1, t: Tick) -> list[Verdict]:
    """An open SEV1 incident (global)."""
    limit = p.threshold

    def fires(v: list[float]) -> bool:
        return v[0] > limit

    return [_verdict(ctx, "sev1", GLOBAL, t, sev1_reads(p), {"threshold": limit}, fires)]


def operand_offsets(c: Criteria) -> dict[str, set[float]]:
    """signal → the offsets (seconds before t) the criteria read it at, 0 included."""
    reads = (
        *passthrough_reads(c.passthrough_rollback),
        *stall_reads(c.payout_stall),
        *eod_reads(c.eod_unsettled),
        *webhook_reads(c.webhook_rollback),
        *sev1_reads(c.sev1),
    )
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
