"""The warroom page, rendered on the server from the status JSON (GET /api/v1/status), the
recently resolved decisions and the sparkline series. Pure: data in, HTML out.

Layout lives in templates/*.html (string.Template), words in notify/templates/{ru,en}.yaml
(`page:`), so both languages are shown side by side in the configured order. Times are in
the launch's zone (Europe/Warsaw).
"""

from __future__ import annotations

from html import escape

from launchguard.config.warroom import WarroomSettings
from launchguard.core.frames import tick
from launchguard.interfaces import Degraded
from launchguard.notify import degraded_texts
from launchguard.notify import formatting as fmt
from launchguard.notify.catalog import catalog
from launchguard.web.actions import action_log, attempt_button, timeline_view
from launchguard.web.cards import decision_card
from launchguard.web.checklist import checklist_section
from launchguard.web.common import Json, PageData, Words, fill
from launchguard.web.headline import headline, matrix
from launchguard.web.tables import health_table, resolved_table, sla_table, slo_table

ORDER = ("full_rollback", "partial_rollback", "slo_breach", "volume_guardrail", "promote")


def render_page(data: PageData) -> str:
    """The whole page: the shell with the current content inside."""
    w = Words(data.settings.languages, data.status["launch"].get("timezone", "Europe/Warsaw"))
    return fill(
        "page.html",
        lang=w.languages[0],
        title=escape(" · ".join(catalog(lang).raw("page", "title") for lang in w.languages)),
        links=_links(data.settings, w),
        stale=w.page("stale", at="—"),
        refresh_seconds=max(1, round(data.refresh_seconds)),
        refresh_ms=round(data.refresh_seconds * 1000),
        content=render_content(data),
    )


def render_content(data: PageData) -> str:
    """The part of the page the script refreshes (GET /warroom/content)."""
    st = data.status
    w = Words(data.settings.languages, st["launch"].get("timezone", "Europe/Warsaw"))
    decisions = [d for d in st["decisions"] if d["kind"] != "sla_breach"]
    decisions.sort(key=lambda d: (_rank(d["kind"]), d["opened_at"], d["criterion"]))
    sla = [d for d in st["decisions"] if d["kind"] == "sla_breach"]
    level = st["launch"].get("volume_level")
    ev = st["evaluation"]
    reachable = _reachable(st)
    labels = {
        f"label_{k}": w.page(k)
        for k in (
            "phase",
            "freezes",
            "volume",
            "updated",
            "prometheus",
            "open",
            "slos",
            "sla",
            "resolved",
            "health",
            "timeline",
        )
    }
    attempts = st.get("warroom", {}).get("attempts", [])
    rollbacks = {
        (d["criterion"], d["scope"].get("network", "")): d["id"]
        for d in decisions
        if d["kind"] in ("partial_rollback", "full_rollback")
    }
    return fill(
        "content.html",
        headline=headline(decisions, st, data.now, w),
        matrix=matrix(st, rollbacks, w),
        evaluated_to=escape(ev.get("evaluated_to") or ""),
        open_ids=" ".join(d["id"] for d in st["decisions"]),
        resolved_ids=" ".join(d["id"] for d in data.resolved),
        health_class="degraded" if st.get("degraded") else "ok",
        phase=escape(st["launch"].get("phase") or "—"),
        freezes=_freezes(st, w),
        volume=escape(
            fmt.level(level and {"level": level["name"], "ratio": level["ratio"]}, w.first)
        ),
        evaluated=w.time(ev.get("evaluated_to")),
        prometheus=w.page(
            {True: "answer_yes", False: "answer_no", None: "answer_unknown"}[reachable]
        ),
        degraded=_degraded(st, w),
        open_count=len(decisions),
        attempt=attempt_button(w),
        attempts=action_log(attempts, w) if attempts else "",
        decisions="\n".join(decision_card(d, data, w) for d in decisions)
        or f'<p class="none">{w.page("none_open")}</p>',
        slos=slo_table(st, w),
        sla_count=len(sla),
        sla=sla_table(sla, w),
        resolved=resolved_table(data.resolved[: data.settings.recent_resolved], w),
        timeline=timeline_view(data.timeline, w),
        health=health_table(st, w, reachable),
        checklist=checklist_section(st, w),
        **labels,
    )


def _freezes(st: Json, w: Words) -> str:
    """The freezes in force (until when) and to come (from when), in the launch's zone."""
    shown = []
    for f in st.get("freezes", ()):
        state = "active" if f["active"] else "upcoming"
        start, end = (fmt.local_time(fmt.parse_time(f[k]), w.zone) for k in ("from", "to"))
        text = (
            w.page("freeze_active", name=f["name"], end=end)
            if f["active"]
            else w.page("freeze_upcoming", name=f["name"], start=start)
        )
        title = f' title="{escape(f["note"])}"' if f.get("note") else ""
        shown.append(
            f'<span class="freeze {state}" data-freeze="{escape(f["name"])}"{title}>{text}</span>'
        )
    return "".join(shown) or f'<span class="none">{w.page("none_freeze")}</span>'


def _rank(kind: str) -> int:
    return ORDER.index(kind) if kind in ORDER else len(ORDER)


def _reachable(st: Json) -> bool | None:
    ev, degraded = st["evaluation"], st.get("degraded")
    if degraded and degraded.get("reason") == "prometheus_unreachable":
        return False
    if ev.get("outcome") in ("ok", "degraded"):
        return True
    return False if ev.get("outcome") == "failed" else None


def _links(settings: WarroomSettings, w: Words) -> str:
    out = []
    if settings.grafana_url:
        base = settings.grafana_url.rstrip("/")
        for title, path in settings.grafana_dashboards.items():
            out.append(f'<a href="{escape(base + path)}">Grafana · {escape(title)}</a>')
    if settings.alertmanager_url:
        out.append(f'<a href="{escape(settings.alertmanager_url)}">Alertmanager</a>')
    return " ".join(out)


def _degraded(st: Json, w: Words) -> str:
    d = st.get("degraded")
    if not d:
        return ""
    deg = Degraded(d["reason"], tick(fmt.parse_time(d["since"])), d.get("detail") or "")
    rows = [
        f'<p lang="{lang}">{escape(degraded_texts(deg, lang, w.zone)[1])}</p>'
        for lang in w.languages
    ]
    heading = f"<h2>{w.page('degraded')}</h2>"
    return f'<section class="banner degraded" id="degraded">{heading}{"".join(rows)}</section>'
