"""The journal sink: every decision transition appended, signed and chained (docs/journal.md).

Events: `opened`, `resolved` (the cycle's transitions), `evidence_updated` (an open decision
whose evidence is newer than the last journaled one) and `key_rotated` (the first record
signed by a new key). The payload of a decision record is the decision JSON of DESIGN §5
(`output.jsonout.decision_json`). An open decision the journal has never seen opened (the
daemon died between evaluating and journaling) gets its `opened` record late, not never.
A failed write is kept and retried on the next cycle; idempotency makes the retry safe.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import structlog

from launchguard.core.decisions import Decision
from launchguard.core.frames import tick
from launchguard.interfaces import CycleReport
from launchguard.output.jsonout import decision_json
from launchguard.sinks.journal_chain import Keyring
from launchguard.sinks.journal_store import Entry, JournalStore

log = structlog.get_logger("launchguard.sinks.journal")

OPENED, RESOLVED, EVIDENCE_UPDATED, KEY_ROTATED = (
    "opened",
    "resolved",
    "evidence_updated",
    "key_rotated",
)


def decision_entry(event: str, d: Decision) -> Entry:
    """The journal entry of a decision event; its key makes a replay append nothing."""
    if event == OPENED:
        at, key = d.opened_at, f"{d.id}:{OPENED}"
    elif event == RESOLVED:
        at, key = d.resolved_at if d.resolved_at is not None else d.evidence.at, f"{d.id}:{event}"
    else:
        at, key = d.evidence.at, f"{d.id}:{event}:{d.evidence.at}"
    return Entry(event, d.id, at, key, {"decision": decision_json(d)})


class JournalSink:
    """Appends each cycle's transitions to the SQLite journal, off the event loop."""

    name = "journal"

    def __init__(
        self, path: str | Path, keyring: Keyring, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = JournalStore(path)
        self.keyring = keyring
        self.clock = clock
        self.failed_writes = 0
        self._pending: list[Entry] = []
        self._evidence_at: dict[str, int] = {}  # open decision id → latest journaled evidence
        self._rotate_if_needed()

    def unresolved(self) -> frozenset[str]:
        """Ids of decisions journaled as opened and never as resolved: what a previous run
        announced and may not have lived to resolve."""
        return self.store.unresolved(OPENED, RESOLVED)

    async def deliver(self, report: CycleReport) -> None:
        """Journal the report; a failed write is logged, kept and retried next time."""
        entries = self._pending + [decision_entry(t.event, t.decision) for t in report.transitions]
        for t in report.transitions:
            if t.event == OPENED:
                self._evidence_at[t.decision.id] = t.decision.evidence.at
            else:
                self._evidence_at.pop(t.decision.id, None)
        try:
            await asyncio.to_thread(self._write, entries, report.open)
        except Exception as exc:  # the daemon must keep evaluating; the entries stay pending
            self.failed_writes += 1
            self._pending = entries
            log.error("journal_write_failed", path=str(self.store.path), error=repr(exc))
        else:
            self._pending = []

    async def close(self) -> None:
        if self._pending:
            try:
                await asyncio.to_thread(self._write, self._pending, ())
                self._pending = []
            except Exception as exc:
                log.error("journal_write_failed", path=str(self.store.path), error=repr(exc))
        self.store.close()

    def _write(self, entries: list[Entry], open_: Sequence[Decision]) -> None:
        """Append `entries` and the records the open decisions call for, in one transaction;
        the evidence cache moves only once the write has committed."""
        seen: dict[str, int] = {}
        extra: list[Entry] = []
        for d in open_:
            known = self._evidence_at.get(d.id)
            if known is None:
                known = self.store.latest_at(d.id, (OPENED, EVIDENCE_UPDATED))
                if known is None:  # never journaled as opened (the daemon died first): now
                    extra.append(decision_entry(OPENED, d))
                    known = d.evidence.at
            if d.evidence.at > known:
                extra.append(decision_entry(EVIDENCE_UPDATED, d))
                known = d.evidence.at
            seen[d.id] = known
        self.store.append([*entries, *extra], self.keyring, tick(self.clock()))
        self._evidence_at.update(seen)

    def _rotate_if_needed(self) -> None:
        """A journal last signed by another key gets a `key_rotated` record first."""
        last = self.store.last()
        if last is None:
            return
        previous = json.loads(last.text).get("key_id")
        if previous == self.keyring.current_id:
            return
        body = {"from_key_id": previous, "to_key_id": self.keyring.current_id}
        now = tick(self.clock())
        entry = Entry(KEY_ROTATED, "", now, f"{KEY_ROTATED}:{last.seq}", body)
        self.store.append([entry], self.keyring, now)
