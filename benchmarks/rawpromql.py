"""The five rollback criteria written as raw PromQL: DESIGN §6's reference point.

Each expression returns a series for every scope where its criterion fires, and nothing
elsewhere: raw PromQL has no "inconclusive" and no decisions, so it is a floor for the
cost of asking Prometheus, not an equivalent of the evaluation. Metric names, windows,
offsets and thresholds come from the launch config, as the daemon's own queries do.
"""

from __future__ import annotations

from launchguard.config.domain import Launch
from launchguard.config.durations import format_duration


def criteria_queries(launch: Launch) -> dict[str, str]:
    """criterion name → PromQL that returns the scopes where it fires."""
    m = launch.config.metrics
    c = launch.criteria
    window = {name: format_duration(s.window or 0.0) for name, s in launch.config.signals.items()}
    pt, ps = c.passthrough_rollback, c.payout_stall
    eod, wh = c.eod_unsettled, c.webhook_rollback

    def p95(offset: float = 0.0) -> str:
        w = window[pt.p95_signal]
        return (
            "histogram_quantile(0.95, sum by (network, le) "
            f"(rate({m.passthrough_seconds}_bucket[{w}]{_offset(offset)})))"
        )

    def queue(offset: float = 0.0) -> str:
        return f"sum by (network) ({m.payout_queue_depth}{_offset(offset)})"

    def unsettled(offset: float = 0.0) -> str:
        return f"sum by (network, pair) ({m.trust_unsettled_sessions}{_offset(offset)})"

    def dead_letter(offset: float = 0.0) -> str:
        return f"sum({m.webhook_dead_letter_depth}{_offset(offset)})"

    deliveries = m.webhook_deliveries
    success_window = window[wh.success_signal]
    return {
        "passthrough_rollback": (
            f"({p95()} > {pt.p95_threshold:g})"
            f" and on (network) ({p95(pt.previous_window)} > {pt.p95_threshold:g})"
            f" and on (network) ({queue()} > {queue(pt.queue_growth_over)})"
        ),
        "payout_stall": (
            f"(sum by (network) (increase({m.payout_completed}"
            f"[{window[ps.completed_signal]}])) == 0)"
            f" and on (network) ({queue()} > 0)"
            f" and on (network) ({queue()} > {queue(ps.queue_growth_over)})"
        ),
        "eod_unsettled": (
            f"({unsettled()} > 0)"
            f" and on (network, pair) (time() - max by (network, pair)"
            f" ({m.trust_cutoff_timestamp}) >= {eod.min_since_cutoff:g})"
            f" and on (network, pair) ({unsettled()} >= {unsettled(eod.improvement_over)})"
        ),
        "webhook_rollback": (
            f'(sum(increase({deliveries}{{outcome="success"}}[{success_window}]))'
            f" / sum(increase({deliveries}[{success_window}])) < {wh.success_threshold:g})"
            f" and on () ({dead_letter()} > {dead_letter(wh.growth_over)})"
        ),
        "sev1": f'sum({m.incidents_open}{{severity="sev1"}}) > {c.sev1.threshold:g}',
    }


def _offset(seconds: float) -> str:
    return f" offset {format_duration(seconds)}" if seconds else ""
