"""The launch's timeline: from a real journal (decisions, degraded evaluation and recovery,
warroom actions) and the config's calendar, in order, through `launchguard timeline`
(markdown and JSON) and `GET /api/v1/timeline`."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from launchguard.cli import main
from launchguard.core.frames import tick
from launchguard.core.warroom import WarroomAction
from launchguard.output.timefmt import rfc3339
from launchguard.sinks.journal import JournalSink
from launchguard.sinks.journal_chain import Keyring, key_id
from sink_factories import KEY, decision, degraded, journal_records, refreshed, report, resolved
from test_warroom_actions import DECLARATION, IC, bearer, warroom_api

T0 = 1_780_272_000.0  # 2026-06-01T00:00:00Z
RING = Keyring(KEY.encode(), {key_id(KEY.encode()): KEY.encode()})


def at(minutes: float) -> str:
    return rfc3339(tick(T0 + minutes * 60))


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A decision opened at T0, evaluation degraded from +2 min (two degraded cycles) and back
    at +6 min, an acknowledgement at +3 min, newer evidence at +7 min, the decision resolved
    at +10 min."""
    monkeypatch.delenv("LAUNCHGUARD_CONFIG", raising=False)
    path = tmp_path / "journal.sqlite"

    async def write() -> None:
        sink = JournalSink(path, RING, clock=time.time)
        a = decision(T0)
        await sink.deliver(report(T0, opened=[a]))
        await sink.deliver(report(T0 + 240, open_=[a], degraded=degraded(T0 + 120)))
        ack = WarroomAction("ack", a.id, tick(T0 + 180), "anna", "operator", {"note": "seen"})
        await sink.append_action(ack)
        await sink.deliver(report(T0 + 300, open_=[a], degraded=degraded(T0 + 120)))
        await sink.deliver(report(T0 + 360, open_=[a]))
        # Still healthy (no second `recovered`); newer evidence: left out of the timeline.
        await sink.deliver(report(T0 + 420, open_=[refreshed(a, T0 + 420, 2900.0)]))
        await sink.deliver(report(T0 + 600, resolved_now=[resolved(a, T0 + 600)]))
        await sink.close()

    asyncio.run(write())
    return path


def test_degraded_evaluation_is_journaled_once_when_it_begins_and_once_when_it_ends(
    journal: Path,
) -> None:
    # opened, degraded, ack, recovered, evidence_updated, resolved
    assert journal_records(journal) == 6


def test_the_timeline_lists_the_journal_in_order_as_json(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["timeline", "--journal", str(journal), "--start", at(-1), "--end", at(11)]
    assert main([*args, "--format", "json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert [(e["at"], e["event"]) for e in events] == [
        (at(0), "decision_opened"),
        (at(2), "degraded"),
        (at(3), "action_ack"),
        (at(6), "recovered"),
        (at(10), "decision_resolved"),
    ]
    assert events[0]["detail"]["criterion"] == "passthrough_rollback"
    assert events[0]["detail"]["evidence"]["observations"]  # the evidence that decided it
    assert "anna (operator)" in events[2]["summary"]
    assert (
        events[1]["summary"] == "evaluation degraded: prometheus_unreachable (connection refused)"
    )


def test_the_markdown_timeline_shows_warsaw_time_and_the_range_cuts_it(
    journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["timeline", "--journal", str(journal), "--start", at(2), "--end", at(6)]
    assert main(args) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| 2026")]
    assert [r.split(" | ")[1] for r in rows] == ["degraded", "action_ack", "recovered"]
    assert rows[0].startswith("| 2026-06-01 02:02:00 CEST")


def test_a_missing_journal_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.sqlite"
    args = ["timeline", "--journal", str(missing), "--start", at(0), "--end", at(1)]
    assert main(args) == 2
    assert f"journal {missing}: no such file" in capsys.readouterr().err


async def test_the_api_timeline_lists_decisions_and_actions_in_order(tmp_path: Path) -> None:
    async with warroom_api(tmp_path / "journal.sqlite") as (client, did, _):
        declared = await client.post(
            f"/api/v1/decisions/{did}/declare", json=DECLARATION, headers=bearer(IC)
        )
        assert declared.status_code == 200
        events = (await client.get("/api/v1/timeline")).json()["events"]
        kinds = [e["event"] for e in events if e["source"] == "journal"]
        assert kinds[-1] == "action_declare" and "decision_opened" in kinds
        assert kinds.index("decision_opened") < kinds.index("action_declare")
        assert [e["at"] for e in events] == sorted(e["at"] for e in events)
        later = await client.get("/api/v1/timeline", params={"since": "2036-01-01T00:00:00Z"})
        assert later.json() == {"events": []}
        bad = await client.get("/api/v1/timeline", params={"since": "yesterday"})
        assert bad.status_code == 400 and "since" in bad.json()["error"]
