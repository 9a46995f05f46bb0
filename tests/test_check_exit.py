"""`launchguard check` exit codes on a real Prometheus (DESIGN §5): 1 while a rollback is
recommended, 0 when nothing is open, 2 when Prometheus rejects a configured query, 4 with
one line on stderr when the evaluation fails (check, backtest and report alike).

One launch day: a sev1 is open from T1 for an hour, so `check` at T1 + 30 min recommends a
full rollback and `check` an hour before T1 recommends nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from launchguard.cli import main
from launchguard.harness.servers import PrometheusServer

from conftest import MakePrometheus
from launchdays import HOUR, MINUTE, anchor, day, step_at, writer_for

pytestmark = pytest.mark.prometheus

START = anchor()
T1 = START + 3 * HOUR


@pytest.fixture
def sev1_day(make_prometheus: MakePrometheus) -> PrometheusServer:
    return make_prometheus(writer_for(day(START, sev1_open=step_at(T1, 0.0, 1.0, T1 + HOUR))))


def check(prom: PrometheusServer, at: float, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--prometheus", prom.url, "--at", str(int(at)), *extra])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("at", "code", "open_kinds"),
    [
        pytest.param(T1 + 30 * MINUTE, 1, ["full_rollback"], id="an open sev1 rollback exits 1"),
        pytest.param(T1 - HOUR, 0, [], id="a quiet instant exits 0"),
    ],
)
def test_check_exits_1_only_while_a_rollback_is_recommended(
    sev1_day: PrometheusServer, at: float, code: int, open_kinds: list[str]
) -> None:
    got, out, err = check(sev1_day, at, "--format", "json")
    assert got == code, err
    doc: dict[str, Any] = json.loads(out)
    rollbacks = [
        d["kind"]
        for d in doc["decisions"]
        if d["kind"] in ("partial_rollback", "full_rollback") and d["resolved_at"] is None
    ]
    assert rollbacks == open_kinds


def test_the_table_names_the_rollback_and_its_criterion(sev1_day: PrometheusServer) -> None:
    got, out, _ = check(sev1_day, T1 + 30 * MINUTE)
    assert got == 1
    assert "full_rollback" in out and "sev1" in out


def test_a_query_prometheus_rejects_exits_2_naming_the_signal(
    sev1_day: PrometheusServer, tmp_path: Path
) -> None:
    # Valid syntax for the offline parser, refused by Prometheus: the regex does not compile.
    config = tmp_path / "launch.yaml"
    config.write_text(
        "signals:\n"
        "  sev1_open:\n"
        '    query: sum(label_replace(clubgate_incidents_open, "x", "$1", "severity", "("))\n'
    )
    got, _, err = check(sev1_day, T1 + 30 * MINUTE, "--config", str(config))
    assert got == 2
    assert "sev1_open" in err
    assert "regex" in err or "regular expression" in err


def _overflow(*_args: object, **_kwargs: object) -> object:
    raise OverflowError("cannot convert float infinity\nto integer")


@pytest.mark.parametrize(
    ("command", "patched"),
    [
        pytest.param(
            ["check", "--at", str(int(T1))],
            "launchguard.evaluate.evaluate_span",
            id="check exits 4 on an error in the core",
        ),
        pytest.param(
            ["backtest", "--start", str(int(T1)), "--end", str(int(T1 + HOUR))],
            "launchguard.evaluate.evaluate_span",
            id="backtest exits 4 on an error in the core",
        ),
        pytest.param(
            ["report", "--kind", "daily", "--start", str(int(T1)), "--end", str(int(T1 + HOUR))],
            "launchguard.reports.launch_report.evaluate_span",
            id="report exits 4 on an error in the core",
        ),
    ],
)
def test_an_unexpected_error_exits_4_with_one_line_and_no_traceback(
    sev1_day: PrometheusServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    patched: str,
) -> None:
    monkeypatch.setattr(patched, _overflow)
    assert main([*command, "--prometheus", sev1_day.url]) == 4
    err = capsys.readouterr().err
    assert err == (
        "launchguard: evaluation failed: OverflowError: cannot convert float infinity to integer\n"
    )
