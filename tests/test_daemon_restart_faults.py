"""A restart while Prometheus drips one byte a second (the issue's stuck start-up rebuild),
with real processes: `launchguard run` restarted behind the fault proxy serves at once,
/readyz says 503 with why, every cycle fails within its deadline and is reported degraded,
and the SEV1 rollback the previous run opened stays active in a real Alertmanager with its
`endsAt` moved on (the rebuild cannot say it is open, Alertmanager can); once Prometheus
answers again the rebuild succeeds and /readyz turns 200. Nothing waits for ever."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from faultenvelope import CONFIG, INTERVAL, TOKEN
from faultproxy import FaultProxy
from launchguard import names
from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
    WebhookReceiver,
    webhook_config,
)
from livestack import DaemonProcess, Stop, serve_live_scenario, wait_until

pytestmark = pytest.mark.prometheus

AT = 2 * 3600 + 20 * 60  # into the sev1 scenario: its SEV1 (2h..3h) is open
ENDS_AT_CYCLES = 10  # an alert outlives the restart itself (a process start takes seconds)


def unix(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def sev1_alert(alertmanager: AlertmanagerServer) -> dict[str, object] | None:
    found = [
        a
        for a in alertmanager.alerts(criterion="sev1")
        if names.LABEL_DECISION_ID in a["labels"] and a["status"]["state"] == "active"
    ]
    return found[0] if found else None


def cycles(daemon: DaemonProcess) -> float:
    """Its cycles so far; 0 while it does not listen yet."""
    try:
        return daemon.cycles()
    except httpx.TransportError:
        return 0.0


def test_a_restart_against_a_dripping_prometheus_keeps_the_rollback_and_recovers(
    tmp_path: Path,
) -> None:
    stops: list[Stop] = []
    try:
        prometheus = serve_live_scenario(tmp_path, "sev1", AT, stops)
        proxy = FaultProxy(prometheus.url).start()
        stops.append(proxy.stop)
        receiver = WebhookReceiver().start()
        stops.append(receiver.stop)
        alertmanager = AlertmanagerServer(webhook_config(receiver.url)).start()
        stops.append(alertmanager.stop)
        (tmp_path / "token").write_text(TOKEN + "\n")
        config = CONFIG.format(
            proxy=proxy.url,
            token=tmp_path / "token",
            alertmanager=alertmanager.url,
            warroom=receiver.url,
            interval=INTERVAL,
            ends_at=ENDS_AT_CYCLES,
        )
        first = DaemonProcess(tmp_path / "first", config)
        stops.append(first.stop)
        wait_until(first.ready, 60, "the first daemon's /readyz")
        wait_until(lambda: sev1_alert(alertmanager), 30, "the SEV1 rollback alert")

        proxy.set("drip", drip_seconds=1.0)
        first.stop()
        before = sev1_alert(alertmanager)  # as the first run last posted it
        assert before is not None
        second = DaemonProcess(tmp_path / "second", config)
        stops.append(second.stop)
        wait_until(lambda: cycles(second) >= 3, 60, "three cycles of the restarted daemon")
        ready = second.get("/readyz")
        assert ready.status_code == 503 and "no successful evaluation yet" in ready.text
        status = second.status()
        assert status["evaluation"]["outcome"] == "failed"
        assert status["degraded"]["reason"] == "prometheus_unreachable"
        # Each cycle ends within the deadline (80 % of the interval) whatever the drip.
        assert status["evaluation"]["duration_seconds"] < INTERVAL
        kept = sev1_alert(alertmanager)
        assert kept is not None and kept["labels"] == before["labels"]
        assert unix(str(kept["endsAt"])) > unix(str(before["endsAt"]))
        assert alertmanager.alerts(alertname=names.ALERT_DEGRADED)

        proxy.set("pass")
        began = time.monotonic()
        wait_until(second.ready, 30, "/readyz once Prometheus answers again")
        assert time.monotonic() - began < 10 * INTERVAL
        # Rebuilt: the SEV1 is open again (under another id here: it began 20 min ago, before
        # this config's 10 min lookback, so the replay opens it at the lookback's start).
        assert [d["criterion"] for d in second.status()["decisions"]] == ["sev1"]
    finally:
        for stop in reversed(stops):
            stop()
