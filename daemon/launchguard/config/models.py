"""The user-facing launch config (schema version 1), as pydantic models.

Validation happens here, once; `launchguard.config.domain` maps the result into the frozen
domain model the rest of the code uses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from launchguard.config.alertmanager import AlertmanagerSettings
from launchguard.config.checklist import ChecklistSettings
from launchguard.config.daemon import DaemonSettings
from launchguard.config.durations import Duration, SignedDuration, format_duration
from launchguard.config.journal import JournalSettings
from launchguard.config.launchplan import FreezeWindow, PlanSettings
from launchguard.config.prometheus_settings import PrometheusSettings
from launchguard.config.rules import RulesSettings
from launchguard.config.server import ServerSettings
from launchguard.config.support import SupportSettings
from launchguard.config.valuedomains import DomainKind, DomainSettings
from launchguard.config.warroom import WarroomSettings

DecisionKind = Literal[
    "partial_rollback", "full_rollback", "slo_breach", "sla_breach", "volume_guardrail", "promote"
]
ActionStep = Literal[
    "freeze_payouts",
    "eod_off",
    "safe_mode_all_networks",
    "volume_step_down",
    "notify_partners_webhooks_degraded",
]
ROLLBACK_CRITERIA = (
    "passthrough_rollback",
    "payout_stall",
    "eod_unsettled",
    "webhook_rollback",
    "sev1",
)
ESCALATION_CRITERION = "all_networks"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvaluationSettings(Strict):
    interval: Duration = Field(default=30.0, gt=0, description="cycle and backtest step, seconds")
    lookback: Duration = Field(default=21600.0, description="history replayed to rebuild state")
    clear_for: Duration = Field(default=900.0, description="clear time before a decision resolves")


class VolumeLevel(Strict):
    name: str = Field(min_length=1)
    ratio: float = Field(ge=0, le=1)


class Phase(Strict):
    name: str = Field(min_length=1)
    start: SignedDuration | None = Field(description="relative to T0, e.g. -14d; null: open")
    end: SignedDuration | None = Field(description="relative to T0; null: open-ended")
    level: str


class LaunchSettings(Strict):
    timezone: str = "Europe/Warsaw"
    t0: datetime | None = Field(default=None, description="planned T0, local time in `timezone`")
    networks: tuple[str, ...] = Field(default=("erc20", "trc20"), min_length=1)
    volume_levels: tuple[VolumeLevel, ...] = Field(min_length=1)
    phases: tuple[Phase, ...] = ()
    volume_cap_signal: str | None = Field(
        default="volume_cap", description="signal of the volume cap in force (ratio 0..1)"
    )
    freezes: tuple[FreezeWindow, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("networks")
    @classmethod
    def _unique_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("networks must be unique")
        return value


class Metrics(Strict):
    """Input metric names (METRICS.md); placeholders of the signal queries."""

    passthrough_seconds: str = "clubgate_passthrough_seconds"
    payout_queue_depth: str = "clubgate_payout_queue_depth"
    payout_completed: str = "clubgate_payout_completed_total"
    eod_settlement_seconds: str = "clubgate_eod_settlement_seconds"
    trust_unsettled_sessions: str = "clubgate_trust_eod_unsettled_sessions"
    trust_cutoff_timestamp: str = "clubgate_trust_cutoff_timestamp_seconds"
    webhook_deliveries: str = "clubgate_webhook_deliveries_total"
    webhook_dead_letter_depth: str = "clubgate_webhook_dead_letter_depth"
    incidents_open: str = "clubgate_incidents_open"
    volume_cap_ratio: str = "clubgate_launch_volume_cap_ratio"
    payout_volume_usd: str = "clubgate_payout_volume_usd_total"
    launch_daily_target: str = "clubgate_launch_daily_target_usd"
    eod_settlements: str = "clubgate_eod_settlements_total"
    incidents_total: str = "clubgate_incidents_total"
    offers: str = "clubgate_offers_total"
    deals: str = "clubgate_deals_total"
    deals_cancelled: str = "clubgate_deals_cancelled_total"
    ticket_created_timestamp: str = "support_ticket_created_timestamp_seconds"
    ticket_stage_timestamp: str = "support_ticket_stage_timestamp_seconds"


class SignalSpec(Strict):
    scope: tuple[str, ...] = ()
    window: Duration | None = None
    query: str = Field(min_length=1)
    domain: DomainKind = Field(
        default="gauge", description="values a sample can take; others are invalid (absent)"
    )


class SLOSpec(Strict):
    signal: str
    objective: float
    comparison: Literal["<=", ">="]
    detail_signal: str | None = None


class PassthroughRollback(Strict):
    p95_signal: str = "passthrough_p95"
    p95_threshold: float = Field(default=1800.0, gt=0, description="seconds, strict >")
    previous_window: Duration = 900.0
    queue_signal: str = "payout_queue"
    queue_growth_over: Duration = 1800.0


class PayoutStall(Strict):
    completed_signal: str = "payouts_completed"
    queue_signal: str = "payout_queue"
    queue_growth_over: Duration = 1800.0


class EodUnsettled(Strict):
    unsettled_signal: str = "eod_unsettled"
    cutoff_signal: str = "eod_cutoff"
    min_since_cutoff: Duration = 5400.0
    improvement_over: Duration = 900.0


class WebhookRollback(Strict):
    success_signal: str = "webhook_success"
    success_threshold: float = Field(default=0.98, ge=0, le=1)
    dead_letter_signal: str = "dead_letter"
    growth_over: Duration = 900.0


class Sev1(Strict):
    signal: str = "sev1_open"
    threshold: float = Field(default=0.0, ge=0, description="open SEV1 incidents, strict >")


class Criteria(Strict):
    passthrough_rollback: PassthroughRollback = PassthroughRollback()
    payout_stall: PayoutStall = PayoutStall()
    eod_unsettled: EodUnsettled = EodUnsettled()
    webhook_rollback: WebhookRollback = WebhookRollback()
    sev1: Sev1 = Sev1()


class ActionPlan(Strict):
    kind: DecisionKind
    steps: tuple[ActionStep, ...] = Field(min_length=1)


class LaunchConfig(Strict):
    """The whole config file."""

    version: Literal[1] = 1
    prometheus: PrometheusSettings = PrometheusSettings()
    evaluation: EvaluationSettings = EvaluationSettings()
    launch: LaunchSettings
    metrics: Metrics = Metrics()
    signals: dict[str, SignalSpec]
    domains: DomainSettings = DomainSettings()
    slos: dict[str, SLOSpec]
    criteria: Criteria = Criteria()
    actions: dict[str, ActionPlan]
    support: SupportSettings = SupportSettings()
    plan: PlanSettings = PlanSettings()
    alertmanager: AlertmanagerSettings = AlertmanagerSettings()
    journal: JournalSettings = JournalSettings()
    server: ServerSettings = ServerSettings()
    daemon: DaemonSettings = DaemonSettings()
    rules: RulesSettings = RulesSettings()
    warroom: WarroomSettings = WarroomSettings()
    checklist: ChecklistSettings = ChecklistSettings()

    def metric_placeholders(self) -> dict[str, str]:
        """Metric names by key: `metrics` and `rules.extra_metrics` (the checklist's queries)."""
        return {**self.metrics.model_dump(), **self.rules.extra_metrics}

    def render_query(self, name: str) -> str:
        """The signal's PromQL with metric names and its window filled in."""
        spec = self.signals[name]
        values: dict[str, str] = dict(self.metrics.model_dump())
        if spec.window is not None:
            values["window"] = format_duration(spec.window)
        return spec.query.format(**values)
