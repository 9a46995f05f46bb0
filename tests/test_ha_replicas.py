"""High availability (docs/operations.md): two `launchguard run` replicas on one Prometheus,
both posting to both members of a real two-peer Alertmanager cluster that runs the shipped
deploy/alertmanager.yml, whose warroom receiver renders the RU/EN texts with the shipped
template (Slack/Mattermost format). The replicas' own warroom webhook is off: the warroom is
fed by the cluster. A SEV1 opens and clears live; the warroom gets exactly one message per
event (opened, resolved), and the pager exactly one notification per state change.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from launchguard import names
from launchguard.harness.alertmanager_server import AlertmanagerServer, WebhookReceiver
from launchguard.harness.servers import free_port
from livestack import DaemonProcess, Stop, serve_live_scenario, wait_until

pytestmark = pytest.mark.prometheus

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
AT = 3600.0  # now, into the scenario below: its SEV1 starts 15 s later and lasts 10 s
SCENARIO = """
description: a SEV1 declared a quarter of a minute after now, cleared ten seconds later
seed: 12
duration: 2h
step: 5s
events:
  - {kind: incident, severity: sev1, at: 60m15s, until: 60m25s}
"""
PEER_TIMEOUT = 1.0  # seconds the second cluster member waits before it would notify
DAEMON = """
evaluation: {{interval: 2s, lookback: 1m, clear_for: 4s}}
prometheus: {{url: "{prometheus}", timeout: 2s, retries: 0}}
alertmanager: {{urls: [{alertmanagers}]}}
warroom: {{webhook_url: null}}   # HA: the warroom is fed by the Alertmanager cluster
journal: {{enabled: false}}
plan: {{volume_guardrail: {{enabled: false}}}}
criteria:
  passthrough_rollback: {{previous_window: 1m, queue_growth_over: 2m}}
  payout_stall: {{queue_growth_over: 2m}}
  eod_unsettled: {{improvement_over: 1m}}
  webhook_rollback: {{growth_over: 1m}}
"""


def cluster_config(warroom: str, pager: str) -> str:
    """The shipped config: the warroom's Slack-format hook to `warroom`, every other
    receiver to `pager` (a webhook), timers short enough for a test."""
    doc: dict[str, Any] = yaml.safe_load((DEPLOY / "alertmanager.yml").read_text())
    doc["templates"] = [str(DEPLOY / "alertmanager-templates" / "*.tmpl")]
    for receiver in doc["receivers"]:
        if receiver["name"] == "warroom":
            for hook in receiver["slack_configs"]:
                hook["api_url"] = warroom
        else:
            receiver["webhook_configs"] = [{"url": pager, "send_resolved": True}]
    for route in [doc["route"], *doc["route"]["routes"]]:
        route.update(group_wait="500ms", group_interval="1s")
    return yaml.safe_dump(doc, allow_unicode=True)


def start_cluster(config: str, stops: list[Stop]) -> list[AlertmanagerServer]:
    ports = [free_port(), free_port()]
    members = []
    for mine, theirs in (ports, ports[::-1]):
        flags = [
            f"--cluster.listen-address=127.0.0.1:{mine}",
            f"--cluster.advertise-address=127.0.0.1:{mine}",
            f"--cluster.peer=127.0.0.1:{theirs}",
            f"--cluster.peer-timeout={PEER_TIMEOUT}s",
            "--cluster.gossip-interval=50ms",
            "--cluster.pushpull-interval=1s",
        ]
        member = AlertmanagerServer(config, cluster=flags)
        stops.append(member.stop)
        members.append(member.start())
    return members


def peers(member: AlertmanagerServer) -> int:
    import httpx

    status = httpx.get(f"{member.url}/api/v2/status", timeout=5).json()
    return len(status["cluster"].get("peers") or [])


def warroom_events(receiver: WebhookReceiver) -> list[tuple[str, str]]:
    """(decision_id, status) of each warroom message, as the shipped template renders them."""
    out = []
    for message in receiver.notifications:
        for attachment in message.get("attachments", []):
            text = attachment["text"]
            for status, decision in re.findall(r"status: (\w+) · decision_id: (\S+)", text):
                out.append((decision, status))
    return out


def pager_events(receiver: WebhookReceiver) -> list[tuple[str, str]]:
    return [
        (a["labels"][names.LABEL_DECISION_ID], a["status"])
        for n in receiver.notifications
        for a in n["alerts"]
        if a["labels"].get(names.LABEL_ALERTNAME) == names.ALERT_ROLLBACK
    ]


@pytest.fixture
def stops() -> Iterator[list[Stop]]:
    todo: list[Stop] = []
    yield todo
    for stop in reversed(todo):
        stop()


def test_two_replicas_and_a_two_peer_cluster_tell_the_warroom_each_event_once(
    tmp_path: Path, stops: list[Stop]
) -> None:
    warroom, pager = WebhookReceiver().start(), WebhookReceiver().start()
    stops += [warroom.stop, pager.stop]
    cluster = start_cluster(cluster_config(warroom.url, pager.url), stops)
    wait_until(lambda: all(peers(m) == 2 for m in cluster), 30, "the cluster to form")
    (tmp_path / "ha.yaml").write_text(SCENARIO)
    prometheus = serve_live_scenario(tmp_path, str(tmp_path / "ha.yaml"), AT, stops, "1s")
    urls = ", ".join(f'"{m.url}"' for m in cluster)
    config = DAEMON.format(prometheus=prometheus.url, alertmanagers=urls)
    replicas = [DaemonProcess(tmp_path / f"replica-{r}", config) for r in "ab"]
    stops += [r.stop for r in replicas]
    for replica in replicas:
        wait_until(replica.ready, 60, "a replica's /readyz")

    def resolved() -> bool:
        return any(status == "resolved" for _, status in warroom_events(warroom))

    wait_until(resolved, 90, "the warroom's resolved message")
    # A duplicate would come from the second member after its peer timeout: watch past it.
    deadline = time.monotonic() + 3 * PEER_TIMEOUT + 2.0
    wait_until(lambda: time.monotonic() > deadline, 10, "the duplicate window")

    decisions = [r.decisions() for r in replicas]
    assert decisions[0].keys() == decisions[1].keys(), "the replicas disagree on the ids"
    [sev1] = [i for i, d in decisions[0].items() if d.criterion == "sev1"]
    assert all(d[sev1].resolved_at is not None for d in decisions)
    assert Counter(warroom_events(warroom)) == {(sev1, "firing"): 1, (sev1, "resolved"): 1}
    assert Counter(pager_events(pager)) == {(sev1, "firing"): 1, (sev1, "resolved"): 1}
    # The message is the warroom's: the Russian and the English texts of the decision.
    [opened] = [n for n in pager.notifications if n["status"] == "firing"]
    annotations = opened["alerts"][0]["annotations"]
    [first] = [m["attachments"][0]["text"] for m in warroom.notifications][:1]
    for key in (names.ANNOTATION_SUMMARY_RU, names.ANNOTATION_SUMMARY):
        assert annotations[key] in first
    assert re.search("[\\u0400-\\u04ff]", annotations[names.ANNOTATION_SUMMARY_RU])  # Cyrillic
