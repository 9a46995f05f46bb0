"""The Prometheus client under a hostile upstream: answers over the byte limit, dripping and
hanging answers end within their deadlines, and echoed credentials never reach a message.

Real Prometheus where it can produce the case (a large answer); a small fault server on
loopback (`launchguard.harness.faultserver`) for what it cannot (drip, hang, echo, HTML)."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from launchguard.config.prometheus_settings import PrometheusSettings
from launchguard.harness.faultserver import FaultServer, Mode
from launchguard.harness.servers import PrometheusServer
from launchguard.prometheus import (
    PrometheusClient,
    PrometheusError,
    PrometheusHTTPError,
    PrometheusResponseTooLarge,
    PrometheusTimeout,
)
from launchguard.scrub import REDACTED

LIMIT = 2 * 2**20  # bytes: small, so the tests stay fast (the 300 MB case is in the bench)
TOKEN = "tok-7d1f0e55aa"
SLACK = 1.5  # seconds of scheduling slack on a shared 2-core machine


def settings_for(url: str, **overrides: Any) -> PrometheusSettings:
    base = {"url": url, "timeout": 0.5, "retries": 1, "backoff": 0.1}
    return PrometheusSettings.model_validate({**base, "max_response_bytes": LIMIT, **overrides})


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real, empty Prometheus: `vector(1)` over a long range is a large enough answer."""
    with PrometheusServer(tmp_path_factory.mktemp("prometheus")) as server:
        yield server.url


async def test_a_real_answer_over_the_limit_fails_as_response_too_large(prometheus: str) -> None:
    settings = settings_for(prometheus, max_response_bytes=10_000)
    async with PrometheusClient(settings) as client:
        with pytest.raises(PrometheusResponseTooLarge) as caught:
            await client.query_range("vector(1)", 1_700_000_000, 1_700_030_000, 30)
        assert client.requests_sent == 1  # a too-large answer is not retried
    assert caught.value.kind == "response_too_large"
    assert "max_response_bytes (10,000 bytes)" in str(caught.value)


async def test_the_same_real_answer_under_the_limit_is_read(prometheus: str) -> None:
    async with PrometheusClient(settings_for(prometheus)) as client:
        result = await client.query_range("vector(1)", 1_700_000_000, 1_700_030_000, 30)
    assert len(result.series[0].points) == 1001


@pytest.mark.parametrize(
    "declare_length",
    [
        pytest.param(False, id="a streamed 10 MB answer stops at the 2 MB limit"),
        pytest.param(True, id="a declared 10 MB answer is refused before its body is read"),
    ],
)
async def test_an_answer_over_the_limit_is_abandoned(declare_length: bool) -> None:
    with FaultServer("huge", size=10 * 10**6, declare_length=declare_length) as server:
        began = time.monotonic()
        async with PrometheusClient(settings_for(server.url, timeout=5)) as client:
            with pytest.raises(PrometheusResponseTooLarge):
                await client.query("up", 1_700_000_000)
        assert server.requests == 1
    assert time.monotonic() - began < 5


async def test_an_answer_under_the_limit_from_the_fault_server_parses() -> None:
    """The fault server's large answer is valid JSON: over the limit is the only fault."""
    with FaultServer("huge", size=LIMIT // 2) as server:
        async with PrometheusClient(settings_for(server.url, timeout=5)) as client:
            result = await client.query("up", 1_700_000_000)
    assert len(result.series) > 1 and len(result.series[0].points) == 2000


@pytest.mark.parametrize(
    ("mode", "chunks"),
    [
        pytest.param("drip", 1, id="one byte per second ends within timeout x attempts"),
        pytest.param("hang", 1, id="no answer at all ends within timeout x attempts"),
        pytest.param(
            "drip", 6, id="chunks queued behind a dripping answer end within the same deadline"
        ),
    ],
)
async def test_a_dripping_or_hanging_prometheus_ends_within_the_deadline(
    mode: Mode, chunks: int
) -> None:
    settings = settings_for("http://x", max_concurrency=2, max_points_per_request=2)
    with FaultServer(mode, drip_interval=0.05) as server:
        settings = settings.model_copy(update={"url": server.url})
        began = time.monotonic()
        async with PrometheusClient(settings) as client:
            with pytest.raises(PrometheusTimeout) as caught:
                await client.query_range("up", 0, 30 * (2 * chunks - 1), 30)
        elapsed = time.monotonic() - began
    assert elapsed < settings.query_deadline() + SLACK
    assert elapsed >= settings.timeout  # it did wait for the answer
    assert caught.value.kind == "timeout"


@pytest.mark.parametrize(
    ("auth", "secrets"),
    [
        pytest.param({"bearer_token": TOKEN}, [TOKEN], id="an inline bearer token"),
        pytest.param({"bearer_token_file": "FILE"}, [TOKEN], id="a token from bearer_token_file"),
        pytest.param(
            {"basic_auth": {"username": "reader", "password": TOKEN}},
            [TOKEN, base64.b64encode(f"reader:{TOKEN}".encode()).decode()],
            id="a basic-auth password and its base64 pair",
        ),
    ],
)
async def test_an_echoed_authorization_header_never_reaches_the_error(
    tmp_path: Path, auth: dict[str, Any], secrets: list[str]
) -> None:
    if auth.get("bearer_token_file") == "FILE":
        (tmp_path / "token").write_text(TOKEN + "\n")
        auth = {"bearer_token_file": str(tmp_path / "token")}
    with FaultServer("echo") as server:
        async with PrometheusClient(settings_for(server.url, **auth)) as client:
            with pytest.raises(PrometheusHTTPError) as caught:
                await client.query("up", 1_700_000_000)
    message = str(caught.value)
    assert "HTTP 500" in message and f"Authorization: {REDACTED}" in message
    assert not [s for s in secrets if s in message]
    assert "\n" not in message


async def test_a_url_password_is_never_in_a_message() -> None:
    with FaultServer("html") as server:
        url = server.url.replace("http://", "http://reader:pa55word@")
        async with PrometheusClient(settings_for(url, retries=0)) as client:
            with pytest.raises(PrometheusError) as caught:
                await client.query("up", 1_700_000_000)
    message = str(caught.value)
    assert "pa55word" not in message and "reader:" not in message
    assert message.endswith("HTTP 502: HTML body: 502 Bad Gateway nginx")
