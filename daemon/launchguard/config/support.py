"""The `support` config section: the support plan's SLA (DESIGN §2, seed 001) as data.

Targets are durations from registration, counted 24/7 (a day is 86,400 s whatever the
calendar). A priority without a stage's target has no breach for that stage (p4 has only a
reaction target). Escalation rules name who a breach goes to.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from launchguard.config.durations import Duration

SlaCriterion = Literal["sla_reaction", "sla_workaround", "sla_resolution"]
SLA_CRITERIA: tuple[SlaCriterion, ...] = ("sla_reaction", "sla_workaround", "sla_resolution")
"""In stage order: reaction, then workaround, then resolution."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageTargets(_Strict):
    """Seconds from registration to each stage; null: no target for that stage."""

    reaction: Duration | None = None
    workaround: Duration | None = None
    resolution: Duration | None = None

    @model_validator(mode="after")
    def _in_order(self) -> StageTargets:
        given = [t for t in (self.reaction, self.workaround, self.resolution) if t is not None]
        if any(t <= 0 for t in given):
            raise ValueError("targets must be positive durations")
        if given != sorted(given):
            raise ValueError("targets must not decrease from reaction to workaround to resolution")
        return self

    def of(self, criterion: str) -> float | None:
        """The target of an SLA criterion (`sla_reaction` → reaction), seconds."""
        value: float | None = getattr(self, criterion.removeprefix("sla_"))
        return value


class StageLabels(_Strict):
    """The `stage` label values of `support_ticket_stage_timestamp_seconds`."""

    reaction: str = "responded"
    workaround: str = "workaround"
    resolution: str = "resolved"

    def of(self, criterion: str) -> str:
        value: str = getattr(self, criterion.removeprefix("sla_"))
        return value


class Escalation(_Strict):
    """Breaches of `criteria` (for `priorities`, or every priority when null) go to `to`."""

    criteria: tuple[SlaCriterion, ...] = Field(min_length=1)
    priorities: tuple[str, ...] | None = None
    to: str = Field(min_length=1)


def _default_targets() -> dict[str, StageTargets]:
    day = 86400.0
    return {
        "p1": StageTargets(reaction=3600.0, workaround=4 * 3600.0, resolution=day),
        "p2": StageTargets(reaction=4 * 3600.0, workaround=day, resolution=3 * day),
        "p3": StageTargets(reaction=day, workaround=3 * day, resolution=7 * day),
        "p4": StageTargets(reaction=3 * day),
    }


def _default_escalations() -> tuple[Escalation, ...]:
    return (
        Escalation(criteria=("sla_reaction",), to="support coordinator"),
        Escalation(
            criteria=("sla_workaround", "sla_resolution"), priorities=("p1", "p2"), to="CTO and R&D"
        ),
    )


class SupportSettings(_Strict):
    """Support SLA tracking: the two ticket signals, the stage labels, targets, escalation."""

    created_signal: str = Field(
        default="ticket_created", description="signal of registration times, scope ticket+priority"
    )
    stage_signal: str = Field(
        default="ticket_stage", description="signal of stage times, scope ticket+stage"
    )
    stages: StageLabels = StageLabels()
    later_stage_implies_earlier: bool = Field(
        default=True,
        description="a ticket that reached a later stage has reached the earlier ones by then",
    )
    targets: dict[str, StageTargets] = Field(default_factory=_default_targets)
    escalations: tuple[Escalation, ...] = Field(default_factory=_default_escalations)

    def escalation_targets(self, criterion: str, priority: str) -> tuple[str, ...]:
        """Who a breach of `criterion` for a ticket of `priority` goes to, in config order."""
        return tuple(
            e.to
            for e in self.escalations
            if criterion in e.criteria and (e.priorities is None or priority in e.priorities)
        )
