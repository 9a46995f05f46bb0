"""A launch report as Markdown for the warroom, times in the launch's zone (Warsaw)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from launchguard.core.decisions import Decision
from launchguard.core.explain import fmt_value, summary
from launchguard.core.frames import seconds
from launchguard.output.table import scope_text
from launchguard.reports.document import OUTCOMES, qname
from launchguard.reports.figures import Figures
from launchguard.reports.launch_report import LaunchReport
from launchguard.reports.views import calendar_lines, number, pct, span, when

TITLES = {
    "warroom": "Warroom report",
    "daily": "Daily launch report",
    "postmortem": "Launch postmortem report",
}


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table (pipes in cells escaped)."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def kpi_rows(f: Figures, quantile: float) -> list[list[str]]:
    q = qname(quantile)
    settled = f.settled()
    shares = ", ".join(f"{o.replace('_', ' ')} {pct(f.outcome_share(o))}" for o in OUTCOMES)
    per_net = "; ".join(
        f"{net}: {', '.join(f'{o} {number(n)}' for o, n in sorted(outs.items()))}"
        for net, outs in f.settlements.items()
    )
    partners = ", ".join(f"{p} {pct(f.webhook_success(p), 2)}" for p in f.webhooks)
    incidents = (
        "no data"
        if f.incidents is None
        else ", ".join(f"{k.upper()} {number(v)}" for k, v in sorted(f.incidents.items()))
    )
    volume = f.volume_total
    by_net = ", ".join(f"{n} {number(v)}" for n, v in sorted(f.volume_usd.items()))
    return [
        ["EOD settlements", f"{number(settled)} ({shares})" + (f" — {per_net}" if per_net else "")],
        [f"{q} pass-through", _per_network(f.passthrough_p)],
        [f"{q} EOD settlement", _per_network(f.eod_p)],
        [
            "Webhook success",
            f"{pct(f.webhook_success(), 2)} of {number(f.delivered())} deliveries"
            + (f" ({partners})" if partners else ""),
        ],
        ["Incidents declared", incidents],
        [
            "Offer → deal conversion",
            f"{pct(f.conversion)} ({number(f.deals)} deals / {number(f.offers)} offers)",
        ],
        ["Cancellations", f"{number(f.cancellations)} ({pct(f.cancellation_share)} of deals)"],
        [
            "Payout volume",
            f"{number(volume)} USD"
            + (f" ({by_net})" if by_net else "")
            + f"; daily target {number(f.daily_target_usd)} USD",
        ],
    ]


def _per_network(values: Mapping[str, float | None]) -> str:
    if not values:
        return "no data"
    return ", ".join(
        f"{net} {span(v) if v is not None else 'no data'}" for net, v in sorted(values.items())
    )


def decision_rows(decisions: Sequence[Decision], zone: str, end: float) -> list[list[str]]:
    rows = []
    for d in decisions:
        opened = seconds(d.opened_at)
        if d.resolved_at is None:
            resolved, duration = "open", f"{span(end - opened)} so far"
        else:
            resolved, duration = (
                when(seconds(d.resolved_at), zone),
                span(seconds(d.resolved_at) - opened),
            )
        rows.append(
            [d.kind, d.criterion, scope_text(d.scope), when(opened, zone), resolved, duration, d.id]
        )
    return rows


def coverage_text(r: LaunchReport, zone: str) -> str:
    """The range's data: where it ends and what was evaluated."""
    c = r.coverage
    if c is None or c.data_end is None:
        return f"Evaluated to {when(r.end, zone)}."
    text = f"Data until {when(c.data_end, zone)}; evaluated to {when(r.end, zone)}"
    gap = c.without_data
    if gap is None:
        return text + "."
    return text + f"; no data from {when(gap[0], zone)} to {when(gap[1], zone)}."


def render(r: LaunchReport, quantile: float) -> str:
    zone = r.timezone
    requested = r.coverage.end if r.coverage else r.end
    lines = [
        f"# {TITLES.get(r.kind, r.kind)}: {when(r.start, zone)} → {when(requested, zone)}",
        "",
        coverage_text(r, zone),
        "",
        *calendar_lines(r.calendar_end, zone, "evaluated to"),
        "",
        "## Launch KPIs",
        "",
    ]
    if r.t0 is None:
        first = "T0 not configured"
    elif r.first_eod is None:
        first = "no EOD settlement yet"
    else:
        first = f"{span(r.time_to_first_eod)} (T0 {when(r.t0, zone)}, "
        first += f"settled {when(r.first_eod, zone)})"
    rows = [["Time from T0 to the first EOD settlement", first], *kpi_rows(r.figures, quantile)]
    lines += table(["figure", "value"], rows)
    if r.kind == "warroom":
        lines += ["", "## State at the end of the range", ""]
        slo_rows = [
            [
                s.slo,
                scope_text(s.scope),
                fmt_value(s.value),
                f"{s.comparison} {fmt_value(s.objective)}",
                s.state.value,
            ]
            for s in r.slos_at_end
        ]
        lines += table(["SLO", "scope", "value", "objective", "state"], slo_rows)
        queue = ", ".join(f"{n} {number(v)}" for n, v in r.queue_at_end.items())
        open_inc = ", ".join(f"{k.upper()} {number(v)}" for k, v in r.incidents_open_at_end.items())
        lines += [
            "",
            f"Payout queues: {queue or 'no data'}. Open incidents: {open_inc or 'no data'}.",
        ]
    lines += ["", "## Decisions", ""]
    if r.decisions:
        lines += table(
            ["kind", "criterion", "scope", "opened", "resolved", "duration", "id"],
            decision_rows(r.decisions, zone, r.end),
        )
        lines += [""] + [f"- `{d.id}`: {summary(d.evidence)}" for d in r.decisions]
    else:
        lines.append("No decision was open in this range.")
    lines += ["", "## Support SLA breaches", ""]
    if r.sla:
        escalations = ", ".join(f"{k}: {v}" for k, v in r.escalations().items()) or "none"
        open_now = sum(1 for d in r.sla if d.resolved_at is None)
        lines.append(
            f"{len(r.sla)} breach(es), {open_now} open at the end; escalations: {escalations}."
        )
        lines.append("")
        lines += table(
            ["kind", "criterion", "scope", "due (opened)", "reached (resolved)", "late by", "id"],
            decision_rows(r.sla, zone, r.end),
        )
    else:
        lines.append("No SLA breach in this range.")
    if r.days:
        lines += ["", "## Per day", ""]
        for day in r.days:
            lines += [f"### {when(day.start, zone)} → {when(day.end, zone)}", ""]
            lines += [*table(["figure", "value"], kpi_rows(day, quantile)), ""]
    return "\n".join(lines).rstrip() + "\n"
