"""Webhooks: 15-minute success vs the SLO and the rollback threshold, per-partner success
and failures, dead-letter depth and growth, error-budget burn."""

from __future__ import annotations

from typing import Any

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate.dashboards.panels import PanelSpec, Query, Thresholds, dashboard
from launchguard.generate.queries import shifted, signal

UID = "launchguard-webhooks"


def build(config: LaunchConfig) -> dict[str, Any]:
    m, r = config.metrics, names.recording_rule
    c = config.criteria.webhook_rollback
    slo = config.slos["webhook_success"]
    dead = c.dead_letter_signal
    limits = Thresholds("red", ((c.success_threshold, "orange"), (slo.objective, "green")))
    specs = [
        PanelSpec(
            "Webhook success vs SLO and rollback threshold",
            "percentunit",
            (Query(r(c.success_signal), "all partners"),),
            thresholds=limits,
        ),
        PanelSpec(
            "Webhook success by partner",
            "percentunit",
            (Query(r(slo.detail_signal or c.success_signal), "{{partner}}"),),
            thresholds=limits,
        ),
        PanelSpec(
            "Failed deliveries by partner (per minute)",
            "none",
            (
                Query(
                    f'sum by (partner) (rate({m.webhook_deliveries}{{outcome!="success"}}'
                    "[$__rate_interval])) * 60",
                    "{{partner}}",
                ),
            ),
        ),
        PanelSpec(
            "Dead-letter depth",
            "none",
            (
                Query(r(dead), "all partners"),
                Query(f"sum by (partner) ({m.webhook_dead_letter_depth})", "{{partner}}"),
            ),
        ),
        PanelSpec(
            "Dead-letter growth vs the rollback window",
            "none",
            (Query(f"({signal(config, dead)}) - ({shifted(config, dead, c.growth_over)})"),),
            thresholds=Thresholds("green", ((1, "red"),)),
        ),
        PanelSpec(
            "Error-budget burn rate",
            "none",
            tuple(
                Query(
                    f"{names.error_ratio_rule('webhook_success', w)} / "
                    f"{1 - config.rules.burn_slos['webhook_success'].objective:.10g}",
                    w,
                )
                for w in _windows(config)
            ),
            thresholds=Thresholds("green", ((1, "orange"), (6, "red"))),
        ),
    ]
    return dashboard(
        config,
        UID,
        "Launch — Webhooks",
        "Partner webhook delivery and the dead-letter queue.",
        specs,
        runbooks=[
            names.FALLBACK_ALERTS["webhook_rollback"],
            names.slo_breach_alert("webhook_success"),
            names.budget_burn_alert("webhook_success", "page"),
        ],
    )


def _windows(config: LaunchConfig) -> list[str]:
    from launchguard.generate.queries import window

    return [window(w) for w in sorted({row.long for row in config.rules.burn_windows})]
