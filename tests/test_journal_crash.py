"""A journal writer killed with SIGKILL at random moments, 100 times: after every kill the chain
verifies, and no (decision id, event) pair is ever journaled twice, although every restart
replays the last cycles again (as the daemon replays its lookback).

The writer is a forked child (the imports are already paid for, so 100 restarts fit in a few
seconds); the kill moment is chosen by the number of records written, polled in the database.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path

from launchguard.core.decisions import Decision
from launchguard.interfaces import CycleReport
from launchguard.sinks.journal import JournalSink
from launchguard.sinks.journal_chain import Keyring, key_id, verify
from launchguard.sinks.journal_store import JournalStore
from sink_factories import KEY, decision, journal_records, refreshed, report, resolved

KILLS = 100
REPLAY_CYCLES = 12  # a restart replays this many cycles before the last journaled one
RESOLVE_AFTER = 3  # decision i resolves at cycle i + 3
T0 = 1_780_272_000.0
STEP = 30.0
RING = Keyring(KEY.encode(), {key_id(KEY.encode()): KEY.encode()})


def opened(i: int) -> Decision:
    return decision(T0 + i * STEP, network=f"net{i}")


def cycle(i: int) -> CycleReport:
    """Cycle i opens decision i, refreshes decision i-1's evidence, resolves decision i-3."""
    at = T0 + i * STEP
    open_ = [opened(j) for j in range(max(0, i - RESOLVE_AFTER + 1), i)]
    if i >= 1:
        open_ = [refreshed(d, at, 2700.0) if d.id == opened(i - 1).id else d for d in open_]
    gone = [resolved(opened(i - RESOLVE_AFTER), at)] if i >= RESOLVE_AFTER else []
    return report(at, opened=[opened(i)], open_=open_, resolved_now=gone)


def last_cycle(path: Path) -> int:
    """The cycle of the last journaled `opened` record (its decision's network is net<i>)."""
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT record FROM records WHERE event = 'opened' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    return int(json.loads(row[0])["decision"]["scope"]["network"][3:]) if row else 0


def writer(path: Path) -> None:
    """Replay from a few cycles back, then append cycles forever (until killed)."""

    async def run() -> None:
        sink = JournalSink(path, RING)
        i = max(0, last_cycle(path) - REPLAY_CYCLES)
        while True:
            await sink.deliver(cycle(i))
            i += 1

    asyncio.run(run())


def test_sigkill_at_random_moments_never_breaks_the_chain_or_duplicates_a_transition(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.sqlite"
    rng = random.Random(20261122)
    fork = multiprocessing.get_context("fork")
    for kill in range(KILLS):
        before = journal_records(path)
        target = before + rng.randint(1, 12)
        child = fork.Process(target=writer, args=(path,), daemon=True)
        child.start()
        deadline = time.monotonic() + 10.0
        while journal_records(path) < target:
            assert child.exitcode is None, f"writer died by itself (kill {kill})"
            assert time.monotonic() < deadline, (
                f"writer stalled at {journal_records(path)} (kill {kill})"
            )
            time.sleep(0.0005 * rng.randint(0, 4))
        child.kill()  # SIGKILL, possibly in the middle of a transaction
        child.join()

        store = JournalStore(path, readonly=True)
        try:
            result = verify(store.records(), RING)
            texts = [json.loads(r.text) for r in store.records()]
        finally:
            store.close()
        assert result.ok, f"after kill {kill}: record {result.bad_seq}: {result.problem}"
        # (each decision has one evidence update in this history, so every pair is unique)
        pairs = Counter((r["decision_id"], r["event"]) for r in texts)
        assert max(pairs.values()) == 1, [p for p, n in pairs.items() if n > 1]

    # Nothing was lost: every decision before the last cycle was opened, and resolved when due.
    last = last_cycle(path)
    assert last > KILLS
    events = {(r["decision_id"], r["event"]) for r in texts}
    for i in range(last):
        assert (opened(i).id, "opened") in events
        if i + RESOLVE_AFTER <= last - 1:
            assert (opened(i).id, "resolved") in events
