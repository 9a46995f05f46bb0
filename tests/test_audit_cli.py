"""`launchguard audit verify|export`: exit codes, the first bad record, signed JSONL exports."""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import time
from pathlib import Path

import pytest

from launchguard.cli import main
from launchguard.core.frames import tick
from launchguard.output.timefmt import rfc3339
from launchguard.sinks.journal import JournalSink
from launchguard.sinks.journal_chain import Keyring, key_id
from sink_factories import KEY, decision, refreshed, report, resolved

T0 = 1_780_272_000.0  # 2026-06-01T00:00:00Z
RING = Keyring(KEY.encode(), {key_id(KEY.encode()): KEY.encode()})


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A journal of 6 records over 10 minutes from T0; the key in the environment."""
    monkeypatch.setenv("LAUNCHGUARD_JOURNAL_KEY", KEY)
    monkeypatch.delenv("LAUNCHGUARD_CONFIG", raising=False)
    path = tmp_path / "journal.sqlite"

    async def write() -> None:
        sink = JournalSink(path, RING, clock=time.time)
        a, b = decision(T0), decision(T0 + 120, network="erc20")
        c = decision(T0 + 480, criterion="sev1", network=None)
        await sink.deliver(report(T0, opened=[a]))
        await sink.deliver(report(T0 + 120, open_=[a], opened=[b]))
        await sink.deliver(report(T0 + 240, open_=[refreshed(a, T0 + 240, 2900.0), b]))
        await sink.deliver(report(T0 + 360, open_=[a], resolved_now=[resolved(b, T0 + 360)]))
        await sink.deliver(report(T0 + 480, open_=[a], opened=[c]))
        await sink.deliver(report(T0 + 600, open_=[c], resolved_now=[resolved(a, T0 + 600)]))
        await sink.close()

    asyncio.run(write())
    return path


def at(minutes: float) -> str:
    return rfc3339(tick(T0 + minutes * 60))


def test_an_intact_journal_verifies(journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--journal", str(journal)]) == 0
    assert "OK, 6 records (seq 1…6)" in capsys.readouterr().out


def test_a_changed_byte_fails_verify_naming_that_record(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(journal) as db:
        db.execute("UPDATE records SET record = replace(record, '2400', '2401') WHERE seq = 4")
    assert main(["audit", "verify", "--journal", str(journal)]) == 1
    assert "BAD at record 4: MAC mismatch" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        pytest.param({}, [], "LAUNCHGUARD_JOURNAL_KEY is not set", id="no-key-exits-2"),
        pytest.param(
            {"LAUNCHGUARD_JOURNAL_KEY": "another key of 32 bytes........"},
            [],
            "record 1 is signed with key id",
            id="a-key-that-signed-nothing-exits-2",
        ),
        pytest.param(
            {"LAUNCHGUARD_JOURNAL_KEY": KEY},
            ["--journal", "/nonexistent/journal.sqlite"],
            "no such file",
            id="a-missing-journal-exits-2",
        ),
    ],
)
def test_unusable_keys_and_missing_journals_exit_2(
    journal: Path,
    env: dict[str, str],
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("LAUNCHGUARD_JOURNAL_KEY")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    argv = ["audit", "verify", "--journal", str(journal), *args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    for value in env.values():
        assert value not in err


def test_an_export_verifies_on_its_own_and_a_changed_line_is_named(
    journal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export.jsonl"
    argv = ["audit", "export", "--journal", str(journal), "--start", at(2), "--end", at(8)]
    assert main([*argv, "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [2, 3, 4, 5]  # events timed 2 … 8 min
    assert all(len(line["mac"]) == 64 and len(line["prev_mac"]) == 64 for line in lines)
    assert all(b["prev_mac"] == a["mac"] for a, b in itertools.pairwise(lines))
    journal.unlink()  # the export stands alone
    assert main(["audit", "verify", "--file", str(out)]) == 0
    assert "OK, 4 records (seq 2…5)" in capsys.readouterr().out

    lines[2]["decision"]["kind"] = "full_rollback"
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert main(["audit", "verify", "--file", str(out)]) == 1
    assert "BAD at record 4: MAC mismatch" in capsys.readouterr().out


def test_a_dropped_export_line_breaks_the_chain_at_the_next_record(
    journal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export.jsonl"
    argv = ["audit", "export", "--journal", str(journal), "--start", at(0), "--end", at(10)]
    assert main([*argv, "--out", str(out)]) == 0
    kept = [line for i, line in enumerate(out.read_text().splitlines()) if i != 2]
    out.write_text("\n".join(kept) + "\n")
    assert main(["audit", "verify", "--file", str(out)]) == 1
    assert "BAD at record 4: seq 4 follows 2" in capsys.readouterr().out


def test_a_tampered_journal_is_not_exported(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(journal) as db:
        db.execute("UPDATE records SET mac = upper(mac) WHERE seq = 2")
    argv = ["audit", "export", "--journal", str(journal), "--start", at(0), "--end", at(10)]
    assert main(argv) == 1
    assert "BAD at record 2" in capsys.readouterr().err


def test_export_to_stdout_with_times_as_unix_seconds(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start, end = str(T0 + 400), str(T0 + 700)
    assert main(["audit", "export", "--journal", str(journal), "--start", start, "--end", end]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["event"] for line in out] == ["opened", "resolved"]
