"""Treasury: hot-wallet balances vs min_hot_balance, gas/TRX reserve, payout queue, stuck
transactions, volume by network and asset."""

from __future__ import annotations

from typing import Any

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate.dashboards.panels import NET, PanelSpec, Query, Thresholds, dashboard

UID = "launchguard-treasury"


def build(config: LaunchConfig) -> dict[str, Any]:
    m, x, r = config.metrics, config.rules.extra_metrics, names.recording_rule
    wallet = "network, asset, wallet"
    specs = [
        PanelSpec(
            "Hot-wallet balance vs min_hot_balance",
            "none",
            (
                Query(f"sum by ({wallet}) ({x['wallet_hot_balance']}{{{NET}}})", "{{wallet}}"),
                Query(
                    f"sum by ({wallet}) ({x['wallet_min_hot_balance']}{{{NET}}})",
                    "min {{wallet}}",
                ),
            ),
            description="Token units. Below the minimum, payouts from the wallet stall.",
        ),
        PanelSpec(
            "Hot-wallet headroom (balance / min_hot_balance)",
            "percentunit",
            (
                Query(
                    f"sum by ({wallet}) ({x['wallet_hot_balance']}{{{NET}}}) / "
                    f"sum by ({wallet}) ({x['wallet_min_hot_balance']}{{{NET}}})",
                    "{{wallet}}",
                ),
            ),
            thresholds=Thresholds("red", ((1.0, "yellow"), (1.5, "green"))),
        ),
        PanelSpec(
            "Gas / TRX reserve vs minimum",
            "none",
            (
                Query(f"sum by (network) ({x['wallet_gas_reserve']}{{{NET}}})", "{{network}}"),
                Query(
                    f"sum by (network) ({x['wallet_gas_reserve_min']}{{{NET}}})",
                    "min {{network}}",
                ),
            ),
        ),
        PanelSpec(
            "Payout queue",
            "none",
            (Query(f"{r(config.criteria.payout_stall.queue_signal)}{{{NET}}}", "{{network}}"),),
        ),
        PanelSpec(
            "Stuck transactions",
            "none",
            (
                Query(
                    f"sum by (network) ({x['payout_stuck_transactions']}{{{NET}}})", "{{network}}"
                ),
            ),
            thresholds=Thresholds("green", ((1, "red"),)),
        ),
        PanelSpec(
            "Payouts completed (window)",
            "none",
            (Query(f"{r(config.criteria.payout_stall.completed_signal)}{{{NET}}}", "{{network}}"),),
            thresholds=Thresholds("red", ((1, "green"),)),
        ),
        PanelSpec(
            "Payout volume by network and asset (USD per hour)",
            "currencyUSD",
            (
                Query(
                    f"sum by (network, asset) (rate({m.payout_volume_usd}{{{NET}}}"
                    "[$__rate_interval])) * 3600",
                    "{{network}} {{asset}}",
                ),
            ),
            width=24,
        ),
    ]
    return dashboard(
        config,
        UID,
        "Launch — Treasury",
        "Wallet balances and reserves, the payout queue and volume.",
        specs,
        runbooks=[
            names.FALLBACK_ALERTS["payout_stall"],
            names.FALLBACK_ALERTS["passthrough_rollback"],
        ],
    )
