"""deploy/alertmanager.yml: valid for amtool, spelled with names.py's names, and its
inhibition rule really inhibits a partial rollback while a full one of the same launch fires."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from launchguard import names
from launchguard.config.alertmanager import AlertmanagerSettings
from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
    Notification,
    WebhookReceiver,
)
from launchguard.harness.servers import require_binary
from launchguard.sinks.alertmanager import AlertmanagerSink
from sink_factories import decision, report

from factories import DEFAULT

LABEL = names.LABEL_DECISION_ID
DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "alertmanager.yml"


def deploy_config() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(DEPLOY.read_text(encoding="utf-8"))
    return doc


def test_amtool_accepts_the_deploy_config() -> None:
    amtool = require_binary("amtool")
    proc = subprocess.run(
        [amtool, "check-config", str(DEPLOY)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


@pytest.mark.parametrize(
    ("alertname", "receivers"),
    [
        pytest.param(
            names.ALERT_ROLLBACK, ["warroom", "pager"], id="rollback-to-warroom-and-pager"
        ),
        pytest.param(
            names.ALERT_DEGRADED, ["warroom", "oncall"], id="degraded-evaluation-to-on-call"
        ),
        pytest.param(names.ALERT_SLO_BREACH, ["warroom", "tickets"], id="slo-breach-to-a-ticket"),
        pytest.param(
            names.ALERT_SLA_BREACH, ["warroom", "tickets"], id="support-sla-breach-to-a-ticket"
        ),
    ],
)
def test_the_deploy_routing_sends_each_alert_to_its_receivers(
    alertname: str, receivers: list[str]
) -> None:
    amtool = require_binary("amtool")
    proc = subprocess.run(
        [
            amtool,
            "config",
            "routes",
            "test",
            f"--config.file={DEPLOY}",
            f"alertname={alertname}",
            "launch=clubgate",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout.strip().split(",") == receivers, proc.stdout + proc.stderr


def webhook_everywhere(doc: dict[str, Any], url: str) -> str:
    """The deploy config with every receiver sent to `url` and short group timers."""
    for receiver in doc["receivers"]:
        receiver.pop("slack_configs", None)
        receiver["webhook_configs"] = [{"url": url, "send_resolved": True}]
    doc.pop("templates", None)
    for route in [doc["route"], *doc["route"]["routes"]]:
        route.update(group_wait="200ms", group_interval="500ms")
    return yaml.safe_dump(doc)


def notified(decision_id: str) -> Callable[[list[Notification]], bool]:
    return lambda ns: any(
        a["labels"]["decision_id"] == decision_id for n in ns for a in n["alerts"]
    )


def poll(fetch: Callable[[], list[dict[str, Any]]], state: str) -> dict[str, Any]:
    """Poll Alertmanager until the one alert `fetch` lists is in `state` (5 s deadline)."""
    deadline = time.monotonic() + 5.0
    while True:
        alerts = fetch()
        if len(alerts) == 1 and alerts[0]["status"]["state"] == state:
            return alerts[0]
        assert time.monotonic() < deadline, f"not {state}: {alerts}"
        time.sleep(0.05)


async def test_a_full_rollback_inhibits_partial_rollbacks_of_the_same_launch() -> None:
    with WebhookReceiver() as receiver:
        config = webhook_everywhere(deploy_config(), receiver.url)
        with AlertmanagerServer(config) as am:
            now = time.time()
            partial = decision(now - 120)
            full = decision(now - 60, criterion="sev1", network=None)
            other = decision(now - 90, network="erc20")
            s = AlertmanagerSink(
                AlertmanagerSettings(),
                interval=DEFAULT.interval,
                networks=DEFAULT.networks,
                urls=[am.url],
            )
            # The full rollback first: Alertmanager knows it before the partial's group flushes,
            await s.deliver(report(now, opened=[full]))
            receiver.wait_for(notified(full.id))
            other_launch = AlertmanagerSink(
                AlertmanagerSettings(launch="another"),
                interval=DEFAULT.interval,
                networks=DEFAULT.networks,
                urls=[am.url],
            )
            # then a partial one of the same launch, and one of another launch.
            await s.deliver(report(now + 1, open_=[full], opened=[partial]))
            await other_launch.deliver(report(now + 1, opened=[other]))
            receiver.wait_for(notified(other.id))  # the other launch's partial is not inhibited
            inhibited = poll(lambda: am.alerts(decision_id=partial.id), "suppressed")
            assert inhibited["status"]["inhibitedBy"] == [
                am.alerts(decision_id=full.id)[0]["fingerprint"]
            ]
            assert am.alerts(decision_id=full.id)[0]["status"]["state"] == "active"
            assert am.alerts(decision_id=other.id)[0]["status"]["state"] == "active"
            ids = {a["labels"]["decision_id"] for a in receiver.alerts()}
            assert partial.id not in ids
            await s.close()
            await other_launch.close()


def test_the_deploy_config_spells_alert_and_label_names_as_names_py() -> None:
    text = DEPLOY.read_text(encoding="utf-8")
    used = {names.ALERT_ROLLBACK, names.ALERT_DEGRADED, names.ALERT_SLO_BREACH}
    used |= {names.ALERT_SLA_BREACH}
    for name in used:
        assert name in text
    [rule] = deploy_config()["inhibit_rules"]
    assert rule["equal"] == [names.LABEL_LAUNCH]
    assert f'{names.LABEL_KIND}="full_rollback"' in rule["source_matchers"]
    assert f'{names.LABEL_KIND}="partial_rollback"' in rule["target_matchers"]
