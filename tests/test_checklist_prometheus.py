"""`launchguard checklist` on a real Prometheus serving a small backfilled history with the
shipped checklist: at T-20m the T-30m webhook check fails (partner-b loses 5 %), the T-30m
pass-through check is unknown (no histogram at all: missing data is never done), and the
T-2h payout-queue check, past its span, is done (both queues at 0 at its end, T-30m)."""

from __future__ import annotations

import contextlib
import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from launchguard.cli import main
from launchguard.sim.openmetrics import OpenMetricsWriter

from conftest import MakePrometheus

pytestmark = pytest.mark.prometheus

MINUTE = 60.0
STEP = 30.0


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(args)
    return code, out.getvalue()


def test_shipped_checks_are_done_failing_and_unknown_as_the_data_says(
    make_prometheus: MakePrometheus, tmp_path: Path
) -> None:
    at = (time.time() - 2 * 3600) // 1800 * 1800
    t0 = at + 20 * MINUTE
    times = [at - 60 * MINUTE + i * STEP for i in range(int(60 * MINUTE / STEP) + 1)]

    def history(w: OpenMetricsWriter) -> None:
        w.gauge(
            "clubgate_payout_queue_depth",
            "queue",
            [({"network": n}, [(t, 0.0) for t in times]) for n in ("erc20", "trc20")],
        )
        # 10 deliveries per step each; partner-b: 1 in 10 fails → 0.95 overall < 0.99.
        rows = []
        for partner, failing in (("partner-a", 0), ("partner-b", 1)):
            ok = [(t, float(i * (10 - failing))) for i, t in enumerate(times)]
            bad = [(t, float(i * failing)) for i, t in enumerate(times)]
            rows += [
                ({"partner": partner, "outcome": "success"}, ok),
                ({"partner": partner, "outcome": "failure"}, bad),
            ]
        w.counter("clubgate_webhook_deliveries_total", "deliveries", rows)

    prom = make_prometheus(history)
    local_t0 = datetime.fromtimestamp(t0, UTC).astimezone(ZoneInfo("Europe/Warsaw"))
    config = tmp_path / "launch.yaml"
    config.write_text(f'launch:\n  t0: "{local_t0.replace(tzinfo=None).isoformat()}"\n')
    base = ["checklist", "--prometheus", prom.url, "--config", str(config), "--at", str(int(at))]

    code, out = run([*base, "--format", "json"])
    assert code == 0
    items = {i["id"]: i for i in json.loads(out)["items"]}
    assert items["t-30m.webhooks"]["state"] == "failing"
    ratio = items["t-30m.webhooks"]["check"]["evidence"][0]["value"]
    assert ratio == pytest.approx(0.95, abs=0.005)
    assert items["t-30m.passthrough-p95"]["state"] == "unknown"
    queues = items["t-2h.payout-queues"]
    assert queues["state"] == "done"
    assert queues["check"]["evaluated_at"] == datetime.fromtimestamp(
        t0 - 30 * MINUTE, UTC
    ).strftime("%Y-%m-%dT%H:%M:%SZ")
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
