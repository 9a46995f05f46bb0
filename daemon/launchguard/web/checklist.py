"""The warroom page's cutover checklist (docs/checklist.md): the readiness, then every item
due now or past due, the open ones first (overdue, failing, unknown, awaiting sign-off),
the done ones last, from the status JSON's `checklist`."""

from __future__ import annotations

from html import escape

from launchguard.web.common import Json, Words

ORDER = ("overdue", "failing", "unknown", "pending_signoff", "due", "done")
COLOUR = {"done": "met", "failing": "breached", "overdue": "breached"}  # else: no_data


def checklist_section(st: Json, w: Words) -> str:
    """The section, or "" when the status has no checklist (no T0, or not evaluated yet)."""
    checklist = st.get("checklist")
    if not checklist:
        return ""
    counts = checklist["counts"]
    due = sum(n for state, n in counts.items() if state != "not_yet_due")
    shown = [i for i in checklist.get("items", ()) if i["state"] in ORDER]
    shown.sort(key=lambda i: (ORDER.index(i["state"]), i["due_until"], i["id"]))
    none = f'<p class="none">{w.page("cutover_none_due")}</p>'
    body = _table(shown, w) if shown else none
    ready = "ok" if checklist["ready"] else "open"
    line = w.page("cutover_readiness", done=counts.get("done", 0), due=due)
    return (
        f'<section class="cutover" id="checklist" data-ready="{ready}">'
        f'<h2>{w.page("cutover")}</h2><p class="readiness {ready}">{line}</p>{body}</section>'
    )


_SIGNOFF = ' <button type="button" class="act" data-act="signoff">{}</button>'


def _signable(item: Json) -> bool:
    """A sign-off item not signed off yet gets the page's sign-off button (a warroom action)."""
    return bool(item.get("signoff")) and item["state"] != "done"


def _table(items: list[Json], w: Words) -> str:
    keys = ("cutover_moment", "cutover_item", "cutover_owner", "state", "cutover_due_until")
    head = "".join(f'<th scope="col">{w.page(k)}</th>' for k in (*keys, "cutover_why"))
    rows = []
    for i in items:
        text = w.join([(lang, i["text"][lang]) for lang in w.languages if lang in i["text"]])
        state = i["state"]
        cells = [
            escape(i["moment"]),
            f"<code>{escape(i['id'])}</code> {text}",
            escape(i["owner"]),
            f'<span class="state {COLOUR.get(state, "no_data")}">'
            f"{w.both('page', 'cutover_states', state)}</span>",
            w.time(i["due_until"]),
            escape(i["reason"]) + (_SIGNOFF.format(w.page("act_signoff")) if _signable(i) else ""),
        ]
        tds = "".join(f"<td>{c}</td>" for c in cells)
        rows.append(f'<tr data-item="{escape(i["id"])}" data-state="{state}">{tds}</tr>')
    return (
        f'<table class="cutover-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
