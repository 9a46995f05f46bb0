"""Executive: phase and volume cap vs the actual share of the daily target, SLO tiles, open
rollback recommendations, incidents by severity, launch KPIs, error budget."""

from __future__ import annotations

from typing import Any

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate.dashboards.panels import (
    NET,
    PanelSpec,
    Query,
    Thresholds,
    dashboard,
    slo_thresholds,
)
from launchguard.generate.queries import number

UID = "launchguard-executive"


def build(config: LaunchConfig) -> dict[str, Any]:
    m, r = config.metrics, names.recording_rule
    fallback = "|".join(sorted(names.FALLBACK_ALERTS.values()))
    day = "1d"
    specs = [
        PanelSpec(
            "Volume cap vs actual share of the daily target",
            "percentunit",
            (
                Query(r(config.launch.volume_cap_signal or "volume_cap"), "cap in force"),
                Query(
                    f"sum(increase({m.payout_volume_usd}[{day}])) / scalar({r('daily_target')})",
                    "paid out, trailing 24 h / daily target",
                ),
            ),
            description="The volume level in force (admin console cap) against the share of "
            "the daily target actually paid out over the trailing 24 h.",
            width=16,
        ),
        PanelSpec(
            "Volume level in force",
            "percentunit",
            (Query(r(config.launch.volume_cap_signal or "volume_cap")),),
            kind="stat",
            thresholds=Thresholds("blue"),
            width=8,
        ),
        *(
            PanelSpec(
                f"SLO {slo} ({spec.comparison} {number(spec.objective)})",
                "percentunit" if spec.comparison == ">=" else "s",
                (
                    Query(
                        f"{r(spec.signal)}{{{NET}}}"
                        if "network" in config.signals[spec.signal].scope
                        else r(spec.signal),
                        "{{network}}" if "network" in config.signals[spec.signal].scope else slo,
                    ),
                ),
                kind="stat",
                thresholds=slo_thresholds(spec.objective, spec.comparison),
                width=8,
            )
            for slo, spec in sorted(config.slos.items())
        ),
        PanelSpec(
            "Open rollback recommendations",
            "none",
            (
                Query(
                    f"sum({names.DECISIONS_OPEN}"
                    '{kind=~"partial_rollback|full_rollback"}) or vector(0)',
                    "launchguard decisions",
                ),
                Query(
                    f'count(ALERTS{{alertstate="firing", alertname=~"{fallback}"}}) or vector(0)',
                    "fallback alerts",
                ),
            ),
            kind="stat",
            thresholds=Thresholds("green", ((1, "red"),)),
            width=8,
        ),
        PanelSpec(
            "Open incidents by severity",
            "none",
            (Query(r("incidents_open"), "{{severity}}"),),
            thresholds=Thresholds("green", ((1, "red"),)),
            width=16,
        ),
        PanelSpec(
            "Offer to deal conversion (24 h)",
            "percentunit",
            (Query(f"sum(increase({m.deals}[{day}])) / sum(increase({m.offers}[{day}]))"),),
            kind="stat",
            width=6,
        ),
        PanelSpec(
            "Deals cancelled (24 h)",
            "none",
            (Query(f"sum(increase({m.deals_cancelled}[{day}]))"),),
            kind="stat",
            width=6,
        ),
        PanelSpec(
            "Incidents declared (24 h)",
            "none",
            (Query(f"sum by (severity) (increase({m.incidents_total}[{day}]))", "{{severity}}"),),
            kind="stat",
            width=6,
        ),
        PanelSpec(
            "Partial and T+1 settlements (24 h)",
            "percentunit",
            (
                Query(
                    f'sum(increase({m.eod_settlements}{{outcome!="full"}}[{day}])) '
                    f"/ sum(increase({m.eod_settlements}[{day}]))"
                ),
            ),
            kind="stat",
            width=6,
        ),
        PanelSpec(
            f"Error budget left ({number(config.rules.slo_period / 86400)} d)",
            "percentunit",
            tuple(
                Query(names.budget_remaining_rule(slo) + _net(config, s.good_ratio_signal), slo)
                for slo, s in sorted(config.rules.burn_slos.items())
            ),
            thresholds=Thresholds("red", ((0.25, "yellow"), (0.5, "green"))),
            width=24,
        ),
    ]
    return dashboard(
        config,
        UID,
        "Launch — Executive",
        "Where the launch stands: volume level, SLOs, rollback recommendations, KPIs.",
        specs,
        runbooks=[names.FALLBACK_ALERTS["sev1"], names.slo_breach_alert("passthrough_p95")],
    )


def _net(config: LaunchConfig, signal: str) -> str:
    return f"{{{NET}}}" if "network" in config.signals[signal].scope else ""
