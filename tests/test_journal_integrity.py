"""The journal is never taken over silently: `launchguard run` with a key that does not sign
the journal's last record, or with a journal it cannot write, exits 2 before binding a port,
naming the journal and the key; a listed previous key rotates it. While running, a journal
that cannot be written is counted per sink, degrades evaluation, and recovers without a
restart once it can be written again."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from daemons import HEALTHY, FakeSource, per_network, port_is_free, test_launch
from launchguard import names
from launchguard.cli import main
from launchguard.daemon import Daemon
from launchguard.harness.servers import free_port
from launchguard.sinks.journal import JournalSink
from launchguard.sinks.journal_chain import Keyring, key_id
from sink_factories import decision, report

OLD, NEW = "o" * 32, "n" * 32
T0 = time.time() - 3600


def ring(key: str) -> Keyring:
    return Keyring(key.encode(), {key_id(key.encode()): key.encode()})


def journal_of(path: Path, key: str) -> Path:
    """A journal with one record signed by `key`."""

    async def write() -> None:
        sink = JournalSink(path, ring(key))
        await sink.deliver(report(T0, opened=[decision(T0)]))
        await sink.close()

    asyncio.run(write())
    return path


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` unwritable, even for root (the immutable attribute; chmod as anyone else)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], check=False).returncode:
        pytest.skip("running as root without chattr +i: no way to make a file read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def run_daemon(
    tmp_path: Path, journal: Path, key: str, config: str = "", *extra: str
) -> tuple[int, str, int]:
    """`launchguard run` on a free port with the journal and key, against no Prometheus:
    (exit code, stderr, port). Only a run that stops at start (or `--once`) returns."""
    file = tmp_path / "launch.yaml"
    file.write_text("evaluation: {interval: 1s, lookback: 10s}\n" + config)
    port = free_port()
    argv = [sys.executable, "-m", "launchguard.cli", "run", "--config", str(file)]
    argv += ["--journal", str(journal), "--listen", f"127.0.0.1:{port}"]
    argv += ["--prometheus", f"http://127.0.0.1:{free_port()}", *extra]
    proc = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LAUNCHGUARD_JOURNAL_KEY": key},
    )
    return proc.returncode, proc.stderr, port


def test_a_journal_of_another_key_exits_2_naming_the_journal_and_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = journal_of(tmp_path / "j.sqlite", OLD)
    code, err, port = run_daemon(tmp_path, journal, NEW)
    assert code == 2, err
    assert "journal.key_env" in err and str(journal) in err
    assert f"key id {key_id(OLD.encode())}" in err and "journal.previous_key_files" in err
    assert port_is_free(port)
    # Nothing was appended: the journal still verifies with its own key.
    monkeypatch.setenv("LAUNCHGUARD_JOURNAL_KEY", OLD)
    monkeypatch.delenv("LAUNCHGUARD_CONFIG", raising=False)
    assert main(["audit", "verify", "--journal", str(journal)]) == 0


def test_a_listed_previous_key_rotates_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = journal_of(tmp_path / "j.sqlite", OLD)
    old_file = tmp_path / "old.key"
    old_file.write_text(OLD)
    config = f"journal: {{previous_key_files: ['{old_file}']}}\n"
    config += "prometheus: {timeout: 0.5s, retries: 0}\n"
    code, err, _ = run_daemon(tmp_path, journal, NEW, config, "--once")
    assert code == 3, err  # started, evaluated once: Prometheus unreachable
    with sqlite3.connect(journal) as db:
        events = [e for (e,) in db.execute("SELECT event FROM records ORDER BY seq")]
    assert events[:2] == ["opened", "key_rotated"]
    file = tmp_path / "launch.yaml"
    monkeypatch.setenv("LAUNCHGUARD_JOURNAL_KEY", NEW)
    monkeypatch.delenv("LAUNCHGUARD_CONFIG", raising=False)
    verify = ["audit", "verify", "--config", str(file), "--journal", str(journal)]
    assert main(verify) == 0


def test_a_journal_that_cannot_be_written_exits_2_at_start(tmp_path: Path) -> None:
    journal = journal_of(tmp_path / "j.sqlite", OLD)
    with read_only(journal):
        code, err, port = run_daemon(tmp_path, journal, OLD)
    assert code == 2, err
    assert "journal.path" in err and str(journal) in err and "for writing" in err
    assert port_is_free(port)


async def test_a_journal_failing_while_running_is_counted_degrades_and_recovers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    journal = JournalSink(path, ring(OLD), busy_timeout=0.05)
    the = test_launch({"evaluation": {"lookback": "5m"}})
    source = FakeSource(the, {**HEALTHY, "sev1_open": [({}, 1.0)]})
    daemon = Daemon(the, source, [journal])
    at = 1_780_272_000.0
    await daemon.start(at)
    [sev1] = daemon.snapshot.open
    source.values["passthrough_p95"] = per_network(2000.0)  # SLO breaches open next cycle

    def failures() -> float:
        sample = daemon.metrics.registry.get_sample_value(names.SINK_FAILURES, {"sink": "journal"})
        return sample or 0.0

    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the journal: the write fails
    first = await daemon.cycle(at + 30)
    assert first is not None and first.degraded is None
    breaches = [t.decision.id for t in first.transitions if t.event == "opened"]
    assert len(breaches) == 2
    assert failures() == 1
    other.execute("ROLLBACK")
    other.close()
    with read_only(path):  # now it cannot even be opened for writing
        second = await daemon.cycle(at + 60)
    assert second is not None and second.degraded is not None
    assert second.degraded.reason == "delivery_failing"
    assert "journal: " in second.degraded.detail and "database is locked" in second.degraded.detail
    assert failures() == 2
    assert daemon.snapshot.last_outcome == "degraded"
    third = await daemon.cycle(at + 90)  # writable again: opened again, nothing lost
    assert third is not None and third.degraded is not None  # the failure of the cycle before
    assert "readonly" in third.degraded.detail
    assert failures() == 2
    fourth = await daemon.cycle(at + 120)
    assert fourth is not None and fourth.degraded is None
    await daemon.close()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT decision_id, event FROM records").fetchall()
    assert {(sev1.id, "opened")} | {(b, "opened") for b in breaches} <= set(rows)
