"""The journal sink: every decision transition appended, signed and chained (docs/journal.md).

Events: `opened`, `resolved` (the cycle's transitions), `evidence_updated` (an open decision
whose evidence is newer than the last journaled one), `key_rotated` (the first record
signed by a new key), `degraded`/`recovered` (evaluation degraded and back) and the warroom
actions (`journal_actions`). The payload of a decision record is the decision JSON of DESIGN §5
(`output.jsonout.decision_json`). An open decision the journal has never seen opened (the
daemon died between evaluating and journaling) gets its `opened` record late, not never.
A failed write is kept and retried on the next cycle; idempotency makes the retry safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import structlog

from launchguard.core.decisions import Decision
from launchguard.core.frames import tick
from launchguard.core.warroom import WarroomAction
from launchguard.errors import one_line
from launchguard.interfaces import DELIVERED, CycleReport, Delivery
from launchguard.output.jsonout import decision_json
from launchguard.sinks.journal_actions import (
    action_entry,
    degraded_entries,
    read_actions,
    records,
)
from launchguard.sinks.journal_chain import JournalKeyError, Keyring, mac
from launchguard.sinks.journal_store import Entry, JournalStore

log = structlog.get_logger("launchguard.sinks.journal")
BUSY_TIMEOUT = 5.0  # seconds a write waits for another writer's lock (within a cycle)

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
    """Appends each cycle's transitions to the SQLite journal, off the event loop.

    The sink of record (`first`): the daemon hands it each report before the other sinks.
    Opening it checks that the file can be written and that a configured key verifies the
    journal's last record (`JournalKeyError` otherwise: exit 2 at start). A failed write
    closes the file; the next delivery opens it again (and retries what is pending), so a
    journal that becomes writable again recovers without a restart."""

    name = "journal"
    first = True

    def __init__(
        self,
        path: str | Path,
        keyring: Keyring,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.keyring = keyring
        self.clock = clock
        self.busy_timeout = busy_timeout
        self._pending: list[Entry] = []
        self._evidence_at: dict[str, int] = {}  # open decision id → latest journaled evidence
        self._store: JournalStore | None = self._open()

    def unresolved(self) -> frozenset[str]:
        """Ids of decisions journaled as opened and never as resolved: what a previous run
        announced and may not have lived to resolve."""
        return self._opened().unresolved(OPENED, RESOLVED)

    def actions(self) -> list[WarroomAction]:
        """The warroom actions journaled so far (read at start: they survive a restart)."""
        return read_actions(self._opened().records())

    async def records(self, start: int | None = None) -> list[dict[str, Any]]:
        """The timeline's records (not evidence updates or key rotations) timed at or after
        `start` (ms; None: all) as JSON with `at_ms`, in journal order."""
        store = self._opened()
        skip = (EVIDENCE_UPDATED, KEY_ROTATED)
        return await asyncio.to_thread(lambda: records(store.records_timed(start, None, skip)))

    async def append_action(self, action: WarroomAction) -> None:
        """Journal one warroom action now; raises `sqlite3.Error`/`OSError` when the file
        cannot be written (the caller refuses the action: nothing unjournaled is shown)."""
        store = self._opened()
        entry = action_entry(action)
        await asyncio.to_thread(store.append, [entry], self.keyring, tick(self.clock()))

    async def deliver(self, report: CycleReport) -> Delivery:
        """Journal the report; a failed write is logged, kept and retried next time."""
        entries = self._pending + [decision_entry(t.event, t.decision) for t in report.transitions]
        for t in report.transitions:
            if t.event == OPENED:
                self._evidence_at[t.decision.id] = t.decision.evidence.at
            else:
                self._evidence_at.pop(t.decision.id, None)
        try:
            await asyncio.to_thread(self._write, entries, report.open, report)
        except asyncio.CancelledError:  # the deadline passed: the write may still land, and
            self._pending = entries  # its retry appends nothing twice (event keys)
            raise
        except Exception as exc:
            # The daemon must keep evaluating: the entries stay pending, the file is opened
            # again on the next delivery. Anything but a failing file is a bug: raised.
            self._pending = entries
            self._drop_store()
            if not isinstance(exc, sqlite3.Error | OSError | JournalKeyError):
                raise
            problem = f"{self.path}: {one_line(exc)}"
            log.error("journal_write_failed", path=str(self.path), error=one_line(exc))
            return Delivery(1, problem)
        self._pending = []
        return DELIVERED

    async def close(self) -> None:
        if self._pending:
            try:
                await asyncio.to_thread(self._write, self._pending, ())
                self._pending = []
            except (sqlite3.Error, OSError, JournalKeyError) as exc:
                log.error("journal_write_failed", path=str(self.path), error=one_line(exc))
        self._drop_store()

    def _opened(self) -> JournalStore:
        if self._store is None:
            self._store = self._open()
        return self._store

    def _drop_store(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            with contextlib.suppress(sqlite3.Error):
                store.close()

    def _open(self) -> JournalStore:
        """Open the file for writing and take it over: a configured key must verify its last
        record; one last signed by a listed previous key gets a `key_rotated` record."""
        store = JournalStore(self.path, busy_timeout=self.busy_timeout)
        try:
            self._take_over(store)
        except BaseException:
            store.close()
            raise
        return store

    def _write(
        self, entries: list[Entry], open_: Sequence[Decision], report: CycleReport | None = None
    ) -> None:
        """Append `entries` and the records the open decisions (and the `report`'s degraded
        state) call for, in one transaction; the evidence cache moves only once the write
        has committed."""
        store = self._opened()
        if report is not None:
            entries = [*entries, *degraded_entries(store, report.degraded, report.at)]
        seen: dict[str, int] = {}
        extra: list[Entry] = []
        for d in open_:
            known = self._evidence_at.get(d.id)
            if known is None:
                known = store.latest_at(d.id, (OPENED, EVIDENCE_UPDATED))
                if known is None:  # never journaled as opened (the daemon died first): now
                    extra.append(decision_entry(OPENED, d))
                    known = d.evidence.at
            if d.evidence.at > known:
                extra.append(decision_entry(EVIDENCE_UPDATED, d))
                known = d.evidence.at
            seen[d.id] = known
        store.append([*entries, *extra], self.keyring, tick(self.clock()))
        self._evidence_at.update(seen)

    def _take_over(self, store: JournalStore) -> None:
        last = store.last()
        if last is None:
            return
        ring = self.keyring
        try:
            kid = json.loads(last.text).get("key_id")
        except (ValueError, AttributeError):
            kid = None
        key = ring.keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise JournalKeyError(
                ring.field,
                f"journal {self.path}: its last record (seq {last.seq}) is signed with key id "
                f"{kid}, and neither {ring.source} nor journal.previous_key_files has that key "
                "(start with the journal's key, or list it in journal.previous_key_files to "
                "rotate)",
            )
        if not hmac.compare_digest(mac(key, last.text), last.mac):
            raise JournalKeyError(
                "journal.path",
                f"journal {self.path}: its last record (seq {last.seq}) does not verify with "
                f"key id {kid} (altered: run `launchguard audit verify`)",
            )
        if kid == ring.current_id:
            return
        body = {"from_key_id": kid, "to_key_id": ring.current_id}
        now = tick(self.clock())
        entry = Entry(KEY_ROTATED, "", now, f"{KEY_ROTATED}:{last.seq}", body)
        store.append([entry], ring, now)
