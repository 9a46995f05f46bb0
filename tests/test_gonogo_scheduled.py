"""The scheduled Go/No-Go (T+24 h of canary) in `backtest` and in the daemon, on the launch
day of tests/test_reports_prometheus.py: quiet for the two hours before its END, a SEV2 and
a slow trc20 hour before that.

T0 is put 6 days after END, so the canary phase (T-7 d … T0) starts 24 h before END and
the plan's Go/No-Go falls exactly at END. A 2 h window is quiet (promote canary → full);
a 4 h window holds the SEV2 and the trc20 rollback (No-Go, no `promote` decision).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from daemons import RecordingSink
from launchguard.config.loader import load
from launchguard.core.decisions import decision_id
from launchguard.core.frames import tick
from launchguard.daemon import Daemon
from launchguard.harness.servers import PrometheusServer
from launchguard.prometheus import PrometheusClient
from test_reports_prometheus import END, cli, prometheus

from launchdays import MINUTE, backtest, unix

__all__ = ["prometheus"]  # the module-scoped server fixture, shared with the reports tests

pytestmark = pytest.mark.prometheus

DAY = 86_400.0


def config_with_window(tmp_path: Path, window: str) -> Path:
    t0 = datetime.fromtimestamp(END + 6 * DAY, ZoneInfo("Europe/Warsaw")).replace(tzinfo=None)
    path = tmp_path / "launch.yaml"
    path.write_text(f'launch:\n  t0: "{t0.isoformat()}"\nplan:\n  gonogo:\n    window: {window}\n')
    return path


def scheduled(config: Path) -> float:
    doc: dict[str, Any] = json.loads(cli("calendar", "--config", str(config), "--format", "json"))
    return datetime.fromisoformat(doc["scheduled_gonogo"]).timestamp()


@pytest.mark.parametrize(
    ("window", "promoted"),
    [
        pytest.param("2h", True, id="a quiet window promotes canary to full at T+24h of canary"),
        pytest.param("4h", False, id="a window holding a SEV2 and a rollback promotes nothing"),
    ],
)
def test_backtest_reports_the_scheduled_promotion(
    prometheus: PrometheusServer, tmp_path: Path, window: str, promoted: bool
) -> None:
    config = config_with_window(tmp_path, window)
    assert scheduled(config) == END
    doc = backtest(prometheus, END - 30 * MINUTE, END, "--config", str(config))
    found = [d for d in doc["decisions"] if d["kind"] == "promote"]
    if not promoted:
        assert found == []
        return
    assert len(found) == 1
    promote = found[0]
    assert (promote["criterion"], promote["scope"]) == ("gonogo", {})
    assert unix(promote["opened_at"]) == END and promote["resolved_at"] is None
    assert [a["step"] for a in promote["actions"]] == ["volume_step_up"]
    assert doc["decisions"] == sorted(doc["decisions"], key=lambda d: d["opened_at"])


def test_backtest_before_the_scheduled_time_reports_no_promotion(
    prometheus: PrometheusServer, tmp_path: Path
) -> None:
    config = config_with_window(tmp_path, "2h")
    doc = backtest(prometheus, END - 60 * MINUTE, END - 30, "--config", str(config))
    assert [d for d in doc["decisions"] if d["kind"] == "promote"] == []


async def test_the_daemon_announces_the_promotion_once_at_the_scheduled_time(
    prometheus: PrometheusServer, tmp_path: Path
) -> None:
    the = load(config_with_window(tmp_path, "2h"))
    the = replace(the, prometheus=the.prometheus.model_copy(update={"url": prometheus.url}))
    async with PrometheusClient(the.prometheus) as client:
        sink = RecordingSink()
        daemon = Daemon(the, client, [sink])
        await daemon.start(END - 5 * MINUTE)
        for t in (END - 4 * MINUTE, END, END + 30, END + 60):
            await daemon.cycle(t)
        late = Daemon(the, client, [RecordingSink()])  # started after the scheduled time
        rebuilt = await late.start(END + 60)

    promotes = [
        (r.at, t) for r in sink.reports for t in r.transitions if t.decision.kind == "promote"
    ]
    assert len(promotes) == 1
    at, transition = promotes[0]
    assert (at, transition.event, transition.decision.opened_at) == (tick(END), "opened", tick(END))
    snap = daemon.snapshot.gonogo
    assert snap is not None and snap.recommendation == "promote" and snap.at == END
    assert all(t.decision.kind != "promote" for t in rebuilt.transitions)
    assert late.snapshot.gonogo is None


@pytest.mark.parametrize(
    ("start", "announced", "promotes"),
    [
        pytest.param(END, None, True, id="a start exactly at the time announces the promotion"),
        pytest.param(END + 60, None, False, id="a later start without a journal announces nothing"),
        pytest.param(
            END + 60, set(), True, id="a later start the journal shows unannounced announces it"
        ),
        pytest.param(
            END + 60, "promote", False, id="a later start the journal shows announced is quiet"
        ),
    ],
)
async def test_a_start_announces_the_promotion_only_if_no_earlier_run_can_have(
    prometheus: PrometheusServer,
    tmp_path: Path,
    start: float,
    announced: set[str] | str | None,
    promotes: bool,
) -> None:
    the = load(config_with_window(tmp_path, "2h"))
    the = replace(the, prometheus=the.prometheus.model_copy(update={"url": prometheus.url}))
    promote_id = decision_id("gonogo", (), tick(END))
    known = {promote_id} if announced == "promote" else announced
    assert not isinstance(known, str)
    async with PrometheusClient(the.prometheus) as client:
        sink = RecordingSink()
        daemon = Daemon(the, client, [sink], announced_open=known)
        await daemon.start(start)
        await daemon.cycle(start + 30)
    announced_now = [(e, i) for e, i in sink.announced() if i == promote_id]
    assert announced_now == ([("opened", promote_id)] if promotes else [])
    assert (daemon.snapshot.gonogo is not None) == promotes
