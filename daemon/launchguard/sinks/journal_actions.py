"""Journal records beside the decisions' (docs/journal.md): the warroom actions, one signed
record per action (event = the action kind, `action` = its JSON), read back at start so
acknowledgements, declarations, ticked steps, notes and new attempts survive a restart; and
degraded evaluation, a `degraded` record when it begins and a `recovered` one when it ends
(both under the id `degraded:<since ms>`, so a replay appends nothing twice)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from launchguard.core.frames import tick
from launchguard.core.warroom import KINDS, WarroomAction
from launchguard.interfaces import Degraded
from launchguard.output.timefmt import rfc3339
from launchguard.sinks.journal_chain import Stored
from launchguard.sinks.journal_store import Entry, JournalStore

_HEAD = ("kind", "decision_id", "at", "by", "role")
DEGRADED, RECOVERED = "degraded", "recovered"


def action_json(a: WarroomAction) -> dict[str, Any]:
    """`{kind, decision_id, at (RFC 3339), by, role, ...the kind's fields}`."""
    return {
        "kind": a.kind,
        "decision_id": a.decision_id,
        "at": rfc3339(a.at),
        "by": a.by,
        "role": a.role,
        **a.fields,
    }


def action_entry(a: WarroomAction) -> Entry:
    """The journal entry of an action; every action is new (a random event key)."""
    key = f"{a.kind}:{a.decision_id}:{a.at}:{uuid.uuid4().hex}"
    return Entry(a.kind, a.decision_id, a.at, key, {"action": action_json(a)})


def parse_at(text: str) -> int:
    """An RFC 3339 time of a record → unix milliseconds."""
    return tick(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def action_from_record(record: dict[str, Any]) -> WarroomAction | None:
    """The action a journal record holds; None for a record of another event."""
    if record.get("event") not in KINDS or not isinstance(record.get("action"), dict):
        return None
    body = record["action"]
    fields = {k: v for k, v in body.items() if k not in _HEAD}
    return WarroomAction(
        str(body["kind"]),
        str(body.get("decision_id", "")),
        parse_at(str(body["at"])),
        str(body.get("by", "")),
        str(body.get("role", "")),
        fields,
    )


def records(stored: Iterable[Stored]) -> list[dict[str, Any]]:
    """The records' JSON objects in journal order, each with `at_ms` (its `at` in unix ms)
    added; texts that are not such objects are skipped (`audit verify` reports them)."""
    out = []
    for s in stored:
        try:
            record = json.loads(s.text)
            record["at_ms"] = parse_at(str(record["at"]))
        except (ValueError, TypeError, KeyError):
            continue
        out.append(record)
    return out


def read_actions(stored: Iterable[Stored]) -> list[WarroomAction]:
    """Every warroom action of the journal, in journal order."""
    found = (action_from_record(r) for r in records(stored))
    return [a for a in found if a is not None]


def degraded_entries(store: JournalStore, degraded: Degraded | None, at: int) -> list[Entry]:
    """The `degraded` record of a degraded cycle (once per run of degradation), or, for a
    healthy one at `at`, a `recovered` record for each run the journal has not seen end."""
    if degraded is not None:
        did = f"{DEGRADED}:{degraded.since}"
        body = {"degraded": {"reason": degraded.reason, "detail": degraded.detail}}
        return [Entry(DEGRADED, did, degraded.since, f"{did}:{DEGRADED}", body)]
    ended = sorted(store.unresolved(DEGRADED, RECOVERED))
    return [Entry(RECOVERED, did, at, f"{did}:{RECOVERED}") for did in ended]
