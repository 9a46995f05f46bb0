"""One real decision per criterion (made by the core, not by hand where the core can), for
the notification and warroom tests: every kind and criterion the shipped config can open."""

from __future__ import annotations

from dataclasses import replace

from launchguard.core import guardrail, sla
from launchguard.core.actions import Action
from launchguard.core.criteria import evaluate_all
from launchguard.core.decisions import Decision, decision_id
from launchguard.core.engine import new_book
from launchguard.core.frames import GLOBAL, Frames
from launchguard.core.slo import as_verdict
from launchguard.core.verdicts import Observation, SLOReading, SLOState, State, Verdict

from factories import (
    DEFAULT,
    NOW,
    context,
    eod_pair,
    merge,
    minute,
    passthrough_case,
    sev1_case,
    stall_case,
    unix,
    webhook_case,
)

CANARY = DEFAULT.levels[1]


def _kind(criterion: str) -> str:
    plan = DEFAULT.actions.get(criterion)
    return plan.kind if plan is not None else "slo_breach"


def _opened(fr: Frames) -> list[Decision]:
    verdicts = evaluate_all(context(fr), DEFAULT.criteria, minute(NOW))
    book = new_book(DEFAULT)
    return [c.decision for c in book.step(minute(NOW), verdicts, _kind, CANARY)]


def rollbacks() -> dict[str, Decision]:
    """criterion → its open decision (trc20 where per network), plus `all_networks`."""
    out: dict[str, Decision] = {}
    for fr in (
        passthrough_case(),
        stall_case(),
        eod_pair(),
        webhook_case(),
        sev1_case(),
        merge(passthrough_case(network="trc20"), passthrough_case(network="erc20")),
    ):
        for d in _opened(fr):
            out.setdefault(d.criterion, d)
    return out


def slo_breaches() -> dict[str, Decision]:
    values = {"passthrough_p95": 1250.0, "eod_p95": 4000.0, "webhook_success": 0.973}
    out = {}
    for name, value in values.items():
        spec = DEFAULT.slos[name]
        scope = GLOBAL if name == "webhook_success" else (("network", "trc20"),)
        reading = SLOReading(
            name, scope, minute(NOW), value, spec.objective, spec.comparison, SLOState.BREACHED
        )
        verdict = as_verdict(reading, spec.signal)
        at = minute(NOW)
        out[name] = Decision(
            decision_id(name, scope, at), "slo_breach", name, scope, at, None, (), verdict
        )
    return out


def sla_breaches() -> dict[str, Decision]:
    support = DEFAULT.config.support
    out = {}
    for criterion, target in (
        ("sla_reaction", 3600.0),
        ("sla_workaround", 14400.0),
        ("sla_resolution", 86400.0),
    ):
        created = unix(0)
        b = sla.Breach(
            criterion,
            "T-1042",
            "p1",
            created,
            target,
            support.stages.of(criterion),
            None,
            support.stages.of(criterion),
            support.escalation_targets(criterion, "p1"),
        )
        ev = sla.evidence(support, b, minute(NOW))
        opened = minute((created + target - unix(0)) / 60)
        out[criterion] = Decision(
            decision_id(criterion, b.scope, opened),
            "sla_breach",
            criterion,
            b.scope,
            opened,
            None,
            sla.actions(b),
            ev,
        )
    return out


def guardrail_decision() -> Decision:
    at = minute(NOW)
    detail = {
        "paid_today_usd": 1_200_000.0,
        "daily_target_usd": 3_500_000.0,
        "share": 1200 / 3500,
        "cap": 0.3,
        "cap_source": "calendar phase canary",
        "day_start": unix(0),
    }
    obs = (
        Observation("payout_volume", GLOBAL, at, 0.0, 1_200_000.0),
        Observation("daily_target", GLOBAL, at, 0.0, 3_500_000.0),
    )
    v = Verdict(guardrail.CRITERION, GLOBAL, at, State.FIRED, obs, {"cap": 0.3}, (detail,))
    return Decision(
        decision_id(guardrail.CRITERION, GLOBAL, at),
        guardrail.KIND,
        guardrail.CRITERION,
        GLOBAL,
        at,
        None,
        (),
        v,
    )


def promote_decision() -> Decision:
    at = minute(NOW)
    full = DEFAULT.levels[0]
    v = Verdict(
        "gonogo",
        GLOBAL,
        at,
        State.FIRED,
        thresholds={"min_met_share": 1.0},
        detail=({"window": "1d", "from": CANARY.name, "to": full.name},),
    )
    step = Action(
        "volume_step_up",
        "Volume one level up: canary (30%) → full (100%).",
        from_level=CANARY,
        to_level=full,
    )
    return Decision(
        decision_id("gonogo", GLOBAL, at), "promote", "gonogo", GLOBAL, at, None, (step,), v
    )


def every_decision() -> dict[str, Decision]:
    """criterion → a decision of it; every criterion and kind of the shipped config."""
    return {
        **rollbacks(),
        **slo_breaches(),
        **sla_breaches(),
        guardrail.CRITERION: guardrail_decision(),
        "gonogo": promote_decision(),
    }


def resolved(d: Decision, after_minutes: float = 20.0) -> Decision:
    return replace(d, resolved_at=d.opened_at + round(after_minutes * 60_000))
