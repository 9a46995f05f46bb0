"""The journal backup recipes of docs/operations.md, run while the journal is being written:
each copy is a consistent journal that `launchguard audit verify` accepts."""

from __future__ import annotations

import contextlib
import io
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from launchguard.cli import main
from launchguard.sinks.journal_chain import Keyring, key_id
from launchguard.sinks.journal_store import Entry, JournalStore
from sink_factories import KEY

RING = Keyring(KEY.encode(), {key_id(KEY.encode()): KEY.encode()})


def python_backup(source: Path, target: Path) -> None:
    """The recipe without the sqlite3 CLI: SQLite's online backup API."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def cli_backup(source: Path, target: Path) -> None:
    """The recipe with the sqlite3 CLI: `sqlite3 journal.sqlite ".backup 'copy'"`."""
    sqlite = shutil.which("sqlite3")
    if sqlite is None:
        pytest.fail("sqlite3 is not installed (apt-get install sqlite3)")
    subprocess.run([sqlite, str(source), f".backup '{target}'"], check=True, timeout=60)


def verify(journal: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("LAUNCHGUARD_JOURNAL_KEY", KEY)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["audit", "verify", "--journal", str(journal)])
    return code, out.getvalue()


@pytest.mark.parametrize(
    "backup",
    [
        pytest.param(python_backup, id="the online backup API copies a journal being written"),
        pytest.param(cli_backup, id="sqlite3 .backup copies a journal being written"),
    ],
)
def test_a_backup_taken_during_writes_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backup: Callable[[Path, Path], None]
) -> None:
    journal = tmp_path / "journal.sqlite"
    store = JournalStore(journal)
    written = threading.Event()
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            at = 1_700_000_000_000 + n
            batch = [Entry("opened", f"d{n}-{i}", at, f"d{n}-{i}:opened") for i in range(5)]
            store.append(batch, RING, at)
            n += 1
            if n == 20:
                written.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(30), "the writer appended 20 batches"
        copies = [tmp_path / f"copy-{k}.sqlite" for k in range(3)]
        for copy in copies:
            backup(journal, copy)  # while the writer keeps appending
    finally:
        stop.set()
        thread.join(30)
        store.close()
    sizes = []
    for copy in copies:
        code, output = verify(copy, monkeypatch)
        assert code == 0, output
        with contextlib.closing(sqlite3.connect(copy)) as db:
            sizes.append(db.execute("SELECT count(*) FROM records").fetchone()[0])
    assert sizes[0] >= 100 and sizes == sorted(sizes)
