"""The journal's SQLite file: WAL, synchronous=FULL, one transaction per batch of records.

A batch is appended in one `BEGIN IMMEDIATE` transaction, so a process killed at any moment
leaves either the whole batch or none of it, and the chain always ends on a committed record.
Each record has an `event_key` (decision id + event); a key already present is skipped, so a
restarted daemon replaying its lookback appends nothing twice.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchguard.output.timefmt import rfc3339
from launchguard.sinks.journal_chain import (
    FORMAT_VERSION,
    GENESIS,
    Keyring,
    Stored,
    canonical,
    mac,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    event_key TEXT NOT NULL UNIQUE,
    decision_id TEXT NOT NULL,
    event TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    record TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_decision ON records (decision_id);
CREATE INDEX IF NOT EXISTS records_at ON records (at_ms);
"""


@dataclass(frozen=True)
class Entry:
    """A record to append: `body` joins the chain fields in the signed record."""

    event: str
    decision_id: str
    at_ms: int
    event_key: str
    body: Mapping[str, Any] = field(default_factory=dict)


class JournalStore:
    """One SQLite journal file; safe to call from one thread at a time (a lock enforces it)."""

    def __init__(
        self, path: str | Path, *, readonly: bool = False, busy_timeout: float = 30.0
    ) -> None:
        """Open (or create) the journal. Writable unless `readonly`: a file that cannot be
        written raises `sqlite3.Error` here, not at the first append. `busy_timeout`:
        seconds a write waits for another writer's lock before failing."""
        self.path = Path(path)
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(str(self.path))
            uri = self.path.resolve().as_uri() + "?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            self._db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=busy_timeout
            )
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(_SCHEMA)
                self._probe_write()
            except BaseException:
                self._db.close()
                raise
        self._lock = threading.Lock()

    def _probe_write(self) -> None:
        """A write that changes nothing: SQLite opens a file it may not write read-only
        without a word, and would refuse only the first real append."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM records WHERE 0")
        finally:
            self._db.execute("ROLLBACK")

    def close(self) -> None:
        self._db.close()

    def append(self, entries: Sequence[Entry], keyring: Keyring, recorded_at: int) -> int:
        """Sign and append the entries whose event_key is new, in one transaction; return how
        many were appended. `recorded_at`: wall-clock time of the write (ms)."""
        if not entries:
            return 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                appended = self._append(entries, keyring, recorded_at)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return appended

    def _append(self, entries: Sequence[Entry], keyring: Keyring, recorded_at: int) -> int:
        row = self._db.execute("SELECT seq, mac FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0], row[1]) if row else (0, GENESIS)
        appended = 0
        for e in entries:
            if self.has(e.event_key):
                continue
            seq += 1
            record = {
                **e.body,
                "v": FORMAT_VERSION,
                "seq": seq,
                "event": e.event,
                "decision_id": e.decision_id,
                "at": rfc3339(e.at_ms),
                "recorded_at": rfc3339(recorded_at),
                "key_id": keyring.current_id,
                "prev_mac": prev,
            }
            text = canonical(record)
            prev = mac(keyring.current, text)
            self._db.execute(
                "INSERT INTO records (seq, event_key, decision_id, event, at_ms, record, mac) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, e.event_key, e.decision_id, e.event, e.at_ms, text, prev),
            )
            appended += 1
        return appended

    def has(self, event_key: str) -> bool:
        row = self._db.execute("SELECT 1 FROM records WHERE event_key = ?", (event_key,))
        return row.fetchone() is not None

    def latest_at(self, decision_id: str, events: Sequence[str]) -> int | None:
        """The latest `at` (ms) of the decision's records with one of `events`; None: none."""
        marks = ", ".join("?" for _ in events)
        row = self._db.execute(
            f"SELECT MAX(at_ms) FROM records WHERE decision_id = ? AND event IN ({marks})",
            (decision_id, *events),
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def unresolved(self, opened: str, resolved: str) -> frozenset[str]:
        """Ids of decisions with an `opened` record and no `resolved` record."""
        rows = self._db.execute(
            "SELECT DISTINCT decision_id FROM records WHERE event = ? AND decision_id NOT IN"
            " (SELECT decision_id FROM records WHERE event = ?)",
            (opened, resolved),
        )
        return frozenset(str(r[0]) for r in rows)

    def last(self) -> Stored | None:
        row = self._db.execute(
            "SELECT seq, record, mac FROM records ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return Stored(int(row[0]), str(row[1]), str(row[2])) if row else None

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def records(self, first: int | None = None, last: int | None = None) -> Iterator[Stored]:
        """Stored records in seq order, optionally from seq `first` to `last` inclusive."""
        lo = first if first is not None else 0
        hi = last if last is not None else 2**62
        cursor = self._db.execute(
            "SELECT seq, record, mac FROM records WHERE seq BETWEEN ? AND ? ORDER BY seq",
            (lo, hi),
        )
        for seq, text, m in cursor:
            yield Stored(int(seq), str(text), str(m))

    def records_timed(
        self, start_ms: int | None, end_ms: int | None, skip: Sequence[str] = ()
    ) -> Iterator[Stored]:
        """Stored records timed within [start_ms, end_ms] (None: open) whose event is not in
        `skip`, in seq order (the timeline's read: the index on `at_ms` serves it)."""
        lo = start_ms if start_ms is not None else -(2**62)
        hi = end_ms if end_ms is not None else 2**62
        marks = ", ".join("?" for _ in skip) or "''"
        cursor = self._db.execute(
            "SELECT seq, record, mac FROM records WHERE at_ms BETWEEN ? AND ?"
            f" AND event NOT IN ({marks}) ORDER BY seq",
            (lo, hi, *skip),
        )
        for seq, text, m in cursor:
            yield Stored(int(seq), str(text), str(m))

    def seq_span(self, start_ms: int, end_ms: int) -> tuple[int, int] | None:
        """The first seq timed at or after `start_ms` and the last timed at or before `end_ms`
        (the contiguous run an export covers); None when no record is in the range."""
        row = self._db.execute(
            "SELECT MIN(seq), MAX(seq) FROM records WHERE at_ms BETWEEN ? AND ?",
            (start_ms, end_ms),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return int(row[0]), int(row[1])
