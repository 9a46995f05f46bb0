"""The Prometheus client under injected faults: which failures are retried, which raise which
typed error, and how chunk answers merge."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from launchguard.prometheus import (
    PrometheusBadQuery,
    PrometheusBadResponse,
    PrometheusError,
    PrometheusHTTPError,
    PrometheusTimeout,
    PrometheusUnreachable,
    Series,
)

from fakeprometheus import (
    OK,
    OK_RESULT,
    Script,
    SleepLog,
    Step,
    failure,
    fake_client,
    form_of,
    matrix,
    success,
)


@pytest.mark.parametrize(
    ("steps", "delays"),
    [
        pytest.param([failure(503), OK], [0.2], id="a 503 is retried and then succeeds"),
        pytest.param(
            [failure(502), failure(504), OK], [0.2, 0.4], id="502 and 504 back off doubling"
        ),
        pytest.param(
            [failure(429, **{"Retry-After": "2"}), OK],
            [2.0],
            id="a 429 waits the Retry-After seconds instead of the backoff",
        ),
        pytest.param(
            [failure(503, **{"Retry-After": "1.5"}), OK], [1.5], id="a 503 honours Retry-After"
        ),
        pytest.param(
            [failure(429, **{"Retry-After": "3600"}), OK], [5.0], id="Retry-After is capped at 5 s"
        ),
        pytest.param(
            [failure(429, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), OK],
            [0.2],
            id="a Retry-After date falls back to the backoff",
        ),
        pytest.param([httpx.ConnectError, OK], [0.2], id="a connection error is retried"),
        pytest.param([httpx.ReadTimeout, OK], [0.2], id="a read timeout is retried"),
    ],
)
async def test_transient_failures_are_retried(steps: list[Step], delays: list[float]) -> None:
    sleeps = SleepLog()
    async with fake_client(Script(*steps), sleeps) as client:
        assert await client.query_range("x", 1700000000, 1700000030, 30) == OK_RESULT
        assert client.requests_sent == len(steps)
    assert sleeps.delays == delays


@pytest.mark.parametrize(
    ("steps", "retries", "error", "fragment"),
    [
        pytest.param(
            [failure(500, "internal", "boom")], 3, PrometheusHTTPError, "HTTP 500: internal: boom",
            id="a 500 is not retried and raises PrometheusHTTPError",
        ),
        pytest.param(
            [httpx.Response(404, text="404 page not found")], 3, PrometheusHTTPError, "404",
            id="a 404 from a wrong URL prefix is not retried",
        ),
        pytest.param(
            [failure(503)] * 3, 2, PrometheusHTTPError, "HTTP 503",
            id="a 503 that persists raises PrometheusHTTPError once retries are spent",
        ),
        pytest.param(
            [failure(400, "bad_data", "1:5: parse error: unexpected end of input")],
            3, PrometheusBadQuery, "bad_data: 1:5: parse error: unexpected end of input",
            id="a 400 is not retried and keeps Prometheus' message verbatim",
        ),
        pytest.param(
            [failure(422, "execution", "query would load too many samples")],
            3, PrometheusBadQuery, "execution: query would load too many samples",
            id="a 422 execution error is a bad query",
        ),
        pytest.param(
            [httpx.Response(200, text="<html>oops")], 3, PrometheusBadResponse, "oops",
            id="garbage instead of JSON is a bad response",
        ),
        pytest.param(
            [httpx.Response(200, json={"status": "error", "error": "odd"})],
            3, PrometheusBadResponse, "odd",
            id="a 200 whose status is not success is a bad response",
        ),
        pytest.param(
            [success({"resultType": "matrix", "result": "nonsense"})],
            3, PrometheusBadResponse, "malformed matrix",
            id="a matrix that is not a list of series is a bad response",
        ),
        pytest.param(
            [success({"resultType": "string", "result": [1, "hello"]})],
            3, PrometheusBadResponse, "resultType 'string'",
            id="a string result is a bad response",
        ),
        pytest.param(
            [success({"resultType": "scalar", "result": [1, "many"]})],
            3, PrometheusBadResponse, "malformed scalar",
            id="a sample value that is not a number is a bad response",
        ),
        pytest.param(
            [httpx.ReadTimeout] * 2, 1, PrometheusTimeout, "timed out",
            id="a read timeout that persists raises PrometheusTimeout",
        ),
        pytest.param(
            [httpx.ConnectTimeout], 0, PrometheusUnreachable, "ConnectTimeout",
            id="a connect timeout counts as unreachable",
        ),
    ],
)  # fmt: skip
async def test_failures_raise_typed_errors(
    steps: list[Step], retries: int, error: type[PrometheusError], fragment: str
) -> None:
    script = Script(*steps)
    async with fake_client(script, retries=retries) as client:
        with pytest.raises(error) as caught:
            await client.query("x", 1700000000)
        assert client.requests_sent == len(steps)
    assert fragment in str(caught.value)
    assert isinstance(caught.value, PrometheusError)
    assert caught.value.kind == error.kind
    assert not script.steps


async def test_http_error_carries_its_status_code() -> None:
    async with fake_client(Script(failure(500, "internal", "boom"))) as client:
        with pytest.raises(PrometheusHTTPError) as caught:
            await client.query("x", 0)
    assert caught.value.status_code == 500


async def test_warnings_and_infos_are_kept_and_deduplicated_across_chunks() -> None:
    script = Script(
        matrix(1.0, warnings=["w1", "w2"]),
        matrix(2.0, warnings=["w1"], infos=["i1"]),
    )
    async with fake_client(script, max_points_per_request=2) as client:
        result = await client.query_range("x", 0, 90, 30)
    assert result.warnings == ("w1", "w2", "i1")


async def test_chunks_merge_by_label_set_sorted_like_prometheus() -> None:
    def series(job: str, *times: int) -> dict[str, Any]:
        return {"metric": {"job": job}, "values": [[t, str(t)] for t in times]}

    def handler(request: httpx.Request) -> httpx.Response:
        if form_of(request)["start"] == "0":
            return success({"resultType": "matrix", "result": [series("b", 0, 30)]})
        return success({"resultType": "matrix", "result": [series("a", 90), series("b", 60)]})

    async with fake_client(handler, max_points_per_request=2) as client:
        result = await client.query_range("x", 0, 90, 30)
    assert result.series == (
        Series({"job": "a"}, ((90.0, 90.0),)),
        Series({"job": "b"}, ((0.0, 0.0), (30.0, 30.0), (60.0, 60.0))),
    )


async def test_a_failing_chunk_raises_its_own_error_not_a_group() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if form_of(request)["start"] == "60":
            return failure(400, "bad_data", "chunk refused")
        return matrix(1.0)

    async with fake_client(handler, max_points_per_request=2) as client:
        with pytest.raises(PrometheusBadQuery, match="chunk refused"):
            await client.query_range("x", 0, 150, 30)
