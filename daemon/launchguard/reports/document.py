"""A launch report as JSON: times RFC 3339 with the launch zone's offset (Warsaw time),
durations in seconds, shares as ratios 0..1, null where there is no data."""

from __future__ import annotations

from typing import Any

from launchguard.core.decisions import Decision
from launchguard.core.frames import seconds
from launchguard.output.jsonout import coverage_json, decision_json, slo_json
from launchguard.reports.figures import Figures
from launchguard.reports.launch_report import LaunchReport
from launchguard.reports.views import calendar_json, iso

OUTCOMES = ("partial", "t_plus_1")


def qname(quantile: float) -> str:
    """0.95 → 'p95'."""
    return f"p{round(quantile * 100):d}"


def figures_json(f: Figures, zone: str, quantile: float) -> dict[str, Any]:
    q = qname(quantile)
    return {
        "from": iso(f.start, zone),
        "to": iso(f.end, zone),
        "eod_settlements": {
            "total": f.settled(),
            **{f"{o}_share": f.outcome_share(o) for o in OUTCOMES},
            "by_network": {
                net: {
                    "total": f.settled(None, net),
                    "by_outcome": dict(outcomes),
                    **{f"{o}_share": f.outcome_share(o, net) for o in OUTCOMES},
                }
                for net, outcomes in f.settlements.items()
            },
        },
        f"passthrough_{q}_seconds": dict(f.passthrough_p),
        f"eod_{q}_seconds": dict(f.eod_p),
        "webhooks": {
            "deliveries": f.delivered(),
            "success_share": f.webhook_success(),
            "by_partner": {
                p: {"deliveries": f.delivered(None, p), "success_share": f.webhook_success(p)}
                for p in f.webhooks
            },
        },
        "incidents": None if f.incidents is None else dict(sorted(f.incidents.items())),
        "offers": f.offers,
        "deals": f.deals,
        "conversion": f.conversion,
        "cancellations": f.cancellations,
        "cancellation_share": f.cancellation_share,
        "payout_volume_usd": {"total": f.volume_total, "by_network": dict(f.volume_usd)},
        "daily_target_usd": f.daily_target_usd,
    }


def decision_row(d: Decision, zone: str, end: float) -> dict[str, Any]:
    """DESIGN §5's decision JSON, with its duration and local times added."""
    out = decision_json(d)
    out["duration_seconds"] = (
        None if d.resolved_at is None else seconds(d.resolved_at) - seconds(d.opened_at)
    )
    out["open_for_seconds_at_end"] = end - seconds(d.opened_at) if d.resolved_at is None else None
    out["opened_at_local"] = iso(seconds(d.opened_at), zone)
    out["resolved_at_local"] = None if d.resolved_at is None else iso(seconds(d.resolved_at), zone)
    return out


def report_json(r: LaunchReport, quantile: float) -> dict[str, Any]:
    zone = r.timezone
    by_criterion: dict[str, int] = {}
    for d in r.sla:
        by_criterion[d.criterion] = by_criterion.get(d.criterion, 0) + 1
    return {
        "kind": r.kind,
        "timezone": zone,
        "from": iso(r.start, zone),
        "to": iso(r.coverage.end if r.coverage else r.end, zone),
        **coverage_json(r.coverage, lambda t: iso(t, zone)),
        "t0": iso(r.t0, zone),
        "first_eod_settlement": iso(r.first_eod, zone),
        "time_to_first_eod_seconds": r.time_to_first_eod,
        "figures": figures_json(r.figures, zone, quantile),
        "days": [figures_json(day, zone, quantile) for day in r.days],
        "decisions": [decision_row(d, zone, r.end) for d in r.decisions],
        "sla_breaches": {
            "total": len(r.sla),
            "open_at_end": sum(1 for d in r.sla if d.resolved_at is None),
            "by_criterion": dict(sorted(by_criterion.items())),
            "escalations": r.escalations(),
            "decisions": [decision_row(d, zone, r.end) for d in r.sla],
        },
        "at_end": {
            "slos": [slo_json(s) for s in r.slos_at_end],
            "payout_queue": dict(r.queue_at_end),
            "incidents_open": dict(sorted(r.incidents_open_at_end.items())),
            "open_decisions": [d.id for d in r.decisions if d.resolved_at is None],
        },
        "calendar": {
            "at_start": calendar_json(r.calendar_start, zone),
            "at_end": calendar_json(r.calendar_end, zone),
        },
    }
