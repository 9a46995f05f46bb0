"""Commands against a bad Prometheus URL or a hostile Prometheus: a URL without scheme is a
usage error (exit 2); a dripping, oversized or credential-echoing answer is exit 3 with one
line on stderr, within the configured deadline and without a secret."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from launchguard.cli import main
from launchguard.harness.faultserver import FaultServer, Mode

TOKEN = "tok-cli-4e4e9a0b"
SETTINGS = {"retries": 1, "backoff": "0.1s", "max_response_bytes": "2MiB"}
SLACK = 3.0  # seconds: config loading and scheduling on a shared 2-core machine


def config_with(tmp_path: Path, timeout: float) -> Path:
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    path = tmp_path / "launch.yaml"
    prometheus = {**SETTINGS, "timeout": timeout, "bearer_token_file": str(token)}
    path.write_text(yaml.safe_dump({"prometheus": prometheus}))
    return path


@pytest.mark.parametrize(
    ("argv", "env", "named"),
    [
        pytest.param(
            ["--prometheus", "127.0.0.1:9090"], {}, "--prometheus",
            id="--prometheus without a scheme names the flag",
        ),
        pytest.param(
            ["--prometheus", "ftp://127.0.0.1:9090"], {}, "--prometheus",
            id="--prometheus with another scheme names the flag",
        ),
        pytest.param(
            [], {"LAUNCHGUARD_PROMETHEUS_URL": "127.0.0.1:9090"}, "LAUNCHGUARD_PROMETHEUS_URL",
            id="the URL variable without a scheme names the variable",
        ),
    ],
)  # fmt: skip
def test_a_prometheus_url_without_scheme_is_a_usage_error(
    argv: list[str],
    env: dict[str, str],
    named: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    began = time.monotonic()
    assert main(["check", *argv]) == 2
    assert time.monotonic() - began < 5  # no retries against a guessed URL
    err = capsys.readouterr().err.strip()
    assert named in err
    assert "no scheme" in err or "scheme must be" in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("mode", "kind", "timeout"),
    [
        pytest.param(
            "drip", "timeout", 0.5, id="a dripping Prometheus ends check within the deadline"
        ),
        pytest.param(
            "hang", "timeout", 0.5, id="a hanging Prometheus ends check within the deadline"
        ),
        # A timeout long enough for every query to read its 2 MiB on a loaded machine.
        pytest.param("huge", "response_too_large", 5.0, id="an answer over the limit is exit 3"),
        pytest.param("echo", "http", 0.5, id="an echoed token never reaches the output"),
        pytest.param("html", "http", 0.5, id="an HTML error page is summarised, never printed"),
    ],
)
def test_check_against_a_hostile_prometheus_exits_3_with_one_line(
    mode: Mode, kind: str, timeout: float, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_with(tmp_path, timeout)
    deadline = timeout * 2 + 0.1  # timeout x attempts + backoff, seconds
    with FaultServer(mode, size=10 * 10**6, drip_interval=0.05) as server:
        url = server.url.replace("http://", "http://reader:pa55word@")
        began = time.monotonic()
        code = main(["check", "--config", str(config), "--prometheus", url])
        elapsed = time.monotonic() - began
    out, err = capsys.readouterr()
    assert code == 3
    assert elapsed < deadline + SLACK
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"({kind})" in lines[0]
    for secret in (TOKEN, "pa55word"):
        assert secret not in out + err
    assert "<" not in err


def test_run_with_an_alertmanager_url_without_scheme_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--once", "--alertmanager", "am.example:9093"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("launchguard: --alertmanager: 'am.example:9093' has no scheme")
