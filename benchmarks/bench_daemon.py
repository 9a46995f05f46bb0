"""The live daemon (`make bench`): detection latency against a Prometheus alerting rule,
and a 10,000-cycle soak.

1. Latency, measured side by side in one run: an exporter on loopback flips a sev1 gauge;
   "visible" is the first instant Prometheus answers the new value; the daemon (interval I,
   through Alertmanager) and a Prometheus alerting rule on the same criterion (evaluation
   interval I, through the same Alertmanager) race to the same webhook receiver.
   Goal: the daemon no later than the rule, and at most I + 2 s.
2. Soak: 10,000 cycles called back to back against a local Prometheus over a backfilled
   history (explicit times, one grid step each, decisions opening and resolving on the
   way); RSS growth after warm-up printed. Goal: < 5 MB.

Not a test: nothing asserts on time; each goal is printed as met or MISSED.
Environment: LG_BENCH_INTERVAL (s, default 5), LG_BENCH_TRIALS (default 5),
LG_BENCH_CYCLES (default 10000).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import structlog
import yaml
from prometheus_client import CollectorRegistry, Gauge, start_http_server
from report import Row, progress, table, verdict

from launchguard.config.domain import Launch, to_domain
from launchguard.config.loader import deep_merge, default_text, parse
from launchguard.daemon import Daemon
from launchguard.daemon.service import bind, run_service
from launchguard.harness.alertmanager_server import AlertmanagerServer, webhook_config
from launchguard.harness.servers import PrometheusServer, backfill
from launchguard.prometheus import PrometheusClient
from launchguard.server import create_app
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.timeline import piecewise
from launchguard.sinks import build_sinks

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/launchday.py
import launchday
from launchday import LaunchDay, Pair, const

INTERVAL = float(os.environ.get("LG_BENCH_INTERVAL", "5"))
TRIALS = int(os.environ.get("LG_BENCH_TRIALS", "5"))
CYCLES = int(os.environ.get("LG_BENCH_CYCLES", "10000"))
WARMUP = 500  # soak cycles before the RSS baseline
RULE_ALERT = "BenchSev1Rule"
SEV1_QUERY = 'sum(clubgate_incidents_open{severity="sev1"})'
BASE: dict[str, Any] = {
    "journal": {"enabled": False},
    "prometheus": {"timeout": "2s", "retries": 0},
}


def launch_with(overrides: dict[str, Any]) -> Launch:
    raw = deep_merge(yaml.safe_load(default_text()), deep_merge(BASE, overrides))
    return to_domain(parse(raw, "<bench>"))


class Receiver:
    """A webhook receiver recording (arrival unix time, alert) for every alert notified."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[float, dict[str, Any]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.time()
                with outer.lock:
                    outer.seen.extend((now, a) for a in json.loads(body).get("alerts", []))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def first(self, after: float, status: str, match: dict[str, str]) -> float | None:
        with self.lock:
            for at, alert in self.seen:
                labels = alert["labels"]
                matches = all(labels.get(k) == v for k, v in match.items())
                if at >= after and alert["status"] == status and matches:
                    return at
        return None


def prometheus_config(exporter: str, alertmanager: str, rules: Path) -> str:
    return (
        f"global:\n  scrape_interval: 1s\n  evaluation_interval: {INTERVAL:g}s\n"
        f"rule_files: ['{rules}']\n"
        "alerting:\n  alertmanagers:\n    - static_configs:\n"
        f"        - targets: ['{alertmanager}']\n"
        "scrape_configs:\n  - job_name: bench\n    static_configs:\n"
        f"      - targets: ['{exporter}']\n"
    )


async def wait_until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        await asyncio.sleep(0.01)
    raise TimeoutError(f"no {what} after {timeout} s")


async def latency(work: Path) -> list[Row]:
    registry = CollectorRegistry()
    gauge = Gauge("clubgate_incidents_open", "open incidents", ["severity"], registry=registry)
    gauge.labels("sev1").set(0)
    exporter, _ = start_http_server(0, "127.0.0.1", registry=registry)
    receiver = Receiver()
    am = AlertmanagerServer(webhook_config(receiver.url)).start()
    rules = work / "rules.yml"
    rules.write_text(
        "groups:\n  - name: bench\n    rules:\n"
        f"      - alert: {RULE_ALERT}\n        expr: {SEV1_QUERY} > 0\n"
    )
    config = prometheus_config(
        f"127.0.0.1:{exporter.server_port}", am.url.removeprefix("http://"), rules
    )
    prom = PrometheusServer(work / "live-tsdb", config=config).start()
    the = launch_with(
        {
            "prometheus": {"url": prom.url},
            "evaluation": {"interval": f"{INTERVAL:g}s", "lookback": "1m", "clear_for": "1s"},
            "alertmanager": {"urls": [am.url]},
            "plan": {"volume_guardrail": {"enabled": False}},
        }
    )
    from launchguard.sinks import AlertmanagerSink

    sink = AlertmanagerSink(the.config.alertmanager, interval=the.interval, networks=the.networks)
    stop = asyncio.Event()
    daemon_lat: list[float] = []
    rule_lat: list[float] = []
    try:
        async with PrometheusClient(the.prometheus) as client:
            daemon = Daemon(the, client, [sink])
            app = create_app(daemon, the.config.server, None)
            service = asyncio.create_task(
                run_service(daemon, app, bind("127.0.0.1", 0), stop, handle_signals=False)
            )

            async def value_now() -> float | None:
                now = time.time()
                result = await client.query_range(SEV1_QUERY, now, now, 1.0)
                return result.series[0].points[-1][1] if result.series else None

            await wait_until(lambda: _is(value_now, 0.0), 30, "first scrape")
            for trial in range(TRIALS):
                await asyncio.sleep(random.uniform(0, INTERVAL))  # a random phase
                gauge.labels("sev1").set(1)
                began = time.time()
                await wait_until(lambda: _is(value_now, 1.0), 30, "sev1 visible")
                visible = time.time()
                d = await arrival(receiver, began, "firing", {"criterion": "sev1"})
                r = await arrival(receiver, began, "firing", {"alertname": RULE_ALERT})
                daemon_lat.append(d - visible)
                rule_lat.append(r - visible)
                progress(
                    f"latency trial {trial + 1}/{TRIALS}: daemon {d - visible:.2f} s, "
                    f"rule {r - visible:.2f} s"
                )
                gauge.labels("sev1").set(0)
                cleared = time.time()
                await arrival(receiver, cleared, "resolved", {"criterion": "sev1"})
                await arrival(receiver, cleared, "resolved", {"alertname": RULE_ALERT})
            stop.set()
            await service
    finally:
        prom.stop()
        am.stop()
        exporter.shutdown()
        receiver.server.shutdown()
    d_med, r_med = statistics.median(daemon_lat), statistics.median(rule_lat)
    # Both schedules tick every INTERVAL at their own phase, so either may win one trial;
    # the goal is on the medians (no slack), the per-trial count is shown beside it.
    not_later = d_med <= r_med
    return [
        Row(f"detection latency, interval {INTERVAL:g} s, {TRIALS} trials"),
        Row(
            "  daemon (median / max)",
            f"{d_med:.2f} / {max(daemon_lat):.2f} s",
            f"≤ rule, ≤ {INTERVAL + 2:g} s",
            verdict(not_later and max(daemon_lat) <= INTERVAL + 2),
        ),
        Row(
            "  trials where the daemon was no later than the rule",
            f"{sum(d <= r for d, r in zip(daemon_lat, rule_lat, strict=True))} / {TRIALS}",
            "(info)",
        ),
        Row("  Prometheus rule (median / max)", f"{r_med:.2f} / {max(rule_lat):.2f} s"),
    ]


async def arrival(receiver: Receiver, after: float, status: str, match: dict[str, str]) -> float:
    """When the first matching alert notification arrived after `after` (waits ≤ 60 s)."""
    found: float = await wait_until(
        lambda: receiver.first(after, status, match), 60, f"{status} {match}"
    )
    return found


async def _is(read: Any, want: float) -> bool:
    return bool(await read() == want)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def soak(work: Path) -> list[Row]:
    step = 30.0
    span = (CYCLES + 800) * step
    end = (time.time() - 2 * 3600) // 3600 * 3600
    start = end - span
    sev1 = piecewise(
        [
            (start + k * 4 * 3600 + off, v)
            for k in range(int(span // 14400) + 1)
            for off, v in ((0.0, 0.0), (3600.0, 1.0), (4200.0, 0.0))
        ]
    )
    day = LaunchDay(
        start=start,
        end=end,
        pairs=[
            Pair("erc20", "e1", const(0.0), const(start)),
            Pair("trc20", "t1", const(0.0), const(start)),
        ],
        sev1_open=sev1,
    )
    progress(f"soak: writing and backfilling {span / 86400:.1f} days of history")
    history = write_openmetrics(work / "soak.om", lambda w: launchday.write(day, w))
    backfill(history, work / "soak-tsdb")
    prom = PrometheusServer(work / "soak-tsdb", retention="30d").start()
    key = work / "soak-journal.key"
    key.write_text("soak-journal-key-" + "k" * 32)
    journal = {"enabled": True, "path": str(work / "soak-journal.db"), "key_file": str(key)}
    the = launch_with(
        {"prometheus": {"url": prom.url}, "evaluation": {"lookback": "1h"}, "journal": journal}
    )
    try:
        async with PrometheusClient(the.prometheus) as client:
            # The journal sink is on: its SQLite writes are part of what must not leak.
            daemon = Daemon(the, client, build_sinks(the.config).sinks)
            t = start + 400 * step
            await daemon.start(t)
            began, base, transitions, failed = time.perf_counter(), 0.0, 0, 0
            for n in range(1, CYCLES + 1):
                t += step
                report = await daemon.cycle(t)
                if report is None or report.degraded is not None:
                    failed += 1
                transitions += len(report.transitions) if report else 0
                if n == WARMUP:
                    gc.collect()
                    base = rss_mb()
                if n % 1000 == 0:
                    progress(f"soak: {n} cycles, RSS {rss_mb():.1f} MB")
            seconds = time.perf_counter() - began
            gc.collect()
            growth = rss_mb() - base
    finally:
        prom.stop()
    return [
        Row(f"soak: {CYCLES} cycles back to back ({seconds:.0f} s, {transitions} transitions)"),
        Row("  RSS growth after warm-up", f"{growth:.2f} MB", "< 5 MB", verdict(growth < 5)),
        Row("  mean cycle", f"{seconds / CYCLES * 1000:.1f} ms"),
        Row("  cycles degraded or skipped", str(failed), "0", verdict(failed == 0)),
    ]


async def main_async() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))  # errors only
    with tempfile.TemporaryDirectory(prefix="launchguard-bench-daemon-") as tmp:
        work = Path(tmp)
        rows = await latency(work)
        rows += await soak(work)
    print(table("launchguard daemon benchmark", rows))


def main() -> None:
    asyncio.run(main_async())


if __name__ == "__main__":
    sys.exit(main())
