"""Config sections of the launch plan beyond the rollback criteria (DESIGN §1, §3; seed 002
sections 6, 7, 8 and 11): freeze windows, the volume guardrail, Go/No-Go and the reports.

Every number is a default in the shipped YAML, never a constant in code.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from launchguard.config.durations import Duration, SignedDuration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FreezeWindow(_Strict):
    """A change freeze relative to T0 (wall-clock in the launch's zone), e.g. code freeze
    T-7d…T+2d."""

    name: str = Field(min_length=1)
    start: SignedDuration
    end: SignedDuration
    note: str = ""


class VolumeGuardrail(_Strict):
    """`volume_guardrail` warns when the share of the daily target paid out since the
    launch-zone midnight exceeds the cap in force (the cap signal, else the calendar)."""

    enabled: bool = True
    volume_signal: str = Field(
        default="payout_volume", description="cumulative USD paid out (a counter, any scope)"
    )
    target_signal: str = Field(default="daily_target", description="the daily target, USD")
    longest_day: Duration = Field(
        default=90000.0,
        description="history read before the first evaluation time to find its day's start"
        " (25 h: the longest day of a zone with DST)",
    )


class GoNoGo(_Strict):
    """The promote recommendation (DESIGN §3): every SLO met over the window, no rollback
    decision open, no SEV1/SEV2 declared, no rollback criterion firing at the decision time."""

    window: Duration = Field(default=86400.0, gt=0, description="seconds before the decision")
    min_met_share: float = Field(
        default=1.0, ge=0, le=1, description="share of evaluations each SLO must be met at"
    )
    incidents_signal: str = "incidents_declared"
    blocking_severities: tuple[str, ...] = ("sev1", "sev2")
    after_phase_start: Duration = Field(
        default=86400.0, description="the scheduled Go/No-Go: this long after canary starts"
    )
    phase: str = "canary"


class ReportSignals(_Strict):
    """Signals the reports read (cumulative counters and histogram buckets, each aggregated
    `by` its scope): increases over the report's range are computed by launchguard."""

    passthrough_buckets: str = "passthrough_buckets"
    eod_buckets: str = "eod_buckets"
    eod_settlements: str = "eod_settlements"
    webhook_deliveries: str = "webhook_outcomes"
    incidents: str = "incidents_declared"
    incidents_open: str = "incidents_open"
    offers: str = "offers"
    deals: str = "deals"
    cancellations: str = "deals_cancelled"
    payout_volume: str = "payout_volume"
    daily_target: str = "daily_target"
    payout_queue: str = "payout_queue"


class Reports(_Strict):
    signals: ReportSignals = ReportSignals()
    quantile: float = Field(default=0.95, gt=0, lt=1, description="of pass-through and EOD")
    step: Duration | None = Field(
        default=None, description="sampling step of the report's series (default: interval)"
    )


class PlanSettings(_Strict):
    """The `plan` section."""

    volume_guardrail: VolumeGuardrail = VolumeGuardrail()
    gonogo: GoNoGo = GoNoGo()
    reports: Reports = Reports()

    def signal_refs(self) -> dict[str, str]:
        """Field path → referenced signal name, for the config's reference checks."""
        refs = {
            "plan.volume_guardrail.volume_signal": self.volume_guardrail.volume_signal,
            "plan.volume_guardrail.target_signal": self.volume_guardrail.target_signal,
            "plan.gonogo.incidents_signal": self.gonogo.incidents_signal,
        }
        for field, name in self.reports.signals.model_dump().items():
            refs[f"plan.reports.signals.{field}"] = name
        return refs
