"""A decision's card on the warroom page: its texts in every language, the actions as a
checklist, the evidence as one small table per window, and a sparkline of its signal."""

from __future__ import annotations

from html import escape

from launchguard.config.durations import parse_duration
from launchguard.notify import formatting as fmt
from launchguard.notify import texts
from launchguard.notify.catalog import catalog
from launchguard.web.common import Json, PageData, Words, fill, scope_text
from launchguard.web.sparkline import sparkline


def decision_card(d: Json, data: PageData, w: Words) -> str:
    by_lang = {lang: texts(d, lang, w.zone) for lang in w.languages}
    first = by_lang[w.languages[0]]
    text_html = "".join(
        f'<section class="text" lang="{lang}"><h4>{escape(t.title)}</h4>'
        f'<p class="summary">{escape(t.summary)}</p><p class="rule">{escape(t.rule)}</p></section>'
        for lang, t in by_lang.items()
    )
    actions = []
    for i in range(len(first.actions)):
        spans = "".join(
            f'<span lang="{lang}">{escape(t.actions[i])}</span>' for lang, t in by_lang.items()
        )
        actions.append(
            f'<li><label><input type="checkbox" data-key="{d["id"]}:{i}"> '
            f'<span class="col">{spans}</span></label></li>'
        )
    procedure = "".join(
        f'<p class="procedure" lang="{lang}">{escape(t.procedure)}</p>'
        for lang, t in by_lang.items()
        if t.procedure
    )
    notice = first.partner_notice or next(
        (t.partner_notice for t in by_lang.values() if t.partner_notice), None
    )
    notice_html = (
        f'<details class="partner-notice" open><summary>{w.both("chat", "partner_notice")}'
        f'</summary><pre lang="en">{escape(notice)}</pre></details>'
        if notice
        else ""
    )
    opened = fmt.parse_time(d["opened_at"])
    n_obs = len(d["evidence"].get("observations", []))
    notes = [line for line in first.evidence[1 + n_obs :]]
    return fill(
        "decision.html",
        kind=escape(d["kind"]),
        id=escape(d["id"]),
        criterion=escape(d["criterion"]),
        kind_labels=w.both("kinds", d["kind"]),
        scope=escape(scope_text(d["scope"])),
        since_label=w.page("since"),
        opened_at=escape(d["opened_at"]),
        opened_local=w.time(d["opened_at"]),
        lasted=f"{w.page('lasted')} {escape(fmt.duration(max(0.0, data.now - opened), w.first))}",
        texts=text_html,
        label_checklist=w.page("checklist"),
        actions="".join(actions),
        procedure=procedure,
        label_evidence=w.page("evidence"),
        tables=_evidence_tables(d, w),
        evidence_notes="".join(f'<p class="note">{escape(n)}</p>' for n in notes),
        sparkline=_chart(d, data, w),
        partner_notice=notice_html,
    )


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
                else escape(fmt.value(o["signal"], o["value"], catalog("en"), w.zone))
            )
            cls = ' class="missing"' if "missing" in o else ""
            rows.append(f'<tr{cls}><th scope="row">{name}</th><td>{value}</td></tr>')
        out.append(
            f'<table class="window" data-offset="{escape(offset)}">'
            f"<caption>{when} · {local}</caption><tbody>{''.join(rows)}</tbody></table>"
        )
    return "".join(out)


def _chart(d: Json, data: PageData, w: Words) -> str:
    charted = data.charted.get(d["id"])
    if charted is None:
        return ""
    signal, scope = charted
    points = data.series.get((signal, tuple(sorted(scope.items()))), ())
    threshold = _threshold(d, signal)
    window = fmt.duration(data.settings.sparkline_window, w.first)
    label = catalog(w.languages[0]).render("page", "sparkline", signal=signal, window=window)
    svg = sparkline(points, threshold, label)
    if not svg:
        return ""
    caption = w.page("sparkline", signal=signal, window=window)
    return f'<figure class="chart">{svg}<figcaption>{caption}</figcaption></figure>'


def _threshold(d: Json, signal: str) -> float | None:
    """The threshold in the signal's unit, drawn as a dashed line (None if there is none)."""
    unit = catalog("en").unit(signal)
    for name, value in d["evidence"].get("thresholds", {}).items():
        own = catalog("en").unit(d["criterion"] if name == "objective" else name)
        if own == unit and isinstance(value, int | float):
            return float(value)
    return None
