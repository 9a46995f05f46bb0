"""URLs are shown without userinfo and echoed credentials never reach a log: the Alertmanager
and warroom post-failure logs against an upstream that echoes the request's headers, and
`check`'s own output against a real Prometheus reached with a password in its URL."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import structlog

from launchguard.cli import main
from launchguard.config.alertmanager import AlertmanagerSettings
from launchguard.config.warroom import WarroomSettings
from launchguard.harness.faultserver import FaultServer
from launchguard.harness.servers import PrometheusServer
from launchguard.sinks.alertmanager import AlertmanagerSink
from launchguard.sinks.warroom import WarroomWebhookSink
from sink_factories import decision, report

PASSWORD = "pa55-url-secret"
TOKEN = "am-token-77e1c0de"
HMAC_KEY = "hmac-key-0badc0ffee"
NOW = 1_764_000_000.0


def with_password(url: str) -> str:
    return url.replace("http://", f"http://am:{PASSWORD}@")


async def test_the_alertmanager_failure_log_has_no_userinfo_and_no_echoed_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AM_TOKEN", TOKEN)
    settings = AlertmanagerSettings.model_validate({"auth": {"bearer_token_env": "AM_TOKEN"}})
    with FaultServer("echo") as server, structlog.testing.capture_logs() as logs:
        sink = AlertmanagerSink(
            settings, interval=30, networks=("trc20",), urls=[with_password(server.url)]
        )
        await sink.deliver(report(NOW, opened=[decision(NOW)]))
        await sink.close()
        assert server.requests >= 1
    failures = [e for e in logs if e["event"] == "alertmanager_post_failed"]
    assert failures and failures[0]["url"] == server.url
    text = repr(logs)
    assert PASSWORD not in text and TOKEN not in text
    assert "Authorization: [redacted]" in failures[0]["problem"]


async def test_the_warroom_failure_log_has_no_userinfo_and_no_echoed_signature() -> None:
    with FaultServer("echo") as server, structlog.testing.capture_logs() as logs:
        settings = WarroomSettings(webhook_url=with_password(server.url))
        sink = WarroomWebhookSink(settings, clock=lambda: NOW, secret=HMAC_KEY.encode())
        await sink.deliver(report(NOW, opened=[decision(NOW)]))
        await sink.close()
    failures = [e for e in logs if e["event"] == "warroom_post_failed"]
    assert failures and failures[0]["problem"].startswith("HTTP 500: ")
    text = repr(logs)
    assert PASSWORD not in text and HMAC_KEY not in text and "sha256=" not in text


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with PrometheusServer(tmp_path_factory.mktemp("prometheus")) as server:
        yield server.url


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_check_never_prints_the_password_of_its_prometheus_url(
    prometheus: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = with_password(prometheus)
    at = str(int(time.time()) // 30 * 30)
    code = main(["check", "--prometheus", url, "--at", at, "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert PASSWORD not in out + err
    if fmt == "table":
        assert f"({prometheus})" in out.splitlines()[0]
