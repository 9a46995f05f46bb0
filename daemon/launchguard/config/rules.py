"""The `rules` config section: what `launchguard render` generates beside the daemon's own
evaluation — the multi-window multi-burn-rate table (SRE workbook, chapter 5, table 5-8)
as data, the SLO period, the self-monitoring and absent-data thresholds, and where the
runbooks live. Every number is a default here and in `defaults/launch.yaml`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from launchguard.config.durations import Duration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BurnWindow(_Strict):
    """One row of the burn-rate table: alert when the error ratio over both the long and the
    short window exceeds `factor` times the error budget (1 - objective)."""

    long: Duration = Field(gt=0, description="long window, seconds")
    short: Duration = Field(gt=0, description="short window, seconds (resets the alert fast)")
    factor: float = Field(gt=0, description="burn-rate factor: budget spent this many times faster")
    alert: Literal["page", "ticket"] = Field(description="rows of one class form one alert")


def _workbook_table() -> tuple[BurnWindow, ...]:
    hour, minute, day = 3600.0, 60.0, 86400.0
    return (
        BurnWindow(long=hour, short=5 * minute, factor=14.4, alert="page"),
        BurnWindow(long=6 * hour, short=30 * minute, factor=6.0, alert="page"),
        BurnWindow(long=day, short=2 * hour, factor=3.0, alert="ticket"),
        BurnWindow(long=3 * day, short=6 * hour, factor=1.0, alert="ticket"),
    )


class BurnSLO(_Strict):
    """An SLO whose error budget is tracked: `good_ratio_signal` is a signal with a
    `{window}` giving the share of good events (0..1); `objective` is the good share aimed at."""

    good_ratio_signal: str = Field(min_length=1, description="signal: good events / all, 0..1")
    objective: float = Field(gt=0, lt=1, description="target good share, e.g. 0.99")


def _burn_slos() -> dict[str, BurnSLO]:
    return {
        "webhook_success": BurnSLO(good_ratio_signal="webhook_success", objective=0.99),
        "passthrough_p95": BurnSLO(good_ratio_signal="passthrough_fast_share", objective=0.95),
    }


class AbsentSettings(_Strict):
    """Absent-data alerts: every input metric of `metrics` (and `extra_metrics`), per
    configured network for `per_network`; `optional` ones only at severity info."""

    after: Duration = Field(default=600.0, gt=0, description="absent this long before alerting")
    histograms: tuple[str, ...] = Field(
        default=("passthrough_seconds", "eod_settlement_seconds"),
        description="metrics keys that are histograms (their `_count` series is checked)",
    )
    per_network: tuple[str, ...] = Field(
        default=(
            "passthrough_seconds",
            "payout_queue_depth",
            "payout_completed",
            "eod_settlement_seconds",
        ),
        description="metrics keys every configured network must report",
    )
    optional: tuple[str, ...] = Field(
        default=("volume_cap_ratio", "ticket_created_timestamp", "ticket_stage_timestamp"),
        description="metrics keys that may legitimately be missing (alert at severity info)",
    )


class SelfMonitoring(_Strict):
    """Alerts on launchguard itself, from its /metrics as scraped by Prometheus."""

    job: str = Field(default="launchguard", min_length=1, description="scrape job of the daemon")
    down_for: Duration = Field(default=120.0, ge=0, description="`up` absent or 0 this long")
    failing_window: Duration = Field(
        default=600.0, gt=0, description="no successful cycle in this window: evaluation failing"
    )
    stale_after: Duration = Field(
        default=300.0, gt=0, description="last successful evaluation older than this: stale"
    )
    delivery_window: Duration = Field(
        default=600.0, gt=0, description="Alertmanager delivery failures counted over this window"
    )
    alertmanager_sink: str = Field(
        default="alertmanager", description="`sink` label of the Alertmanager sink's failures"
    )


class RulesSettings(_Strict):
    """What `launchguard render` writes: rules/, rules/tests/, dashboards/, docs/runbooks/."""

    group_interval: Duration = Field(
        default=30.0, gt=0, description="rule group evaluation interval, seconds"
    )
    slo_period: Duration = Field(
        default=30 * 86400.0, gt=0, description="error-budget period of the burn-rate SLOs"
    )
    burn_windows: tuple[BurnWindow, ...] = Field(
        default_factory=_workbook_table, min_length=1, description="the burn-rate table"
    )
    burn_slos: dict[str, BurnSLO] = Field(
        default_factory=_burn_slos, description="SLO name (of `slos`) → its good-ratio signal"
    )
    absent: AbsentSettings = AbsentSettings()
    self_monitoring: SelfMonitoring = SelfMonitoring()
    runbook_base_url: str | None = Field(
        default=None,
        description="absolute http(s) URL of docs/runbooks (runbook links are "
        "<runbook_base_url>/<AlertName>.md); unset: links relative to the repository, "
        "which break inside Grafana and Alertmanager",
    )
    extra_metrics: dict[str, str] = Field(
        default_factory=lambda: {
            "payout_stuck_transactions": "clubgate_payout_stuck_transactions",
            "wallet_hot_balance": "clubgate_wallet_hot_balance",
            "wallet_min_hot_balance": "clubgate_wallet_min_hot_balance",
            "wallet_gas_reserve": "clubgate_wallet_gas_reserve",
            "wallet_gas_reserve_min": "clubgate_wallet_gas_reserve_min",
        },
        description="input metrics only the dashboards read (Treasury), by key",
    )

    @field_validator("runbook_base_url")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        """A set base must be an absolute http(s) URL: a relative one breaks in Grafana."""
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(
                f"{value!r} is not an absolute http(s) URL "
                "(e.g. https://github.com/you/repo/blob/main/docs/runbooks); leave it unset "
                "for links relative to the repository"
            )
        return value
