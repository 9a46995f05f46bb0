"""The daemon live, end to end: a real Prometheus scraping an exporter on loopback every
second, the daemon on its wall-clock schedule (1 s interval) with its HTTP API, a real
Alertmanager and a webhook receiver. A sev1 incident appearing in the data reaches the
receiver as `LaunchRollbackRecommended`; when it clears (after the 3 s clear_for of this
config), the resolved notification arrives. Then the daemon shuts down cleanly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from daemons import Exporter, RecordingSink, eventually, scrape_config, test_launch
from launchguard import names
from launchguard.daemon import Daemon
from launchguard.daemon.service import bind, run_service
from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
    WebhookReceiver,
)
from launchguard.harness.servers import PrometheusServer
from launchguard.prometheus import PrometheusClient
from launchguard.server import create_app
from launchguard.sinks import AlertmanagerSink

pytestmark = pytest.mark.prometheus


@pytest.fixture
def exporter() -> Iterator[Exporter]:
    e = Exporter()
    yield e
    e.stop()


@pytest.fixture
def live_prometheus(tmp_path: Path, exporter: Exporter) -> Iterator[PrometheusServer]:
    server = PrometheusServer(tmp_path / "tsdb", config=scrape_config(exporter.target))
    yield server.start()
    server.stop()


def sev1_alerts(receiver: WebhookReceiver, status: str) -> list[dict[str, Any]]:
    return [
        a
        for a in receiver.alerts()
        if a["labels"].get(names.LABEL_CRITERION) == "sev1" and a["status"] == status
    ]


async def test_a_breach_reaches_the_receiver_and_its_clearing_resolves_it(
    exporter: Exporter,
    live_prometheus: PrometheusServer,
    alertmanager: AlertmanagerServer,
    receiver: WebhookReceiver,
) -> None:
    the = test_launch(
        {
            "prometheus": {"url": live_prometheus.url},
            "evaluation": {"interval": "1s", "lookback": "30s", "clear_for": "3s"},
            "alertmanager": {"urls": [alertmanager.url]},
        }
    )
    recorder = RecordingSink()
    am = AlertmanagerSink(the.config.alertmanager, interval=the.interval, networks=the.networks)
    stop = asyncio.Event()
    sock = bind("127.0.0.1", 0)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with PrometheusClient(the.prometheus) as client:
        daemon = Daemon(the, client, [am, recorder])
        app = create_app(daemon, the.config.server, None)
        service = asyncio.create_task(run_service(daemon, app, sock, stop, handle_signals=False))
        try:
            async with httpx.AsyncClient(base_url=base, trust_env=False) as http:

                async def ready() -> bool:
                    return (await http.get("/readyz")).status_code == 200

                await eventually(ready, 20, "/readyz to turn 200")

                async def scraped() -> bool:  # Prometheus' first scrape comes ~5 s after start
                    result = await client.query_range("up", *(2 * [time.time()]), 1.0)
                    return bool(result.series)

                await eventually(scraped, 20, "the first scrape")
                exporter.incidents.labels("sev1").set(1)
                await eventually(
                    lambda: bool(sev1_alerts(receiver, "firing")), 20, "the firing sev1 alert"
                )
                [firing] = sev1_alerts(receiver, "firing")[:1]
                assert firing["labels"][names.LABEL_ALERTNAME] == names.ALERT_ROLLBACK
                did = firing["labels"][names.LABEL_DECISION_ID]
                status = (await http.get("/api/v1/status")).json()
                assert did in [d["id"] for d in status["decisions"]]

                exporter.incidents.labels("sev1").set(0)
                await eventually(
                    lambda: any(
                        a["labels"][names.LABEL_DECISION_ID] == did
                        for a in sev1_alerts(receiver, "resolved")
                    ),
                    20,
                    "the resolved notification",
                )
                decisions = (await http.get("/api/v1/decisions?state=all")).json()["decisions"]
                [mine] = [d for d in decisions if d["id"] == did]
                assert mine["resolved_at"] is not None
        finally:
            stop.set()
            await asyncio.wait_for(service, 15)
    # Cycles ran on the 1 s grid; shutdown closed the sinks.
    assert recorder.closed
    cycle_times = [r.at for r in recorder.reports]
    assert all(at % 1000 == 0 for at in cycle_times)
    assert cycle_times == sorted(set(cycle_times))
    announced = recorder.announced()
    assert announced.count(("opened", did)) == 1 and announced.count(("resolved", did)) == 1
