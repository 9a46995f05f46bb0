"""The warroom page's tables: SLOs, SLA breaches, recently resolved decisions, health."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from launchguard.notify import formatting as fmt
from launchguard.web.common import Json, Words, scope_text


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str) -> str:
    th = "".join(f'<th scope="col">{h}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def slo_table(st: Json, w: Words) -> str:
    rows = []
    for r in [*st.get("slos", []), *st.get("slo_details", [])]:
        state = {"met": "met", "breached": "breached"}.get(r["state"], "no_data")
        scope = scope_text(r["scope"])
        rows.append(
            [
                escape(r["slo"]),
                escape(scope),
                w.value(r["slo"], r["value"]),
                f"{escape(r['comparison'])} {w.value(r['slo'], r['objective'])}",
                f'<span class="state {state}">{w.page(state)}</span>',
            ]
        )
    head = [w.page(k) for k in ("slo", "scope_col", "value", "objective", "state")]
    return _table(head, rows, "slo-table")


def sla_table(decisions: Sequence[Json], w: Words) -> str:
    if not decisions:
        return f'<p class="none">{w.page("none_sla")}</p>'
    rows = []
    for d in decisions:
        detail = (d["evidence"].get("detail") or [{}])[0]
        due = detail.get("due")
        rows.append(
            [
                escape(str(detail.get("ticket", ""))),
                escape(str(detail.get("priority", ""))),
                escape(d["criterion"].removeprefix("sla_")),
                escape(fmt.local_time(due, w.zone)) if isinstance(due, int | float) else "—",
                w.duration(float(detail.get("late_by") or 0.0)),
                escape(", ".join(detail.get("escalate_to") or [])),
            ]
        )
    head = [w.page(k) for k in ("ticket", "scope_col", "stage", "due", "late_by", "escalate_to")]
    return _table(head, rows, "sla-table")


def resolved_table(decisions: Sequence[Json], w: Words) -> str:
    if not decisions:
        return f'<p class="none">{w.page("none_resolved")}</p>'
    rows = []
    for d in decisions:
        opened, resolved = fmt.parse_time(d["opened_at"]), fmt.parse_time(d["resolved_at"])
        rows.append(
            [
                w.both("kinds", d["kind"]),
                f'<span data-decision-id="{escape(d["id"])}">{escape(d["criterion"])}</span>',
                escape(scope_text(d["scope"])),
                w.time(d["opened_at"]),
                w.time(d["resolved_at"]),
                w.duration(resolved - opened),
            ]
        )
    head = [
        w.page("kind_col"),
        w.page("criterion_col"),
        w.page("scope_col"),
        w.page("opened_col"),
        w.page("resolved_col"),
        w.page("lasted"),
    ]
    return _table(head, rows, "resolved-table")


def health_table(st: Json, w: Words, reachable: bool | None) -> str:
    ev = st["evaluation"]
    yes_no = {True: "answer_yes", False: "answer_no", None: "answer_unknown"}[reachable]
    rows = [
        [w.page("last_cycle"), w.time(ev.get("at"))],
        [w.page("outcome"), escape(str(ev.get("outcome")))],
        [w.page("last_success"), w.time(ev.get("last_success"))],
        [
            w.page("prometheus"),
            f'<span class="state {"met" if reachable else "breached"}">{w.page(yes_no)}</span>',
        ],
    ]
    if ev.get("error"):
        rows.append(["error", escape(str(ev["error"]))])
    body = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    return f'<table class="health-table"><tbody>{body}</tbody></table>'
