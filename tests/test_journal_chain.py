"""The journal: transitions become signed, chained records; replays add nothing; tampering
with any record is found at that record; keys rotate without breaking the chain."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from launchguard.output.jsonout import decision_json
from launchguard.sinks.journal import JournalSink
from launchguard.sinks.journal_chain import GENESIS, Keyring, MissingKey, key_id, verify
from launchguard.sinks.journal_store import JournalStore
from sink_factories import KEY, decision, refreshed, report, resolved

T0 = time.time() - 3600


def keyring(*keys: bytes) -> Keyring:
    every = keys or (KEY.encode(),)
    return Keyring(every[0], {key_id(k): k for k in every})


async def write_day(path: Path, ring: Keyring | None = None) -> list[str]:
    """Open two decisions, refresh one's evidence, resolve the other; the decision ids."""
    sink = JournalSink(path, ring or keyring())
    a, b = decision(T0), decision(T0 + 30, network="erc20")
    await sink.deliver(report(T0, opened=[a]))
    await sink.deliver(report(T0 + 30, open_=[a], opened=[b]))
    await sink.deliver(report(T0 + 60, open_=[refreshed(a, T0 + 60, 2600.0), b]))
    await sink.deliver(report(T0 + 90, open_=[a], resolved_now=[resolved(b, T0 + 90)]))
    await sink.close()
    return [a.id, b.id]


def records(path: Path) -> list[dict[str, object]]:
    store = JournalStore(path, readonly=True)
    try:
        return [json.loads(r.text) for r in store.records()]
    finally:
        store.close()


def check(path: Path, ring: Keyring | None = None) -> tuple[bool, int | None, str]:
    store = JournalStore(path, readonly=True)
    try:
        result = verify(store.records(), ring or keyring())
    finally:
        store.close()
    return result.ok, result.bad_seq, result.problem


async def test_every_transition_is_one_signed_record_chained_to_the_previous(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    a, b = await write_day(path)
    rows = records(path)
    assert [(r["seq"], r["decision_id"], r["event"]) for r in rows] == [
        (1, a, "opened"),
        (2, b, "opened"),
        (3, a, "evidence_updated"),
        (4, b, "resolved"),
    ]
    assert rows[0]["prev_mac"] == GENESIS
    assert rows[0]["decision"] == decision_json(decision(T0))
    assert (
        rows[3]["at"]
        == decision_json(resolved(decision(T0 + 30, network="erc20"), T0 + 90))["resolved_at"]
    )
    assert check(path) == (True, None, "")
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


async def test_a_restarted_daemon_replaying_the_same_history_appends_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    await write_day(path)
    await write_day(path)  # a new sink on the same file: the replay after a restart
    assert len(records(path)) == 4
    assert check(path)[0]


async def test_an_open_decision_never_journaled_as_opened_gets_its_opened_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    d = decision(T0)
    sink = JournalSink(path, keyring())
    await sink.deliver(report(T0 + 30, open_=[d]))  # the daemon died before journaling it
    await sink.close()
    assert [(r["decision_id"], r["event"], r["at"]) for r in records(path)] == [
        (d.id, "opened", decision_json(d)["opened_at"])
    ]


def _flip_record_byte(db: sqlite3.Connection, seq: int) -> None:
    text = db.execute("SELECT record FROM records WHERE seq = ?", (seq,)).fetchone()[0]
    i = text.index('"event":"') + 9
    db.execute(
        "UPDATE records SET record = ? WHERE seq = ?",
        (text[:i] + chr(ord(text[i]) ^ 1) + text[i + 1 :], seq),
    )


def _flip_mac(db: sqlite3.Connection, seq: int) -> None:
    db.execute("UPDATE records SET mac = substr(mac, 1, 63) || 'x' WHERE seq = ?", (seq,))


def _delete(db: sqlite3.Connection, seq: int) -> None:
    db.execute("DELETE FROM records WHERE seq = ?", (seq,))


@pytest.mark.parametrize(
    ("tamper", "seq", "bad", "problem"),
    [
        pytest.param(
            _flip_record_byte, 2, 2, "MAC mismatch", id="one-changed-byte-names-that-record"
        ),
        pytest.param(_flip_record_byte, 4, 4, "MAC mismatch", id="a-changed-last-record-is-found"),
        pytest.param(_flip_mac, 3, 3, "MAC mismatch", id="a-changed-mac-names-that-record"),
        pytest.param(_delete, 2, 3, "missing", id="a-deleted-record-is-found-at-the-next-one"),
        pytest.param(_delete, 1, 2, "missing", id="a-deleted-first-record-is-found"),
    ],
)
async def test_tampering_is_reported_at_the_first_bad_record(
    tmp_path: Path, tamper: object, seq: int, bad: int, problem: str
) -> None:
    path = tmp_path / "j.sqlite"
    await write_day(path)
    with sqlite3.connect(path) as db:
        tamper(db, seq)  # type: ignore[operator]
    ok, bad_seq, text = check(path)
    assert (ok, bad_seq) == (False, bad)
    assert problem in text


async def test_a_rotated_key_continues_the_chain_and_old_records_need_the_old_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    old, new = b"o" * 32, b"n" * 32
    await write_day(path, keyring(old))
    sink = JournalSink(path, keyring(new, old))
    d = decision(T0 + 600, criterion="sev1", network=None)
    await sink.deliver(report(T0 + 600, opened=[d]))
    await sink.close()
    rows = records(path)
    assert [(r["event"], r["key_id"]) for r in rows[4:]] == [
        ("key_rotated", key_id(new)),
        ("opened", key_id(new)),
    ]
    assert rows[4]["from_key_id"] == key_id(old)
    assert check(path, keyring(new, old))[0]
    with pytest.raises(MissingKey, match="record 1 is signed with key id"):
        check(path, keyring(new))


async def test_a_write_that_fails_is_kept_and_appended_on_the_next_cycle(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    sink = JournalSink(path, keyring(), busy_timeout=0.05)  # fail fast on the lock below
    a, b = decision(T0), decision(T0 + 30, network="erc20")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock: the write fails
    delivery = await sink.deliver(report(T0, opened=[a]))
    assert (delivery.failures, records(path)) == (1, [])
    assert "database is locked" in delivery.problem and str(path) in delivery.problem
    other.execute("ROLLBACK")
    other.close()
    await sink.deliver(report(T0 + 30, open_=[a], opened=[b]))
    await sink.close()
    assert [(r["decision_id"], r["event"]) for r in records(path)] == [
        (a.id, "opened"),
        (b.id, "opened"),
    ]
    assert check(path)[0]
