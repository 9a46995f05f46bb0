"""The Prometheus client's requests as sent: auth and tenant headers, form posts, secrets kept
out of what it shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import structlog

from launchguard.harness.process import free_port
from launchguard.prometheus import (
    PrometheusClient,
    PrometheusUnreachable,
)

from clienthistory import settings_for
from fakeprometheus import (
    OK,
    Script,
    SleepLog,
    fake_client,
    form_of,
    success,
)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {"bearer_token": "s3cret"}, {"authorization": "Bearer s3cret"},
            id="a bearer token is sent as Authorization: Bearer",
        ),
        pytest.param(
            {"basic_auth": {"username": "u", "password": "p"}}, {"authorization": "Basic dTpw"},
            id="basic auth is sent as Authorization: Basic",
        ),
        pytest.param(
            {"bearer_token": "t", "headers": {"X-Scope-OrgID": "tenant-1"}},
            {"authorization": "Bearer t", "x-scope-orgid": "tenant-1"},
            id="the tenant header travels with the bearer token",
        ),
        pytest.param({}, {}, id="no credentials sends no Authorization header"),
    ],
)  # fmt: skip
async def test_auth_and_tenant_headers_are_sent(
    overrides: dict[str, Any], expected: dict[str, str]
) -> None:
    script = Script(OK)
    async with fake_client(script, **overrides) as client:
        await client.query_range("x", 1700000000, 1700000030, 30)
    headers = script.requests[0].headers
    assert {k: headers[k] for k in expected} == expected
    if not expected:
        assert "authorization" not in headers


async def test_bearer_token_file_is_read_once_at_construction(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("from-file\n")
    script = Script(OK)
    client = fake_client(script, bearer_token_file=str(token))
    token.write_text("changed")
    async with client:
        await client.query("x", 0)
    assert script.requests[0].headers["authorization"] == "Bearer from-file"


def test_bearer_token_and_basic_auth_together_are_refused() -> None:
    with pytest.raises(ValueError, match="mutually exclusive"):
        fake_client(Script(), bearer_token="t", basic_auth={"username": "u", "password": "p"})


async def test_queries_are_form_posts_with_decimal_seconds() -> None:
    script = Script(OK, success({"resultType": "scalar", "result": [1.5, "1"]}))
    async with fake_client(script) as client:
        await client.query_range("sum(x)", 1700000000.25, 1700000060.25, 15)
        await client.query("x", 1.5)
    ranged, instant = script.requests
    assert (ranged.method, ranged.url.path) == ("POST", "/api/v1/query_range")
    assert ranged.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form_of(ranged) == {
        "query": "sum(x)",
        "start": "1700000000.250",
        "end": "1700000060.250",
        "step": "15",
    }
    assert (instant.url.path, form_of(instant)) == (
        "/api/v1/query",
        {"query": "x", "time": "1.500"},
    )


async def test_secrets_stay_out_of_repr_errors_and_logs() -> None:
    url = f"http://user:pw-s3cret@127.0.0.1:{free_port()}"
    client = PrometheusClient(
        settings_for(url, bearer_token="tok-s3cret", retries=1), sleep=SleepLog()
    )
    with structlog.testing.capture_logs() as logs:
        async with client:
            with pytest.raises(PrometheusUnreachable) as caught:
                await client.query("x", 0)
    assert logs, "the retry is logged"
    for text in (repr(client), str(caught.value), repr(logs)):
        assert "s3cret" not in text
    assert "127.0.0.1" in repr(client)
