"""Config loading: the shipped defaults hold DESIGN §1's numbers; every malformed config
gives one line naming the file and the field, and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from launchguard.cli import main
from launchguard.config.loader import ConfigError, load

LAUNCHGUARD = [sys.executable, "-m", "launchguard.cli"]


def test_the_shipped_defaults_hold_every_number_of_the_launch_plan() -> None:
    launch = load()
    c = launch.criteria
    assert (
        c.passthrough_rollback.p95_threshold,
        c.passthrough_rollback.previous_window,
        c.passthrough_rollback.queue_growth_over,
    ) == (1800, 900, 1800)
    assert c.payout_stall.queue_growth_over == 1800
    assert launch.signals["payouts_completed"].window == 1800
    assert (c.eod_unsettled.min_since_cutoff, c.eod_unsettled.improvement_over) == (5400, 900)
    assert (c.webhook_rollback.success_threshold, c.webhook_rollback.growth_over) == (0.98, 900)
    assert c.sev1.threshold == 0
    assert launch.clear_for == 900
    objectives = {name: (s.objective, s.comparison) for name, s in launch.slos.items()}
    assert objectives == {
        "passthrough_p95": (900, "<="),
        "eod_p95": (3600, "<="),
        "webhook_success": (0.99, ">="),
    }
    windows = {
        n: launch.signals[n].window for n in ("passthrough_p95", "eod_p95", "webhook_success")
    }
    assert windows == {"passthrough_p95": 900, "eod_p95": 86400, "webhook_success": 900}
    assert [(lv.name, lv.ratio) for lv in launch.levels] == [
        ("full", 1.0),
        ("canary", 0.3),
        ("pilot", 0.1),
        ("halt", 0.0),
    ]


def test_a_file_overrides_only_what_it_says(tmp_path: Path) -> None:
    path = tmp_path / "launch.yaml"
    path.write_text("criteria:\n  passthrough_rollback:\n    p95_threshold: 2400\n")
    launch = load(path)
    assert launch.criteria.passthrough_rollback.p95_threshold == 2400
    assert launch.criteria.passthrough_rollback.previous_window == 900


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUNCHGUARD_EVALUATION__INTERVAL", "1m")
    monkeypatch.setenv("LAUNCHGUARD_PROMETHEUS_URL", "http://prom.example:9090")
    launch = load()
    assert launch.interval == 60
    assert launch.prometheus.url == "http://prom.example:9090"


MALFORMED = [
    pytest.param(
        "evaluation:\n  interval: fast\n",
        "evaluation.interval",
        id="a duration that is not a duration names its field",
    ),
    pytest.param(
        "criteria:\n  sev1:\n    threshold: [1]\n",
        "criteria.sev1.threshold",
        id="a list where a number belongs names its field",
    ),
    pytest.param(
        "criteria:\n  passthrough_rollback:\n    p95_treshold: 1800\n",
        "criteria.passthrough_rollback.p95_treshold",
        id="a misspelt key is an unknown key",
    ),
    pytest.param(
        "evaluation:\n  clear_for: -15m\n",
        "evaluation.clear_for",
        id="a negative window is rejected",
    ),
    pytest.param(
        "criteria:\n  passthrough_rollback:\n    p95_threshold: -5\n",
        "criteria.passthrough_rollback.p95_threshold",
        id="a negative p95 threshold is rejected",
    ),
    pytest.param(
        "criteria:\n  sev1:\n    threshold: -1\n",
        "criteria.sev1.threshold",
        id="a negative sev1 threshold (always firing) is rejected",
    ),
    pytest.param(
        "signals:\n  payout_queue:\n    query: sum by (network) ({payout_queue_depth}\n",
        "signals.payout_queue.query",
        id="bad PromQL is caught offline",
    ),
    pytest.param(
        "signals:\n  payout_queue:\n    query: sum({no_such_metric})\n",
        "signals.payout_queue.query",
        id="an unknown placeholder names the query",
    ),
    pytest.param(
        "slos:\n  eod_p95:\n    signal: eod_p99\n",
        "slos.eod_p95.signal",
        id="a reference to a missing signal names the reference",
    ),
    pytest.param(
        "launch:\n  timezone: Europe/Atlantis\n",
        "launch.timezone",
        id="an unknown time zone names its field",
    ),
    pytest.param("webhook_success: [\n", "YAML syntax error", id="broken YAML names the line"),
]


@pytest.mark.parametrize(("text", "field"), MALFORMED)
def test_a_malformed_config_gives_one_line_naming_the_field_and_exit_2(
    tmp_path: Path, text: str, field: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert len(caught.value.lines()) == 1
    run = subprocess.run([*LAUNCHGUARD, "validate", str(path)], capture_output=True, text=True)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert str(path) in lines[0] and field in lines[0]


def test_a_missing_file_is_named_and_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    run = subprocess.run(
        [*LAUNCHGUARD, "check", "--config", str(missing)], capture_output=True, text=True
    )
    assert run.returncode == 2
    assert run.stderr.strip() == f"launchguard: config error: {missing}: no such file"


def test_validate_reports_every_problem_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"evaluation": {"interval": "soon", "lookback": -1}}))
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert {p for p, _ in caught.value.problems} == {"evaluation.interval", "evaluation.lookback"}


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["backtest", "--start", "yesterday", "--end", "0"], id="an unparsable time"),
        pytest.param(["backtest", "--start", "100", "--end", "50"], id="an end before the start"),
        pytest.param(
            ["backtest", "--start", "0", "--end", "1", "--step", "-30s"], id="a negative step"
        ),
        pytest.param(["check", "--format", "yaml"], id="an unknown format"),
    ],
)
def test_bad_flags_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        code = main(argv)
        raise SystemExit(code)
    assert exited.value.code == 2


def test_an_unreachable_prometheus_exits_3() -> None:
    run = subprocess.run(
        [*LAUNCHGUARD, "check", "--prometheus", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        env={"LAUNCHGUARD_PROMETHEUS__RETRIES": "0", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 3, run.stderr
    assert "unreachable" in run.stderr
