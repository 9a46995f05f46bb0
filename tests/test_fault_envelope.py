"""The fault envelope (issue 12): `launchguard run` as a real process keeps its promises
while a fault-injecting proxy in front of a real Prometheus misbehaves, one mode at a time.

One daemon (tests/faultenvelope.py: 2 s cycles, a bearer token read from a file) watches a
live SEV1 scenario whose full rollback is open, posting to a real Alertmanager and to a
warroom webhook. For each mode: no decision opens or resolves, `LaunchEvaluationDegraded`
is active in Alertmanager within 2 cycles, every open decision is posted again during the
fault (its endsAt moves on) and stays active in Alertmanager throughout, the first cycle
after the fault is not degraded, and the token is nowhere: logs, status, the warroom page,
Alertmanager, webhook bodies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faultenvelope import (
    API_TOKEN,
    ENDS_AT_CYCLES,
    INTERVAL,
    MODES,
    TOKEN,
    Stack,
    active,
    fault_stack,
    healthy,
    open_alert_ids,
    run_fault,
)
from launchguard import names
from launchguard.notify.formatting import parse_time
from livestack import DaemonProcess, Decision, wait_until

pytestmark = pytest.mark.prometheus


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir: Path = tmp_path_factory.mktemp("fault-envelope")
    with fault_stack(workdir) as stack:
        yield stack


def assert_unchanged(stack: Stack, daemon: DaemonProcess, before: dict[str, Decision]) -> None:
    """No decision opened or resolved; every open one active in Alertmanager."""
    now = daemon.decisions()
    changed = {i: d for i, d in now.items() if before.get(i) != d}
    assert not changed, f"decisions opened or resolved: {changed}"
    still_open = {i for i, d in before.items() if d.resolved_at is None}
    missing = still_open - open_alert_ids(stack)
    assert not missing, f"open decisions lapsed in Alertmanager: {missing}"


def assert_reposted(stack: Stack, before: dict[str, Decision], since: float) -> None:
    """Every open decision was posted again after `since` (unix seconds): its endsAt is
    `ends_at_cycles` intervals after a post, so later than `since` + that."""
    ends = {
        a["labels"][names.LABEL_DECISION_ID]: parse_time(a["endsAt"])
        for a in stack.alertmanager.alerts()
        if names.LABEL_DECISION_ID in a["labels"]
    }
    for i, d in before.items():
        if d.resolved_at is None:
            assert ends[i] > since + ENDS_AT_CYCLES * INTERVAL, f"{d} not re-posted"


def assert_no_secret(*outputs: str) -> None:
    for text in outputs:
        for secret in (TOKEN, API_TOKEN):
            where = text.find(secret)
            assert where < 0, f"a secret leaked: …{text[max(0, where - 200) : where + 200]}"


@pytest.mark.parametrize(
    ("mode", "parameters"),
    [pytest.param(mode, parameters, id=what) for mode, parameters, what in MODES],
)
def test_a_fault_degrades_within_two_cycles_keeps_the_decisions_and_leaks_nothing(
    stack: Stack, mode: str, parameters: dict[str, Any]
) -> None:
    daemon, before = healthy(stack)
    logged = len(daemon.logs())
    sent = len(stack.warroom.notifications), len(stack.notifications.notifications)

    def while_degraded(switched: float) -> None:
        assert_reposted(stack, before, switched)
        # What is shown while degraded: status, the warroom page, Alertmanager's alerts.
        shown = [daemon.get("/api/v1/status").text, daemon.get("/").text]
        assert_no_secret(*shown, json.dumps(stack.alertmanager.alerts()))

    run = run_fault(
        stack,
        daemon,
        mode,
        parameters,
        each_poll=lambda: assert_unchanged(stack, daemon, before),
        when_degraded=while_degraded,
    )
    assert run.first_good["degraded"] is None, f"{mode}: not recovered on the first good cycle"
    wait_until(lambda: not active(stack, names.ALERT_DEGRADED), 5, "the degraded alert resolved")
    assert_unchanged(stack, daemon, before)
    assert run.to_degraded <= 2, f"{mode}: degraded after {run.to_degraded} cycles"
    assert_no_secret(
        daemon.logs()[logged:],
        json.dumps(stack.warroom.notifications[sent[0] :]),
        json.dumps(stack.notifications.notifications[sent[1] :]),
    )
