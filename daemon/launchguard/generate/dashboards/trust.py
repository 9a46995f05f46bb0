"""Trust: p95 EOD settlement vs 60 min, unsettled sessions per pair, time since cut-off,
partial/T+1 share, settlement outcomes."""

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

UID = "launchguard-trust"


def build(config: LaunchConfig) -> dict[str, Any]:
    m, r = config.metrics, names.recording_rule
    eod = config.criteria.eod_unsettled
    slo = config.slos["eod_p95"]
    specs = [
        PanelSpec(
            "EOD settlement p95 vs objective",
            "s",
            (Query(f"{r(slo.signal)}{{{NET}}}", "{{network}}"),),
            thresholds=slo_thresholds(slo.objective, slo.comparison),
        ),
        PanelSpec(
            "Unsettled sessions per pair",
            "none",
            (Query(f"{r(eod.unsettled_signal)}{{{NET}}}", "{{network}} {{pair}}"),),
            thresholds=Thresholds("green", ((1, "orange"),)),
        ),
        PanelSpec(
            "Time since cut-off per pair",
            "s",
            (Query(f"time() - {r(eod.cutoff_signal)}{{{NET}}}", "{{network}} {{pair}}"),),
            description="The rollback criterion looks at pairs still unsettled this long "
            "after their cut-off.",
            thresholds=Thresholds("green", ((eod.min_since_cutoff, "red"),)),
        ),
        PanelSpec(
            "Partial and T+1 share of settlements (24 h)",
            "percentunit",
            (
                Query(
                    f'sum by (network) (increase({m.eod_settlements}{{outcome!="full", {NET}}}'
                    f"[1d])) / sum by (network) (increase({m.eod_settlements}{{{NET}}}[1d]))",
                    "{{network}}",
                ),
            ),
        ),
        PanelSpec(
            "Settlements by outcome (per hour)",
            "none",
            (
                Query(
                    f"sum by (outcome) (rate({m.eod_settlements}{{{NET}}}[$__rate_interval])) "
                    "* 3600",
                    "{{outcome}}",
                ),
            ),
            width=24,
        ),
    ]
    return dashboard(
        config,
        UID,
        "Launch — Trust",
        "EOD settlement of the trust pairs.",
        specs,
        runbooks=[names.FALLBACK_ALERTS["eod_unsettled"], names.slo_breach_alert("eod_p95")],
    )
