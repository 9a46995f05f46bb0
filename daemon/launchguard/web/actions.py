"""The warroom actions on the page: a decision's buttons (acknowledge, note, the §10
declaration form), the page's "new attempt" button, and the log of what was done, with who
and when. The page's script sends them to the API (`warroom_api`) with the tab's token."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from launchguard.core.decisions import ROLLBACK_KINDS
from launchguard.notify import formatting as fmt
from launchguard.web.common import Json, Words, scope_text


def action_bar(d: Json, w: Words) -> str:
    """The buttons of an open decision and, for a rollback, its declaration form (the
    plan's §10 template)."""
    did = escape(d["id"])
    fields = [
        ("by", "act_by", "", False),  # empty: the name the tab was given
        ("what", "act_what", f"{d['kind']}: {d['criterion']}", True),
        ("scope", "act_scope", scope_text(d["scope"]), True),
        ("when", "act_when", "", False),
        ("rollback_of_rollback", "act_undo", "", True),
    ]
    inputs = "".join(
        f'<label>{w.page(label)} <input name="{name}" value="{escape(value)}"'
        f"{' required' if required else ''}></label>"
        for name, label, value, required in fields
    )
    declare = (
        f'<details class="declare"><summary>{w.page("act_declare")}</summary>'
        f'<form class="declare-form" data-act="declare">{inputs}'
        f'<button type="submit">{w.page("act_send")}</button></form></details>'
        if d["kind"] in ROLLBACK_KINDS
        else ""
    )
    return (
        f'<div class="acts" data-decision-id="{did}">'
        f'<button type="button" class="act" data-act="ack">{w.page("act_ack")}</button> '
        f'<button type="button" class="act" data-act="notes">{w.page("act_note")}</button>'
        f"{declare}</div>"
    )


def attempt_button(w: Words) -> str:
    return f'<button type="button" class="act" data-act="attempts">{w.page("act_attempt")}</button>'


def ticked(d: Json, st: Json) -> set[int]:
    """The decision's ticked steps (indexes into its actions) in the status' `warroom`."""
    mine = st.get("warroom", {}).get("decisions", {}).get(d["id"], {})
    return {int(i) for i in mine.get("steps", {})}


def decision_log(d: Json, st: Json, w: Words) -> str:
    """What the warroom did about the decision, oldest first; nothing when nothing."""
    mine = st.get("warroom", {}).get("decisions", {}).get(d["id"])
    if not mine:
        return ""
    done = [*mine["acks"], *mine["declarations"], *mine["steps"].values(), *mine["notes"]]
    return action_log(sorted(done, key=lambda a: a["at"]), w)


def action_log(actions: Sequence[Json], w: Words) -> str:
    items = "".join(f"<li>{action_line(a, w)}</li>" for a in actions)
    return f'<div class="act-log"><h4>{w.page("act_log")}</h4><ul>{items}</ul></div>'


def action_line(a: Json, w: Words) -> str:
    """`<time> who (role) — what was done`."""
    kind = a["kind"]
    if kind == "declare":
        what = w.page(
            "log_declare",
            what=a["what"],
            scope=a["scope"],
            when=fmt.local_time(fmt.parse_time(a.get("when") or a["at"]), w.zone),
            undo=a["rollback_of_rollback"],
        )
    elif kind == "step":
        what = w.page("log_step", step=a["step"] + 1)
    elif kind == "note":
        what = w.page("log_note", text=a["text"])
    else:
        what = w.page("log_ack" if kind == "ack" else "log_attempt")
        if a.get("note"):
            what += f" — {escape(a['note'])}"
    return (
        f'<time datetime="{escape(a["at"])}">{w.time(a["at"])}</time> '
        f'<b class="who">{escape(a["by"])}</b> <span class="role">({escape(a["role"])})</span>'
        f" — {what}"
    )


def timeline_view(events: Sequence[Json], w: Words) -> str:
    """The timeline's latest events, newest first: time, event, what happened."""
    if not events:
        return f'<p class="none">{w.page("none_timeline")}</p>'
    rows = "".join(
        f'<li data-event="{escape(e["event"])}"><time datetime="{escape(e["at"])}">'
        f'{w.time(e["at"])}</time> <span class="event">{escape(e["event"])}</span> '
        f"{escape(e['summary'])}</li>"
        for e in events
    )
    return f'<ol class="timeline">{rows}</ol>'
