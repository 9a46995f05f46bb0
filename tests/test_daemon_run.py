"""`launchguard run` as a process: a bad config exits 2 before any port is bound; a good
one serves the API, logs one JSON event per cycle on stdout with secrets redacted, reports
an unreachable Prometheus as degraded, and exits 0 on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from daemons import port_is_free
from launchguard.commands.run import once_summary
from launchguard.harness.servers import free_port

LAUNCHGUARD = [sys.executable, "-m", "launchguard.cli"]
TOKEN = "api-token-never-logged-1234"
PASSWORD = "hunter2-prometheus-password"
GOOD = (
    "evaluation: {interval: 1s, lookback: 10s}\n"
    "prometheus: {timeout: 0.5s, retries: 0, basic_auth: {username: lg, password: "
    + PASSWORD
    + "}}\njournal: {enabled: false}\nplan: {volume_guardrail: {enabled: false}}\n"
)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*LAUNCHGUARD, "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("config", "extra", "message"),
    [
        pytest.param(
            "evaluation: {interval: -5s}\n",
            (),
            "evaluation.interval",
            id="a negative interval names its field",
        ),
        pytest.param(
            "server: {listen: nowhere}\n",
            (),
            "server.listen",
            id="a listen address without a port names its field",
        ),
        pytest.param(
            "journal: {enabled: true, key_env: LG_TEST_NO_SUCH_KEY}\n",
            (),
            "journal",
            id="a journal without its key is a config error",
        ),
        pytest.param(
            "journal: {enabled: false}\n",
            ("--listen", "127.0.0.1:notaport"),
            "--listen",
            id="a bad --listen names the flag",
        ),
    ],
)
def test_a_bad_config_exits_2_before_binding_any_port(
    tmp_path: Path, config: str, extra: tuple[str, ...], message: str
) -> None:
    port = free_port()
    file = tmp_path / "launch.yaml"
    file.write_text(config)
    proc = run("--config", str(file), "--listen", f"127.0.0.1:{port}", *extra)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2, err
    assert message in err
    assert port_is_free(port)


def test_the_daemon_serves_reports_degraded_logs_json_and_exits_0_on_sigterm(
    tmp_path: Path,
) -> None:
    port, dead = free_port(), free_port()
    file = tmp_path / "launch.yaml"
    file.write_text(GOOD)
    proc = run(
        "--config",
        str(file),
        "--listen",
        f"127.0.0.1:{port}",
        "--prometheus",
        f"http://127.0.0.1:{dead}",
        env={"LAUNCHGUARD_API_TOKEN": TOKEN},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        status: dict[str, object] = {}
        with httpx.Client(base_url=base, trust_env=False, timeout=2) as http:
            while time.monotonic() < deadline:
                try:
                    status = http.get("/api/v1/status").json()
                except httpx.TransportError:
                    status = {}
                if status.get("degraded") and status["evaluation"]["outcome"] == "failed":  # type: ignore[index]
                    break
                time.sleep(0.1)
            assert status.get("degraded"), status
            assert status["degraded"]["reason"] == "prometheus_unreachable"  # type: ignore[index]
            assert http.get("/healthz").status_code == 200
            assert http.get("/readyz").status_code == 503
            ack = http.post("/api/v1/decisions/x/ack", headers={"Authorization": f"Bearer {TOKEN}"})
            assert ack.status_code == 404  # authorized, but no such decision
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    cycles = [e for e in events if e["event"] == "cycle"]
    assert cycles and all(e["outcome"] == "failed" for e in cycles)
    assert all("duration_seconds" in e for e in cycles)
    assert any(e["event"] == "stopped" for e in events)
    assert TOKEN not in out + err and PASSWORD not in out + err
    assert port_is_free(port)


def test_once_against_an_unreachable_prometheus_prints_degraded_status_and_exits_3(
    tmp_path: Path,
) -> None:
    file = tmp_path / "launch.yaml"
    file.write_text(GOOD)
    proc = run("--once", "--config", str(file), "--prometheus", f"http://127.0.0.1:{free_port()}")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3, err
    status = json.loads(out)
    assert status["degraded"]["reason"] == "prometheus_unreachable"
    assert status["evaluation"]["outcome"] == "failed" and status["ready"] is False
    # The last line says it in one line, after the retry warnings.
    last = err.splitlines()[-1]
    assert last.startswith(
        "launchguard: run --once: outcome failed; evaluated to nothing;"
        " 0 open decision(s), 0 rollback(s); error: unreachable: cannot reach http://127.0.0.1:"
    ), err
    assert last.endswith(" (exit 3)"), err


def decision(kind: str) -> dict[str, str]:
    return {"kind": kind}


@pytest.mark.parametrize(
    ("decisions", "error", "code", "said"),
    [
        pytest.param(
            [], None, 0, "outcome ok; evaluated to 2026-11-22T10:00:00Z;"
            " 0 open decision(s), 0 rollback(s) (exit 0)",
            id="a quiet evaluation says ok and nothing open",
        ),
        pytest.param(
            [decision("slo_breach"), decision("partial_rollback"), decision("full_rollback")],
            None, 1, "outcome ok; evaluated to 2026-11-22T10:00:00Z;"
            " 3 open decision(s), 2 rollback(s) (exit 1)",
            id="open rollbacks are counted apart from the other decisions",
        ),
        pytest.param(
            [], "evaluation: boom", 0, "outcome ok; evaluated to 2026-11-22T10:00:00Z;"
            " 0 open decision(s), 0 rollback(s); error: evaluation: boom (exit 0)",
            id="an error of the cycle is named",
        ),
    ],
)  # fmt: skip
def test_once_ends_with_a_one_line_summary(
    decisions: list[dict[str, str]], error: str | None, code: int, said: str
) -> None:
    status = {
        "evaluation": {"outcome": "ok", "evaluated_to": "2026-11-22T10:00:00Z", "error": error},
        "decisions": decisions,
    }
    assert once_summary(status, code) == f"launchguard: run --once: {said}"
