"""Every shipped automated checklist item on a real Prometheus, each asked ten minutes into
its own moment (T0 placed accordingly) over one backfilled 70-minute history: trc20's gas
reserve under its threshold, hot balances above theirs, both trust pairs cut off 3 h ago,
partner-b losing 1 webhook in 10, payout queues at 0, stuck transactions exported for erc20
only, no pass-through histogram. Each item is done, failing or unknown as that data says."""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from launchguard.cli import main
from launchguard.harness.servers import PrometheusServer, backfill
from launchguard.sim.openmetrics import OpenMetricsWriter, write_openmetrics
from test_checklist_prometheus import partner_webhooks

pytestmark = pytest.mark.prometheus

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
NETWORKS = ("erc20", "trc20")


def constant(times: list[float], value: float) -> list[tuple[float, float]]:
    return [(t, value) for t in times]


@pytest.fixture(scope="module")
def at() -> float:
    return (time.time() - 2 * HOUR) // 1800 * 1800


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory, at: float) -> Iterator[PrometheusServer]:
    """One server for the module (each row only changes T0 and reads)."""
    times = [at - 70 * MINUTE + i * 30.0 for i in range(141)]

    def history(w: OpenMetricsWriter) -> None:
        gas = {"erc20": (5.0, 2.0), "trc20": (1.0, 2.0)}  # (reserve, its minimum)
        w.gauge(
            "clubgate_wallet_gas_reserve",
            "gas",
            [({"network": n}, constant(times, gas[n][0])) for n in NETWORKS],
        )
        w.gauge(
            "clubgate_wallet_gas_reserve_min",
            "gas min",
            [({"network": n}, constant(times, gas[n][1])) for n in NETWORKS],
        )
        wallets = [{"network": n, "asset": "usdt", "wallet": f"{n}-hot"} for n in NETWORKS]
        w.gauge(
            "clubgate_wallet_hot_balance", "hot", [(w_, constant(times, 900.0)) for w_ in wallets]
        )
        w.gauge(
            "clubgate_wallet_min_hot_balance",
            "min hot",
            [(w_, constant(times, 500.0)) for w_ in wallets],
        )
        w.gauge(
            "clubgate_trust_cutoff_timestamp_seconds",
            "cut-off",
            [
                ({"network": n, "pair": f"{n}-pair"}, constant(times, at - 3 * HOUR))
                for n in NETWORKS
            ],
        )
        w.gauge(
            "clubgate_payout_queue_depth",
            "queue",
            [({"network": n}, constant(times, 0.0)) for n in NETWORKS],
        )
        w.gauge(
            "clubgate_payout_stuck_transactions",
            "stuck",
            [({"network": "erc20"}, constant(times, 0.0))],
        )
        partner_webhooks(w, times)

    where = tmp_path_factory.mktemp("shipped")
    backfill(write_openmetrics(where / "history.om", history), where / "data")
    server = PrometheusServer(where / "data").start()
    yield server
    server.stop()


ITEMS = [
    (
        "gas reserves under the threshold on trc20 fail at T-7d",
        "t-7d.gas-reserves",
        -7 * DAY,
        "failing",
    ),
    ("hot balances above min_hot_balance are done at T-7d", "t-7d.hot-balance", -7 * DAY, "done"),
    ("every trust pair cut off within 26 h is done at T-3d", "t-3d.cutoffs", -3 * DAY, "done"),
    (
        "a partner under 99 % fails the partner webhooks at T-1d",
        "t-1d.partner-webhooks",
        -DAY,
        "failing",
    ),
    ("payout queues at 0 are done at T-2h", "t-2h.payout-queues", -2 * HOUR, "done"),
    ("webhooks at 95 % over 30 minutes fail at T-30m", "t-30m.webhooks", -30 * MINUTE, "failing"),
    (
        "no pass-through histogram is unknown at T-30m",
        "t-30m.passthrough-p95",
        -30 * MINUTE,
        "unknown",
    ),
    ("stuck transactions missing for trc20 are unknown at T0", "t0.stuck-tx", 0.0, "unknown"),
]


@pytest.mark.parametrize(
    ("item_id", "moment", "state"), [i[1:] for i in ITEMS], ids=[i[0] for i in ITEMS]
)
def test_each_shipped_automated_item_as_the_data_says(
    prometheus: PrometheusServer, at: float, tmp_path: Path, item_id: str, moment: float, state: str
) -> None:
    t0 = at - moment - 10 * MINUTE  # `at` is ten minutes into the item's moment
    local = datetime.fromtimestamp(t0, UTC).astimezone(ZoneInfo("Europe/Warsaw"))
    config = tmp_path / "launch.yaml"
    config.write_text(f'launch:\n  t0: "{local.replace(tzinfo=None).isoformat()}"\n')
    args = ["checklist", "--prometheus", prometheus.url, "--config", str(config)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*args, "--at", str(at), "--format", "json"])
    assert code == 0
    [item] = [i for i in json.loads(out.getvalue())["items"] if i["id"] == item_id]
    assert item["state"] == state, item
    assert item["check"]["evaluated_at"] == datetime.fromtimestamp(at, UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
