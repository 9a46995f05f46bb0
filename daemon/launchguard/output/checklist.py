"""The checklist for people (a table) and for tools (JSON, times in RFC 3339 UTC); the same
JSON serves `launchguard checklist --format json`, `/api/v1/status` and the warroom page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from launchguard.config.checklist import ChecklistItem
from launchguard.core.checklist import ItemStatus, readiness, readiness_line
from launchguard.core.frames import tick
from launchguard.output.table import columns
from launchguard.output.timefmt import json_number, local, rfc3339


def item_text(item: ChecklistItem, languages: Sequence[str]) -> str:
    """The item's text in the first of `languages` it has, else its first text."""
    for lang in languages:
        if lang in item.text:
            return item.text[lang]
    return next(iter(item.text.values()))


def status_json(s: ItemStatus) -> dict[str, Any]:
    item = s.item
    out: dict[str, Any] = {
        "id": item.id,
        "moment": item.moment,
        "owner": item.owner,
        "text": dict(item.text),
        "due_from": rfc3339(tick(item.due_from)),
        "due_until": rfc3339(tick(item.due_until)),
        "state": s.state.value,
        "reason": s.reason,
        "signoff": item.check is None,
    }
    if item.check is not None:
        out["check"] = {
            "query": item.check.query,
            "comparison": item.check.comparison,
            "threshold": item.check.threshold,
            "evaluated_at": None if s.evaluated_at is None else rfc3339(tick(s.evaluated_at)),
            "evidence": [
                {
                    "scope": dict(r.scope),
                    "value": None if r.value is None else json_number(r.value),
                    "ok": r.ok,
                }
                for r in s.evidence
            ],
        }
    return out


def readiness_json(statuses: Sequence[ItemStatus]) -> dict[str, Any]:
    """{line, ready, counts, open}: `open` the ids due or overdue and not done."""
    r = readiness(statuses)
    return {
        "line": readiness_line(r),
        "ready": r.ready,
        "counts": dict(r.counts),
        "open": [s.item.id for s in r.open],
    }


def checklist_json(statuses: Sequence[ItemStatus], at: float) -> dict[str, Any]:
    return {
        "at": rfc3339(tick(at)),
        "readiness": readiness_json(statuses),
        "items": [status_json(s) for s in statuses],
    }


def checklist_table(
    statuses: Sequence[ItemStatus], at: float, zone: str, languages: Sequence[str]
) -> str:
    rows = [
        [
            s.item.moment,
            s.item.id,
            s.item.owner,
            s.state.value.upper(),
            local(tick(s.item.due_until), zone),
            s.reason,
        ]
        for s in statuses
    ]
    head = f"launchguard checklist at {local(tick(at), zone)}"
    table = columns(["MOMENT", "ITEM", "OWNER", "STATE", "DUE UNTIL", "WHY"], rows)
    texts = [f"  {s.item.id}: {item_text(s.item, languages)}" for s in statuses]
    line = readiness_line(readiness(statuses))
    return "\n".join([head, f"READINESS: {line}", "", table, "", "ITEMS", *texts])
