"""Warroom actions on real processes: `launchguard run` on the sev1 library scenario served by
a real Prometheus, alerting a real Alertmanager, with a signed journal and two tokens (the
operator's, the Launch IC's). An acknowledgement and a declaration made through its API are
still shown after a restart, `launchguard audit verify` passes on the journal, and `audit
export` holds both."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from launchguard.cli import main
from launchguard.harness.alertmanager_server import AlertmanagerServer
from livestack import DaemonProcess, Stop, serve_live_scenario, wait_until
from sink_factories import KEY

pytestmark = pytest.mark.prometheus
AT = 2 * 3600 + 20 * 60  # into the sev1 scenario: its SEV1 (2h..3h) is open
OPERATOR, IC = "operator-token-process-test", "launch-ic-token-process-test"
CONFIG = """
evaluation: {{interval: 2s, lookback: 10m}}
prometheus: {{url: "{prometheus}", timeout: 2s, retries: 0}}
alertmanager: {{urls: ["{alertmanager}"]}}
journal: {{path: "{journal}"}}
server: {{token_env: LG_TEST_API_TOKEN}}
warroom: {{role_tokens: {{launch_ic: LG_TEST_IC_TOKEN}}, declare_roles: [launch_ic]}}
plan: {{volume_guardrail: {{enabled: false}}}}
"""
NULL_ROUTE = "route: {receiver: none}\nreceivers: [{name: none}]\n"
ENV = {"LG_TEST_API_TOKEN": OPERATOR, "LG_TEST_IC_TOKEN": IC, "LAUNCHGUARD_JOURNAL_KEY": KEY}


def post(daemon: DaemonProcess, path: str, token: str, body: dict[str, str]) -> httpx.Response:
    return httpx.post(
        daemon.url + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=5.0,
    )


def test_an_ack_and_a_declaration_survive_a_restart_and_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stops: list[Stop] = []
    journal = tmp_path / "journal.sqlite"
    try:
        prometheus = serve_live_scenario(tmp_path, "sev1", AT, stops)
        alertmanager = AlertmanagerServer(NULL_ROUTE).start()
        stops.append(alertmanager.stop)
        config = CONFIG.format(
            prometheus=prometheus.url, alertmanager=alertmanager.url, journal=journal
        )
        first = DaemonProcess(tmp_path / "first", config, ENV)
        stops.append(first.stop)
        wait_until(first.ready, 60, "the daemon's /readyz")
        [sev1] = [d for d in first.status()["decisions"] if d["criterion"] == "sev1"]
        wait_until(lambda: alertmanager.alerts(criterion="sev1"), 30, "the SEV1 alert")
        base = f"/api/v1/decisions/{sev1['id']}"
        ack = post(first, f"{base}/ack", OPERATOR, {"by": "anna"})
        refused = post(first, f"{base}/declare", OPERATOR, {"by": "anna", "what": "x"})
        declare = {
            "by": "Irena",
            "what": "full rollback",
            "scope": "all networks",
            "rollback_of_rollback": "lift safe-mode network by network",
        }
        declared = post(first, f"{base}/declare", IC, declare)
        assert (ack.status_code, refused.status_code, declared.status_code) == (200, 403, 200)
        before = first.status()["warroom"]["decisions"][sev1["id"]]
        first.stop()

        second = DaemonProcess(tmp_path / "second", config, ENV)
        stops.append(second.stop)
        wait_until(second.ready, 60, "the restarted daemon's /readyz")
        after = second.status()["warroom"]["decisions"][sev1["id"]]
        assert after == before
        assert after["declarations"][0]["role"] == "launch_ic"
        assert after["acks"][0]["by"] == "anna"
        second.stop()
    finally:
        for stop in reversed(stops):
            stop()

    monkeypatch.setenv("LAUNCHGUARD_JOURNAL_KEY", KEY)
    monkeypatch.delenv("LAUNCHGUARD_CONFIG", raising=False)
    assert main(["audit", "verify", "--journal", str(journal)]) == 0
    out = tmp_path / "export.jsonl"
    span = ["--start", "2000-01-01T00:00:00Z", "--end", "2100-01-01T00:00:00Z"]
    assert main(["audit", "export", "--journal", str(journal), "--out", str(out), *span]) == 0
    events = [json.loads(line)["event"] for line in out.read_text().splitlines()]
    assert events.count("ack") == 1 and events.count("declare") == 1
