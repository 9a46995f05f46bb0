"""`launchguard check` shows the calendar next to its evaluation (docs/cli.md): the phase and
the change freezes in force at `--at` and still to come, in the table (Warsaw time) and in
the JSON (`phase`, `freezes`: RFC 3339 UTC), on a real Prometheus serving a quiet launch day.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from launchguard.cli import main
from launchguard.harness.servers import PrometheusServer

from conftest import MakePrometheus
from launchdays import HOUR, anchor, day, writer_for

pytestmark = pytest.mark.prometheus

WARSAW = ZoneInfo("Europe/Warsaw")
CODE, CONFIG = "code_freeze", "config_freeze"


@pytest.fixture
def quiet_day(make_prometheus: MakePrometheus) -> tuple[PrometheusServer, float]:
    start = anchor()
    return make_prometheus(writer_for(day(start))), start + 3 * HOUR


def config_with_t0(tmp_path: Path, t0: datetime) -> Path:
    path = tmp_path / "launch.yaml"
    path.write_text(f'launch:\n  t0: "{t0.replace(tzinfo=None).isoformat()}"\n')
    return path


def run_check(prom: PrometheusServer, at: float, config: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    args = ["check", "--prometheus", prom.url, "--config", str(config), "--at", str(int(at))]
    with contextlib.redirect_stdout(out):
        code = main([*args, *extra])
    return code, out.getvalue()


def rfc(local: datetime) -> str:
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_check_shows_the_freeze_in_force_and_the_one_to_come_in_json_and_table(
    quiet_day: tuple[PrometheusServer, float], tmp_path: Path
) -> None:
    prom, at = quiet_day
    # T0 at noon five days after `at`'s day: inside the code freeze (from T-7), before the
    # config freeze (from T-3); noon is never a DST-ambiguous wall-clock time.
    day_t0 = datetime.fromtimestamp(at + 5 * 86400, WARSAW)
    t0 = day_t0.replace(hour=12, minute=0, second=0, microsecond=0)
    config = config_with_t0(tmp_path, t0)
    code, out = run_check(prom, at, config, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["phase"] == "canary"
    assert doc["freezes"] == [
        {
            "name": CODE,
            "from": rfc(t0 - timedelta(days=7)),
            "to": rfc(t0 + timedelta(days=2)),
            "active": True,
            "note": "hotfixes only, by procedure",
        },
        {
            "name": CONFIG,
            "from": rfc(t0 - timedelta(days=3)),
            "to": rfc(t0 + timedelta(days=1)),
            "active": False,
            "note": "exception: per-tx cap / fee mode by the IC",
        },
    ]
    code, out = run_check(prom, at, config)
    assert code == 0
    assert "Phase: canary" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith((CODE, CONFIG))}
    assert rows[CODE].split()[7] == "yes" and rows[CONFIG].split()[7] == "no"
    assert (t0 - timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S %Z") in rows[CONFIG]
