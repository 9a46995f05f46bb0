"""The metric families of METRICS.md that the scenario generator writes: name → type, help.

The contract's names, in one table for the history writer, the live exporter and the
scenario checks (a `gap` event may name families from here).
"""

from __future__ import annotations

from typing import Literal

from launchguard.sim.tickets import CREATED as CREATED
from launchguard.sim.tickets import STAGE as STAGE

Kind = Literal["gauge", "counter", "histogram"]

PASSTHROUGH = "clubgate_passthrough_seconds"
QUEUE = "clubgate_payout_queue_depth"
COMPLETED = "clubgate_payout_completed_total"
STUCK = "clubgate_payout_stuck_transactions"
VOLUME = "clubgate_payout_volume_usd_total"
TARGET = "clubgate_launch_daily_target_usd"
CAP = "clubgate_launch_volume_cap_ratio"
EOD = "clubgate_eod_settlement_seconds"
SETTLEMENTS = "clubgate_eod_settlements_total"
UNSETTLED = "clubgate_trust_eod_unsettled_sessions"
CUTOFF = "clubgate_trust_cutoff_timestamp_seconds"
DELIVERIES = "clubgate_webhook_deliveries_total"
DEAD_LETTER = "clubgate_webhook_dead_letter_depth"
INCIDENTS_OPEN = "clubgate_incidents_open"
INCIDENTS = "clubgate_incidents_total"
HOT = "clubgate_wallet_hot_balance"
HOT_MIN = "clubgate_wallet_min_hot_balance"
GAS = "clubgate_wallet_gas_reserve"
GAS_MIN = "clubgate_wallet_gas_reserve_min"
OFFERS = "clubgate_offers_total"
DEALS = "clubgate_deals_total"
CANCELLED = "clubgate_deals_cancelled_total"

FAMILIES: dict[str, tuple[Kind, str]] = {
    PASSTHROUGH: ("histogram", "Time from a confirmed deposit to its confirmed payout."),
    QUEUE: ("gauge", "Payouts waiting in the payout engine."),
    COMPLETED: ("counter", "Payouts confirmed."),
    STUCK: ("gauge", "Broadcast payouts not confirmed past the stuck threshold."),
    VOLUME: ("counter", "USD value of confirmed payouts."),
    TARGET: ("gauge", "The daily volume target that 100% means."),
    CAP: ("gauge", "The volume cap in force."),
    EOD: ("histogram", "Time from a trust pair's cut-off to its EOD settlement."),
    SETTLEMENTS: ("counter", "EOD settlements by outcome."),
    UNSETTLED: ("gauge", "Trust sessions closed at cut-off and not yet settled."),
    CUTOFF: ("gauge", "Unix time of the pair's most recent cut-off."),
    DELIVERIES: ("counter", "Final outcome of each webhook delivery."),
    DEAD_LETTER: ("gauge", "Webhooks parked in the dead-letter queue."),
    INCIDENTS_OPEN: ("gauge", "Open incidents."),
    INCIDENTS: ("counter", "Incidents declared."),
    HOT: ("gauge", "Hot wallet balance in token units."),
    HOT_MIN: ("gauge", "The wallet's min_hot_balance threshold."),
    GAS: ("gauge", "Gas or energy reserve for payouts."),
    GAS_MIN: ("gauge", "The gas reserve threshold."),
    OFFERS: ("counter", "Offers made."),
    DEALS: ("counter", "Offers that became deals."),
    CANCELLED: ("counter", "Deals cancelled."),
    CREATED: ("gauge", "When the ticket was registered."),
    STAGE: ("gauge", "When the ticket reached a stage."),
}

PASSTHROUGH_BUCKETS = (60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 2400.0, 3600.0, 7200.0)
EOD_BUCKETS = (300.0, 600.0, 1200.0, 1800.0, 2700.0, 3600.0, 5400.0, 7200.0, 14400.0)
BUCKETS = {PASSTHROUGH: PASSTHROUGH_BUCKETS, EOD: EOD_BUCKETS}
