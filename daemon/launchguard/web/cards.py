"""A decision's card on the warroom page: its texts in every language, the actions as a
checklist, the evidence as one small table per window, and a sparkline of its signal with
its scale. Every value with a unit is written in each language's own units."""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

from launchguard.config.durations import parse_duration
from launchguard.notify import NotificationText, texts
from launchguard.notify import formatting as fmt
from launchguard.notify.catalog import Catalog, catalog
from launchguard.web.actions import action_bar, decision_log, ticked
from launchguard.web.common import Json, PageData, Words, fill, scope_text
from launchguard.web.sparkline import sparkline, tick


def decision_card(d: Json, data: PageData, w: Words) -> str:
    by_lang = {lang: texts(d, lang, w.zone) for lang in w.languages}
    first = by_lang[w.languages[0]]
    text_html = "".join(
        f'<section class="text" lang="{lang}"><h4>{escape(t.title)}</h4>'
        f'<p class="summary">{escape(t.summary)}</p><p class="rule">{escape(t.rule)}</p></section>'
        for lang, t in by_lang.items()
    )
    notice = first.partner_notice or next(
        (t.partner_notice for t in by_lang.values() if t.partner_notice), None
    )
    notice_html = (
        f'<details class="partner-notice"><summary>{w.both("chat", "partner_notice")}'
        f'</summary><pre lang="en">{escape(notice)}</pre></details>'
        if notice
        else ""
    )
    opened = fmt.parse_time(d["opened_at"])
    n_obs = len(d["evidence"].get("observations", []))
    notes = [
        w.join([(lang, t.evidence[1 + n_obs + i]) for lang, t in by_lang.items()])
        for i in range(len(first.evidence) - 1 - n_obs)
    ]
    since = w.each(
        lambda cat: cat.render(
            "page",
            "open_since",
            time=w.clock(opened, data.now),
            lasted=fmt.duration(max(0.0, data.now - opened), cat),
        )
    )
    checklist = _checklist(d, by_lang, w, ticked(d, data.status))
    return fill(
        "decision.html",
        kind=escape(d["kind"]),
        layout="" if checklist else " no-checklist",
        id=escape(d["id"]),
        criterion=escape(d["criterion"]),
        kind_labels=w.both("kinds", d["kind"]),
        scope=escape(scope_text(d["scope"])),
        opened_at=escape(d["opened_at"]),
        opened_local=w.time(d["opened_at"]),
        since=since,
        texts=text_html,
        checklist=checklist,
        label_evidence=w.page("evidence"),
        tables=_evidence_tables(d, w),
        evidence_notes="".join(f'<p class="note">{n}</p>' for n in notes),
        sparkline=_chart(d, data, w),
        partner_notice=notice_html,
        actions=action_bar(d, w) if d["resolved_at"] is None else "",
        action_log=decision_log(d, data.status, w),
    )


def _checklist(d: Json, by_lang: Mapping[str, NotificationText], w: Words, done: set[int]) -> str:
    """The actions as ticks (`done`: the steps the warroom ticked, sent to the API by the
    page's script) and the plan's procedure; nothing for a decision without either."""
    shown = list(by_lang.items())
    items = []
    for i in range(len(shown[0][1].actions)):
        spans = "".join(f'<span lang="{lang}">{escape(t.actions[i])}</span>' for lang, t in shown)
        items.append(
            f'<li><label><input type="checkbox" data-step="{i}"'
            f"{' checked' if i in done else ''}> "
            f'<span class="col">{spans}</span></label></li>'
        )
    procedure = "".join(
        f'<p class="procedure" lang="{lang}">{escape(t.procedure)}</p>'
        for lang, t in shown
        if t.procedure
    )
    if not items and not procedure:
        return ""
    listed = f"<ul>{''.join(items)}</ul>" if items else ""
    if procedure:
        procedure = f"<details><summary>{w.page('procedure')}</summary>{procedure}</details>"
    return f'<div class="checklist"><h4>{w.page("checklist")}</h4>{listed}{procedure}</div>'


def _evidence_tables(d: Json, w: Words) -> str:
    """One small table per window (now, 15 min ago, 30 min ago, …)."""
    ev = d["evidence"]
    by_offset: dict[str, list[Json]] = {}
    for o in ev.get("observations", []):
        by_offset.setdefault(o["offset"], []).append(o)
    at = fmt.parse_time(ev["at"])
    out = []
    for offset in sorted(by_offset, key=parse_duration):
        seconds = parse_duration(offset)
        when = (
            w.both("evidence", "now")
            if seconds == 0
            else w.both("evidence", "ago", minutes=round(seconds / 60))
        )
        local = escape(fmt.local_time(at - seconds, w.zone)[11:16])
        rows = []
        for o in by_offset[offset]:
            extra = {k: v for k, v in o["scope"].items() if d["scope"].get(k) != v}
            where = escape(scope_text(extra).replace(", ", ","))
            name = escape(o["signal"]) + (f' <span class="scope">{where}</span>' if extra else "")
            value = (
                w.both("evidence", "missing", reason=o["missing"])
                if "missing" in o
                else w.value(o["signal"], o["value"])
            )
            cls = ' class="missing"' if "missing" in o else ""
            rows.append(f'<tr{cls}><th scope="row">{name}</th><td>{value}</td></tr>')
        out.append(
            f'<table class="window" data-offset="{escape(offset)}">'
            f"<caption>{when} · {local}</caption><tbody>{''.join(rows)}</tbody></table>"
        )
    return "".join(out)


_DURATION_SCALE = (("h", 3600.0, 7200.0), ("min", 60.0, 120.0), ("s", 1.0, 0.0))


def _chart(d: Json, data: PageData, w: Words) -> str:
    """The sparkline with its scale: values in one unit named in the caption (minutes,
    hours or seconds for a duration, % for a ratio), times in the launch's zone."""
    charted = data.charted.get(d["id"])
    if charted is None:
        return ""
    signal, scope = charted
    points = data.series.get((signal, tuple(sorted(scope.items()))), ())
    threshold = _threshold(d, signal)
    unit = catalog("en").unit(signal)
    size, unit_key = 1.0, ""
    if unit == "duration":
        top = max([abs(v) for _, v in points if math.isfinite(v)] or [0.0])
        unit_key, size, _ = next(u for u in _DURATION_SCALE if top >= u[2])
    elif unit == "percent":
        size, unit_key = 0.01, "%"

    def unit_words(cat: Catalog) -> str:
        if unit_key in ("", "%"):
            return f" ({unit_key})" if unit_key else ""
        return f" ({cat.raw('durations', unit_key)})"

    def caption(cat: Catalog) -> str:
        window = fmt.duration(data.settings.sparkline_window, cat)
        return cat.render("page", "sparkline", signal=signal, unit=unit_words(cat), window=window)

    svg = sparkline(
        points,
        threshold,
        caption(catalog(w.languages[0])),
        value_text=lambda v: tick(v / size),
        time_text=lambda t: fmt.local_time(t, w.zone)[11:16],
    )
    if not svg:
        return ""
    return f'<figure class="chart">{svg}<figcaption>{w.each(caption)}</figcaption></figure>'


def _threshold(d: Json, signal: str) -> float | None:
    """The threshold in the signal's unit, drawn as a dashed line (None if there is none)."""
    unit = catalog("en").unit(signal)
    for name, value in d["evidence"].get("thresholds", {}).items():
        own = catalog("en").unit(d["criterion"] if name == "objective" else name)
        if own == unit and isinstance(value, int | float):
            return float(value)
    return None
