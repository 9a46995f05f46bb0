"""The fault envelope's live stack, shared by tests/test_fault_envelope.py and
benchmarks/bench_faults.py: one `launchguard run` (2 s cycles, a bearer token read from a
file) watching a live SEV1 scenario whose full rollback is open, through the fault proxy
(tests/faultproxy.py) in front of a real Prometheus, posting to a real Alertmanager and a
warroom webhook. `run_fault` holds one fault mode and measures it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faultproxy import FaultProxy
from launchguard import names
from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
    WebhookReceiver,
    webhook_config,
)
from livestack import CycleWatch, DaemonProcess, Decision, Stop, serve_live_scenario, wait_until

TOKEN = "prom-bearer-7f3c9a1e-never-shown"
API_TOKEN = "api-token-c41d-never-shown"
AT = 2 * 3600 + 20 * 60  # into the sev1 scenario: its SEV1 (2h..3h) is open
INTERVAL = 2.0  # seconds; 1 s cycles overrun their deadline on a loaded 2-core machine
ENDS_AT_CYCLES = 2  # an open alert not re-posted for 2 cycles lapses in Alertmanager
HOLD = 2  # faulted cycles at least: the 2 cycles the degraded alert may take
CONFIG = """
evaluation: {{interval: {interval}s, lookback: 10m}}
prometheus:
  url: "{proxy}"
  bearer_token_file: "{token}"
  timeout: 1.5s
  retries: 0
  max_response_bytes: 4MiB
alertmanager: {{urls: ["{alertmanager}"], ends_at_cycles: {ends_at}}}
warroom: {{webhook_url: "{warroom}"}}
journal: {{enabled: false}}
plan: {{volume_guardrail: {{enabled: false}}}}
daemon: {{degraded_after: 1s}}
# Offsets of minutes, not 15-30 (short cycles over 30-minute ranges are slow on 2 cores).
criteria:
  passthrough_rollback: {{previous_window: 1m, queue_growth_over: 2m}}
  payout_stall: {{queue_growth_over: 2m}}
  eod_unsettled: {{improvement_over: 1m}}
  webhook_rollback: {{growth_over: 1m}}
"""

MODES: list[tuple[str, dict[str, Any], str]] = [
    ("http500", {}, "HTTP 500 answers"),
    ("http503", {}, "HTTP 503 answers"),
    ("garbage", {}, "a body that is not JSON"),
    ("bad_shape", {}, "JSON of the wrong shape"),
    ("nan", {}, "NaN in every signal"),
    ("+inf", {}, "+Inf in every signal"),
    ("-inf", {}, "-Inf in every signal"),
    ("1e308", {}, "1e308 in every signal"),
    # One signal only: the faults of issue 12 as first seen.
    ("+inf", {"only": "clubgate_trust_cutoff_timestamp_seconds"}, "+Inf in the cut-offs only"),
    ("-inf", {"only": "sum(increase(clubgate_webhook_deliveries"}, "-Inf in webhook success only"),
    ("nan", {"only": 'clubgate_incidents_open{severity="sev1"}'}, "NaN in the open SEV1's gauge"),
    ("empty", {}, "empty results"),
    ("slow", {"slow_seconds": 3.0}, "answers slower than the timeout"),
    ("drip", {"drip_seconds": 1.0}, "one byte per second"),
    ("huge", {"huge_bytes": 10 * 2**20}, "a 10 MB answer over a 4 MiB limit"),
    ("echo_auth", {}, "an error echoing the Authorization header"),
    ("reset", {}, "connections dropped"),
]
"""(proxy mode, its parameters, what it is) of every fault the envelope is held against;
`only` limits a fault to the requests of one signal (a text of its PromQL)."""


@dataclass
class Stack:
    workdir: Path
    config: str
    proxy: FaultProxy
    alertmanager: AlertmanagerServer
    notifications: WebhookReceiver  # what Alertmanager sends
    warroom: WebhookReceiver  # what the daemon's warroom sink sends
    daemon: DaemonProcess | None = None
    restarts: int = 0

    def start_daemon(self) -> DaemonProcess:
        """A fresh `launchguard run` (after a mode that left the previous one broken, the
        next mode gets its own, so one failure does not fail every mode after it)."""
        if self.daemon is not None:
            self.daemon.stop()
            self.restarts += 1
        workdir = self.workdir / f"daemon-{self.restarts}"
        self.daemon = DaemonProcess(workdir, self.config, {"LAUNCHGUARD_API_TOKEN": API_TOKEN})
        wait_until(self.daemon.ready, 60, "the daemon's /readyz")
        return self.daemon


@contextmanager
def fault_stack(workdir: Path) -> Iterator[Stack]:
    """The whole stack under `workdir`, its daemon started; everything stopped after."""
    workdir.mkdir(parents=True, exist_ok=True)
    stops: list[Stop] = []
    try:
        prometheus = serve_live_scenario(workdir, "sev1", AT, stops)
        proxy = FaultProxy(prometheus.url).start()
        stops.append(proxy.stop)
        notifications, warroom = WebhookReceiver().start(), WebhookReceiver().start()
        stops += [notifications.stop, warroom.stop]
        alertmanager = AlertmanagerServer(webhook_config(notifications.url)).start()
        stops.append(alertmanager.stop)
        (workdir / "token").write_text(TOKEN + "\n")
        config = CONFIG.format(
            proxy=proxy.url,
            token=workdir / "token",
            alertmanager=alertmanager.url,
            warroom=warroom.url,
            interval=INTERVAL,
            ends_at=ENDS_AT_CYCLES,
        )
        stack = Stack(workdir, config, proxy, alertmanager, notifications, warroom)
        stops.append(lambda: stack.daemon.stop() if stack.daemon else None)
        stack.start_daemon()
        yield stack
    finally:
        for stop in reversed(stops):
            stop()


def active(stack: Stack, alertname: str) -> list[dict[str, Any]]:
    alerts = stack.alertmanager.alerts(alertname=alertname)
    return [a for a in alerts if a["status"]["state"] == "active"]


def open_alert_ids(stack: Stack) -> set[str]:
    return {
        a["labels"][names.LABEL_DECISION_ID]
        for a in stack.alertmanager.alerts()
        if names.LABEL_DECISION_ID in a["labels"]
    }


def healthy(stack: Stack) -> tuple[DaemonProcess, dict[str, Decision]]:
    """Waits until evaluation is not degraded anywhere (restarting a daemon that stays
    broken); the daemon and its decisions then (id → resolved_at)."""
    daemon = stack.daemon or stack.start_daemon()

    def clear() -> bool:
        if daemon.status()["degraded"] is not None or active(stack, names.ALERT_DEGRADED):
            return False
        still_open = {i for i, d in daemon.decisions().items() if d.resolved_at is None}
        return still_open <= open_alert_ids(stack)

    try:
        wait_until(lambda: daemon.cycled_within(3.0), 5, "cycles")  # stopped ones say "ok"
        wait_until(clear, 10, "not degraded, and every open decision active in Alertmanager")
    except AssertionError:
        daemon = stack.start_daemon()
        wait_until(clear, 30, "a fresh daemon healthy")
    decisions = daemon.decisions()
    if not any(d.resolved_at is None for d in decisions.values()):
        raise AssertionError("the SEV1 rollback must be open")
    return daemon, decisions


@dataclass(frozen=True)
class FaultRun:
    switched: float  # unix seconds the fault began
    to_degraded: int  # cycles begun after it, up to the one that posted the degraded alert
    first_good: dict[str, Any]  # the status of the first cycle begun after the fault ended


def run_fault(
    stack: Stack,
    daemon: DaemonProcess,
    mode: str,
    parameters: dict[str, Any],
    each_poll: Callable[[], None] = lambda: None,
    when_degraded: Callable[[float], None] = lambda switched: None,
) -> FaultRun:
    """Switches the proxy to `mode`, waits for `LaunchEvaluationDegraded` in Alertmanager,
    holds the fault for at least HOLD cycles, then passes Prometheus through again and
    waits for a cycle begun after that. `each_poll()` runs at each poll during the fault,
    `when_degraded(switched)` once the alert is seen; the proxy passes again whatever
    they raise."""
    switched = time.time()
    faulted = CycleWatch(daemon, switched)
    stack.proxy.set(mode, **parameters)
    try:

        def degraded_alert() -> bool:
            faulted.poll()
            each_poll()
            return bool(active(stack, names.ALERT_DEGRADED))

        wait_until(degraded_alert, 8 * INTERVAL, f"LaunchEvaluationDegraded under {mode}")
        faulted.poll()  # the cycle that posted the alert recorded its status before
        to_degraded = len(faulted.statuses)
        when_degraded(switched)

        def held() -> bool:
            faulted.poll()
            each_poll()
            return len(faulted.statuses) >= HOLD

        wait_until(held, 8 * INTERVAL, f"{HOLD} cycles under {mode}")
    finally:
        repaired = CycleWatch(daemon, time.time())
        stack.proxy.set("pass")
    wait_until(lambda: repaired.poll() or repaired.statuses, 8 * INTERVAL, "a cycle after it")
    return FaultRun(switched, to_degraded, repaired.statuses[0])
