"""The postmortem report ends with the launch's timeline, signed with the rest: over a real
Prometheus day (tests/test_reports_prometheus.py's), a journal holding the backtest's
decisions and an acknowledgement gives every decision opened and resolved, the action and
the calendar's phase change, in order; a changed timeline line breaks the signature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from launchguard.core.frames import tick
from launchguard.core.warroom import WarroomAction
from launchguard.harness.servers import PrometheusServer
from launchguard.reports import signing
from launchguard.sinks.journal_actions import action_entry, parse_at
from launchguard.sinks.journal_chain import Keyring, key_id
from launchguard.sinks.journal_store import Entry, JournalStore
from sink_factories import KEY
from test_reports_prometheus import END, T0, config, prometheus, report

from launchdays import backtest

pytestmark = pytest.mark.prometheus
__all__ = ["config", "prometheus"]  # module fixtures shared with the reports test
RING = Keyring(KEY.encode(), {key_id(KEY.encode()): KEY.encode()})


def test_the_postmortem_lists_every_decision_action_and_phase_in_order_and_is_signed(
    prometheus: PrometheusServer, config: Path, tmp_path: Path
) -> None:
    decisions = backtest(prometheus, T0, END)["decisions"]
    assert decisions, "the day opens decisions"
    journal = tmp_path / "journal.sqlite"
    store = JournalStore(journal)
    entries = []
    for d in decisions:
        entries.append(
            Entry("opened", d["id"], parse_at(d["opened_at"]), f"{d['id']}:o", {"decision": d})
        )
        if d["resolved_at"]:
            at = parse_at(d["resolved_at"])
            entries.append(Entry("resolved", d["id"], at, f"{d['id']}:r", {"decision": d}))
    first = decisions[0]
    ack_at = parse_at(first["opened_at"]) + 60_000
    entries.append(action_entry(WarroomAction("ack", first["id"], ack_at, "anna", "operator")))
    store.append(entries, RING, tick(END))
    store.close()
    key = tmp_path / "report.key"
    key.write_text("a report signing key of 32 bytes\n")
    extra = ["--end", str(int(END)), "--journal", str(journal), "--sign-key", str(key)]

    doc = json.loads(report(prometheus, config, "postmortem", *extra, "--format", "json"))
    events = doc["timeline"]["events"]
    assert doc["timeline"]["journal"] == str(journal)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    opened = [e["detail"]["id"] for e in events if e["event"] in ("decision_opened", "gonogo")]
    assert sorted(opened) == sorted(d["id"] for d in decisions)
    resolved = [e["detail"]["id"] for e in events if e["event"] == "decision_resolved"]
    assert sorted(resolved) == sorted(d["id"] for d in decisions if d["resolved_at"])
    names = [e["event"] for e in events]
    assert names.index("action_ack") > names.index("decision_opened")
    assert "phase_entered" in names  # full from T0 (the config's calendar)
    assert signing.verify_json(doc, signing.read_key(str(key)))
    events[0]["summary"] += "!"
    assert not signing.verify_json(doc, signing.read_key(str(key)))

    text = report(prometheus, config, "postmortem", *extra)
    assert "## Timeline" in text and "| action_ack | ack on " in text
    assert signing.verify_markdown(text, signing.read_key(str(key)))
    line = next(x for x in text.splitlines() if "| action_ack |" in x)
    assert not signing.verify_markdown(text.replace(line, line + " "), signing.read_key(str(key)))
