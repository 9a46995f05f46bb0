"""launchguard itself: cycles, durations, query errors, decisions, freshness, delivery."""

from __future__ import annotations

from typing import Any

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate.dashboards.panels import (
    NET_OR_GLOBAL,
    PanelSpec,
    Query,
    Thresholds,
    dashboard,
)

UID = "launchguard-self"


def build(config: LaunchConfig) -> dict[str, Any]:
    s = config.rules.self_monitoring
    job = f'job="{s.job}"'
    rate = "[$__rate_interval]"
    specs = [
        PanelSpec(
            "Evaluation cycles by outcome (per minute)",
            "none",
            (Query(f"sum by (outcome) (rate({names.CYCLES}{{{job}}}{rate})) * 60", "{{outcome}}"),),
        ),
        PanelSpec(
            "Evaluation duration p95",
            "s",
            (
                Query(
                    "histogram_quantile(0.95, sum by (le) "
                    f"(rate({names.EVALUATION_DURATION}_bucket{{{job}}}{rate})))",
                    "p95",
                ),
            ),
            thresholds=Thresholds("green", ((config.evaluation.interval, "red"),)),
        ),
        PanelSpec(
            "Query errors by kind (per minute)",
            "none",
            (Query(f"sum by (kind) (rate({names.QUERY_ERRORS}{{{job}}}{rate})) * 60", "{{kind}}"),),
        ),
        PanelSpec(
            "Open decisions",
            "none",
            (
                Query(
                    f"sum by (kind, criterion, network) ({names.DECISIONS_OPEN}"
                    f"{{{job}, {NET_OR_GLOBAL}}})",
                    "{{kind}} {{criterion}} {{network}}",
                ),
            ),
        ),
        PanelSpec(
            "Time since the last successful evaluation",
            "s",
            (Query(f"time() - max({names.LAST_SUCCESS}{{{job}}})"),),
            kind="stat",
            thresholds=Thresholds("green", ((s.stale_after, "red"),)),
            width=8,
        ),
        PanelSpec(
            "Evaluation degraded",
            "bool_yes_no",
            (Query(f"max({names.EVALUATION_DEGRADED}{{{job}}})"),),
            kind="stat",
            thresholds=Thresholds("green", ((1, "red"),)),
            width=8,
        ),
        PanelSpec(
            "Scrape target up",
            "bool_yes_no",
            (Query(f"max(up{{{job}}})"),),
            kind="stat",
            thresholds=Thresholds("red", ((1, "green"),)),
            width=8,
        ),
        PanelSpec(
            "Criterion states",
            "none",
            (
                Query(
                    f"sum by (criterion, state) ({names.CRITERION_STATE}"
                    f"{{{job}, {NET_OR_GLOBAL}}})",
                    "{{criterion}} {{state}}",
                ),
            ),
        ),
        PanelSpec(
            "Sink delivery failures (per minute)",
            "none",
            (
                Query(
                    f"sum by (sink) (rate({names.SINK_FAILURES}{{{job}}}{rate})) * 60", "{{sink}}"
                ),
            ),
            thresholds=Thresholds("green", ((0.01, "red"),)),
        ),
    ]
    return dashboard(
        config,
        UID,
        "launchguard — self",
        "Is the daemon evaluating, and are its recommendations getting out?",
        specs,
        runbooks=[
            names.ALERT_DAEMON_DOWN,
            names.ALERT_EVALUATION_FAILING,
            names.ALERT_EVALUATION_STALE,
            names.ALERT_DELIVERY_FAILING,
        ],
    )
