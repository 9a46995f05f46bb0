"""The five rollback criteria of the launch plan (DESIGN §1), as rules of `core.columns`.

Each criterion names its operands (a NamedTuple of `Read`: signal and offset before t) and
its test on their values, with the config's numbers. `core.columns` evaluates them, over a
span as columns of states or at one time (a span of one) with evidence.
"""

from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

from launchguard.config.domain import Launch
from launchguard.config.models import (
    Criteria,
    EodUnsettled,
    PassthroughRollback,
    PayoutStall,
    Sev1,
    WebhookRollback,
)
from launchguard.core.columns import Context, Read, Rule, pair_index, verdict_at
from launchguard.core.frames import Frames, Tick, tick
from launchguard.core.verdicts import Verdict

V = TypeVar("V")


class PassthroughOperands(NamedTuple, Generic[V]):
    p95_before: V  # p95 pass-through `previous_window` before t
    p95_now: V
    queue_before: V  # queue length `queue_growth_over` before t
    queue_now: V


class StallOperands(NamedTuple, Generic[V]):
    completed: V  # payouts completed over the window (an increase)
    queue_before: V
    queue_now: V


class EodOperands(NamedTuple, Generic[V]):
    unsettled_before: V  # the pair's unsettled sessions `improvement_over` before t
    unsettled_now: V
    cutoff: V  # the pair's latest cut-off, unix seconds


class WebhookOperands(NamedTuple, Generic[V]):
    success: V  # webhook delivery success ratio 0..1
    dead_before: V  # dead-letter queue `growth_over` before t
    dead_now: V


class Sev1Operands(NamedTuple, Generic[V]):
    open_sev1: V


# --- the five rules ---------------------------------------------------------------------------


def passthrough_rule(p: PassthroughRollback) -> Rule:
    """p95@(t - previous_window) > threshold and p95@t > threshold and the queue grows."""
    limit = p.p95_threshold

    def fires(
        p95_before: float, p95_now: float, queue_before: float, queue_now: float, _t: Tick
    ) -> bool:
        return p95_before > limit and p95_now > limit and queue_now > queue_before

    reads = PassthroughOperands(
        p95_before=Read(p.p95_signal, p.previous_window),
        p95_now=Read(p.p95_signal, 0.0),
        queue_before=Read(p.queue_signal, p.queue_growth_over),
        queue_now=Read(p.queue_signal, 0.0),
    )
    return Rule("passthrough_rollback", "network", reads, fires, {"p95_threshold": limit})


def stall_rule(p: PayoutStall) -> Rule:
    """No payout completed in the window, the queue is non-empty and growing."""

    def fires(completed: float, queue_before: float, queue_now: float, _t: Tick) -> bool:
        return completed == 0 and queue_now > 0 and queue_now > queue_before

    reads = StallOperands(
        completed=Read(p.completed_signal, 0.0),
        queue_before=Read(p.queue_signal, p.queue_growth_over),
        queue_now=Read(p.queue_signal, 0.0),
    )
    return Rule("payout_stall", "network", reads, fires)


def eod_rule(p: EodUnsettled) -> Rule:
    """A pair has unsettled sessions ≥ `min_since_cutoff` after its cut-off, not improving."""
    min_since = tick(p.min_since_cutoff)

    def fires(unsettled_before: float, unsettled_now: float, cutoff: float, t: Tick) -> bool:
        return (
            unsettled_now > 0
            and t - tick(cutoff) >= min_since
            and unsettled_now >= unsettled_before
        )

    reads = EodOperands(
        unsettled_before=Read(p.unsettled_signal, p.improvement_over),
        unsettled_now=Read(p.unsettled_signal, 0.0),
        cutoff=Read(p.cutoff_signal, 0.0),
    )
    return Rule("eod_unsettled", "pair", reads, fires, {"min_since_cutoff": p.min_since_cutoff})


def webhook_rule(p: WebhookRollback) -> Rule:
    """Success ratio below threshold and the dead-letter queue growing (global)."""
    limit = p.success_threshold

    def fires(success: float, dead_before: float, dead_now: float, _t: Tick) -> bool:
        return success < limit and dead_now > dead_before

    reads = WebhookOperands(
        success=Read(p.success_signal, 0.0),
        dead_before=Read(p.dead_letter_signal, p.growth_over),
        dead_now=Read(p.dead_letter_signal, 0.0),
    )
    return Rule("webhook_rollback", "global", reads, fires, {"success_threshold": limit})


def sev1_rule(p: Sev1) -> Rule:
    """An open SEV1 incident (global)."""
    limit = p.threshold

    def fires(open_sev1: float, _t: Tick) -> bool:
        return open_sev1 > limit

    reads = Sev1Operands(open_sev1=Read(p.signal, 0.0))
    return Rule("sev1", "global", reads, fires, {"threshold": limit})


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


def context(launch: Launch, frames: Frames, explain: bool = False) -> Context:
    """The rules' context over (screened) `frames`: the launch's networks and the pairs the
    eod_unsettled signals report."""
    eod = launch.criteria.eod_unsettled
    pairs = pair_index(frames, (eod.unsettled_signal, eod.cutoff_signal))
    return Context(frames, launch.networks, pairs, explain)


def evaluate_all(ctx: Context, criteria: Criteria, t: Tick) -> list[Verdict]:
    """Every rollback criterion in every scope at `t` (each a span of one)."""
    return [verdict_at(ctx, rule, key, t) for rule in rules(criteria) for key in ctx.scopes(rule)]
