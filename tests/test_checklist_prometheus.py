"""The cutover checklist on a real Prometheus serving a small backfilled history with the
shipped checklist: at T-20m the T-30m webhook check fails (partner-b loses 1 in 10), the
T-30m pass-through check is unknown (no histogram at all: missing data is never done), and
the T-2h payout-queue check, past its span, is done (both queues at 0 at its end, T-30m).
Read through `launchguard checklist` and through the daemon's `/api/v1/status`."""

from __future__ import annotations

import contextlib
import io
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from daemons import test_launch
from launchguard.cli import main
from launchguard.config.server import ServerSettings
from launchguard.daemon import Daemon
from launchguard.prometheus import PrometheusClient
from launchguard.server import create_app
from launchguard.sim.openmetrics import OpenMetricsWriter
from launchguard.web import warroom_routes

from conftest import MakePrometheus

pytestmark = pytest.mark.prometheus

MINUTE = 60.0
STEP = 30.0


@dataclass(frozen=True)
class Day:
    url: str
    at: float  # T-20m
    t0_local: str  # T0 as launch.t0 (Warsaw wall clock)


def partner_webhooks(w: OpenMetricsWriter, times: list[float]) -> None:
    """10 deliveries per step for each partner; partner-b: 1 in 10 fails (0.95 overall)."""
    rows = []
    for partner, failing in (("partner-a", 0), ("partner-b", 1)):
        ok = [(t, float(i * (10 - failing))) for i, t in enumerate(times)]
        bad = [(t, float(i * failing)) for i, t in enumerate(times)]
        rows += [
            ({"partner": partner, "outcome": "success"}, ok),
            ({"partner": partner, "outcome": "failure"}, bad),
        ]
    w.counter("clubgate_webhook_deliveries_total", "deliveries", rows)


@pytest.fixture
def day(make_prometheus: MakePrometheus) -> Day:
    at = (time.time() - 2 * 3600) // 1800 * 1800
    t0 = at + 20 * MINUTE
    times = [at - 60 * MINUTE + i * STEP for i in range(int(60 * MINUTE / STEP) + 1)]

    def history(w: OpenMetricsWriter) -> None:
        w.gauge(
            "clubgate_payout_queue_depth",
            "queue",
            [({"network": n}, [(t, 0.0) for t in times]) for n in ("erc20", "trc20")],
        )
        partner_webhooks(w, times)

    prom = make_prometheus(history)
    local_t0 = datetime.fromtimestamp(t0, UTC).astimezone(ZoneInfo("Europe/Warsaw"))
    return Day(prom.url, at, local_t0.replace(tzinfo=None).isoformat())


def rfc(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(args)
    return code, out.getvalue()


def test_shipped_checks_are_done_failing_and_unknown_as_the_data_says(
    day: Day, tmp_path: Path
) -> None:
    config = tmp_path / "launch.yaml"
    config.write_text(f'launch:\n  t0: "{day.t0_local}"\n')
    base = ["checklist", "--prometheus", day.url, "--config", str(config), "--at", str(day.at)]

    code, out = run([*base, "--format", "json"])
    assert code == 0
    items = {i["id"]: i for i in json.loads(out)["items"]}
    assert items["t-30m.webhooks"]["state"] == "failing"
    ratio = items["t-30m.webhooks"]["check"]["evidence"][0]["value"]
    assert ratio == pytest.approx(0.95, abs=0.005)
    assert items["t-30m.passthrough-p95"]["state"] == "unknown"
    queues = items["t-2h.payout-queues"]
    assert queues["state"] == "done"
    assert queues["check"]["evaluated_at"] == rfc(day.at - 10 * MINUTE)  # T-30m, its end
    assert {e["scope"]["network"]: e["value"] for e in queues["check"]["evidence"]} == {
        "erc20": 0,
        "trc20": 0,
    }
    # Days before the history: no data at the end of their spans, so overdue, never done.
    assert items["t-7d.gas-reserves"]["state"] == "overdue"
    assert items["t-30m.canary-routes"]["state"] == "pending_signoff"
    assert items["t0.start"]["state"] == "not_yet_due"
    readiness = json.loads(out)["readiness"]
    assert "t-30m.webhooks" in readiness["open"] and not readiness["ready"]

    code, table = run(base)
    assert code == 0
    assert "t-30m.webhooks" in table and "FAILING" in table and "UNKNOWN" in table


async def test_status_api_and_page_carry_the_checklist_of_the_last_cycle(day: Day) -> None:
    the = test_launch(
        {
            "prometheus": {"url": day.url},
            "evaluation": {"lookback": "5m"},
            "launch": {"t0": day.t0_local},
        }
    )
    async with PrometheusClient(the.prometheus) as client:
        daemon = Daemon(the, client)
        await daemon.start(day.at)
        app = create_app(daemon, ServerSettings(), None, extra_routes=warroom_routes(daemon))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as api:
            doc = (await api.get("/api/v1/status")).json()
            page = (await api.get("/")).text
    checklist = doc["checklist"]
    assert checklist["at"] == rfc(day.at)
    assert checklist["ready"] is False
    assert checklist["counts"]["failing"] == 1 and checklist["counts"]["unknown"] == 1
    assert "t-30m.webhooks" in checklist["open"]
    assert "t-2h.payout-queues" not in checklist["open"]
    assert checklist["line"].startswith("1 of ")
    assert "1 failing, 1 unknown" in checklist["line"]
    states = {i["id"]: i["state"] for i in checklist["items"]}
    assert states["t-30m.webhooks"] == "failing" and states["t0.start"] == "not_yet_due"
    # The page: what is due now, done, failing, overdue; nothing not yet due.
    rows = dict(re.findall(r'<tr data-item="([^"]+)" data-state="([^"]+)">', page))
    assert rows["t-30m.webhooks"] == "failing"
    assert rows["t-30m.passthrough-p95"] == "unknown"
    assert rows["t-2h.payout-queues"] == "done"
    assert rows["t-7d.gas-reserves"] == "overdue"
    assert rows["t-30m.canary-routes"] == "pending_signoff"
    assert "t0.start" not in rows
    assert 'id="checklist" data-ready="open"' in page
    assert "Вебхуки за 30 мин окно" in page and "Webhooks over the 30-minute window" in page
