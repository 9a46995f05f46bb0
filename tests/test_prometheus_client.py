"""The Prometheus HTTP API client: against a real Prometheus, and with injected faults."""

from __future__ import annotations

import asyncio
import contextlib
import math
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from launchguard.config.prometheus_settings import PrometheusSettings
from launchguard.harness.process import stop_process
from launchguard.prometheus import (
    PrometheusBadQuery,
    PrometheusBadResponse,
    PrometheusClient,
    PrometheusError,
    PrometheusHTTPError,
    PrometheusTimeout,
    PrometheusUnreachable,
    QueryResult,
    Series,
)

SAMPLE_INTERVAL = 30
SAMPLES = 240  # two hours of history per series


# ---------------------------------------------------------------- real Prometheus


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, verify: Any) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited:\n{log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/-/ready", verify=verify, timeout=1).status_code == 200:
                return
        time.sleep(0.05)  # polling interval of a bounded readiness loop
    raise RuntimeError(f"prometheus not ready after 30 s:\n{log.read_text()}")


@contextlib.contextmanager
def running_prometheus(
    workdir: Path, *, web_config: Path | None = None, verify: Any = True
) -> Iterator[str]:
    """Start Prometheus on a free loopback port over `workdir`/data; yield its URL."""
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        pytest.skip("prometheus and promtool are not installed")
    config = workdir / "prometheus.yml"
    config.write_text("scrape_configs: []\n")
    port = free_port()
    args = [
        "prometheus",
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    if web_config is not None:
        args.append(f"--web.config.file={web_config}")
    url = f"{'https' if web_config else 'http'}://127.0.0.1:{port}"
    log = workdir / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(url, process, log, verify)
            yield url
        finally:
            stop_process(process)


def gauge_a(index: int) -> float:
    return float(index)


def gauge_b(index: int) -> float:
    return 1000 + 0.5 * index


@dataclass(frozen=True)
class History:
    url: str
    t0: int  # unix seconds of the first sample

    def value(self, instance: str, at: float) -> float:
        """The sample Prometheus sees at `at`: the latest one at or before it."""
        index = int((at - self.t0) // SAMPLE_INTERVAL)
        return gauge_a(index) if instance == "a" else gauge_b(index)


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """One Prometheus per module with two hours of backfilled history ending 2 h ago."""
    workdir = tmp_path_factory.mktemp("prometheus")
    t0 = int(time.time()) // 3600 * 3600 - 4 * 3600
    lines = ["# TYPE lg_test_gauge gauge"]
    for instance, value in (("a", gauge_a), ("b", gauge_b)):
        lines += [
            f'lg_test_gauge{{instance="{instance}"}} {value(i)} {t0 + i * SAMPLE_INTERVAL}'
            for i in range(SAMPLES)
        ]
    history = workdir / "history.om"
    history.write_text("\n".join([*lines, "# EOF", ""]))
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", history, workdir / "data"],
        check=True,
        capture_output=True,
    )
    with running_prometheus(workdir) as url:
        yield History(url, t0)


def settings_for(url: str, **overrides: Any) -> PrometheusSettings:
    return PrometheusSettings.model_validate({"url": url, "backoff": 0.2, **overrides})


def by_instance(result: QueryResult) -> dict[str, tuple[tuple[float, float], ...]]:
    return {series.labels["instance"]: series.points for series in result.series}


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("start_offset", "end_offset", "step"),
    [
        pytest.param(0, 600, 30, id="an aligned range returns every sample at its own time"),
        pytest.param(0, 600, 60, id="a coarser step returns every other sample"),
        pytest.param(15, 315, 30, id="an off-grid start sees the latest earlier sample"),
        pytest.param(0.25, 400, 30.5, id="millisecond start and step keep their grid"),
    ],
)
async def test_query_range_returns_backfilled_values_at_grid_points(
    prometheus: History, start_offset: float, end_offset: float, step: float
) -> None:
    start, end = prometheus.t0 + start_offset, prometheus.t0 + end_offset
    grid = [start + k * step for k in range(int((end - start) // step) + 1)]
    async with PrometheusClient(settings_for(prometheus.url)) as client:
        result = await client.query_range("lg_test_gauge", start, end, step)
    assert [dict(s.labels) for s in result.series] == [
        {"__name__": "lg_test_gauge", "instance": "a"},
        {"__name__": "lg_test_gauge", "instance": "b"},
    ]
    for instance, points in by_instance(result).items():
        assert points == tuple((t, prometheus.value(instance, t)) for t in grid)
    assert result.warnings == ()


@pytest.mark.prometheus
@pytest.mark.parametrize(
    "expr",
    [
        pytest.param("lg_test_gauge", id="raw series split in 3 chunks equal one request"),
        pytest.param(
            "sum(lg_test_gauge) / 2", id="an aggregate split in 3 chunks equals one request"
        ),
    ],
)
async def test_chunked_query_range_equals_single_request(prometheus: History, expr: str) -> None:
    start, end, step = prometheus.t0, prometheus.t0 + 119 * 30 + 17, 30  # 120 points
    async with PrometheusClient(settings_for(prometheus.url)) as single:
        whole = await single.query_range(expr, start, end, step)
        assert single.requests_sent == 1
    async with PrometheusClient(settings_for(prometheus.url, max_points_per_request=50)) as chunked:
        parts = await chunked.query_range(expr, start, end, step)
        assert chunked.requests_sent == 3
    assert parts == whole
    assert all(len(series.points) == 120 for series in whole.series)


@pytest.mark.prometheus
async def test_instant_query_returns_one_point_per_series(prometheus: History) -> None:
    at = prometheus.t0 + 300
    async with PrometheusClient(settings_for(prometheus.url)) as client:
        result = await client.query("lg_test_gauge", at)
    assert by_instance(result) == {"a": ((at, 10.0),), "b": ((at, 1005.0),)}


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        pytest.param("0/0", math.nan, id="NaN comes back as math.nan"),
        pytest.param("1/0", math.inf, id="+Inf comes back as math.inf"),
        pytest.param("-1/0", -math.inf, id="-Inf comes back as -math.inf"),
        pytest.param("vector(2.5)", 2.5, id="a plain number comes back as a float"),
    ],
)
async def test_special_values_are_parsed(prometheus: History, expr: str, expected: float) -> None:
    at, start = prometheus.t0 + 60.0, prometheus.t0
    async with PrometheusClient(settings_for(prometheus.url)) as client:
        instant = await client.query(expr, at)
        ranged = await client.query_range(expr, start, start + 90, 30)
    values = [v for s in (*instant.series, *ranged.series) for _, v in s.points]
    assert len(values) == 5
    for value in values:
        assert value == expected or (math.isnan(expected) and math.isnan(value))
    assert instant.series[0].points[0][0] == at


@pytest.mark.prometheus
async def test_scalar_result_is_one_series_with_empty_labels(prometheus: History) -> None:
    async with PrometheusClient(settings_for(prometheus.url)) as client:
        result = await client.query("scalar(vector(3))", prometheus.t0)
    assert result == QueryResult((Series({}, ((prometheus.t0, 3.0),)),), ())


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        pytest.param(
            lambda c, t0: c.query_range("sum(lg_test_gauge", t0, t0 + 60, 30),
            "parse error",
            id="a PromQL syntax error keeps Prometheus' message",
        ),
        pytest.param(
            lambda c, t0: c.query("rate(lg_test_gauge)", t0),
            "expected type range vector",
            id="a type error keeps Prometheus' message",
        ),
        pytest.param(
            lambda c, t0: c.query_range("lg_test_gauge", t0, t0 + 11001, 1),
            "11,000 points",
            id="a range of more than 11,000 steps is refused by Prometheus",
        ),
    ],
)
async def test_rejected_queries_raise_bad_query(
    prometheus: History, call: Callable[[PrometheusClient, int], Any], fragment: str
) -> None:
    client = PrometheusClient(settings_for(prometheus.url, max_points_per_request=20000))
    async with client:
        with pytest.raises(PrometheusBadQuery) as caught:
            await call(client, prometheus.t0)
    assert caught.value.kind == "bad_query"
    assert caught.value.error_type == "bad_data"
    assert fragment in caught.value.error
    assert str(caught.value) == f"bad_data: {caught.value.error}"
    assert client.requests_sent == 1  # a bad query is not retried


@pytest.mark.parametrize(
    "retries", [pytest.param(0, id="no retries"), pytest.param(2, id="two retries")]
)
async def test_closed_port_is_unreachable_after_the_retries(retries: int) -> None:
    sleeps = SleepLog()
    url = f"http://127.0.0.1:{free_port()}"
    client = PrometheusClient(settings_for(url, retries=retries), sleep=sleeps)
    async with client:
        with pytest.raises(PrometheusUnreachable) as caught:
            await client.query("up", 0)
    assert caught.value.kind == "unreachable"
    assert client.requests_sent == retries + 1
    assert sleeps.delays == [0.2, 0.4][:retries]


# ---------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A Prometheus serving HTTPS with a certificate of a throwaway CA; yields (url, CA file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    workdir = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=workdir, check=True, capture_output=True)

    openssl(
        *("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        *("-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=lg CA"),
    )
    (workdir / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "authorityKeyIdentifier=keyid,issuer\nextendedKeyUsage=serverAuth\n"
    )
    openssl(
        *("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
        *("-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"),
    )
    openssl(
        *("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"),
    )
    web = workdir / "web.yml"
    web.write_text(
        f"tls_server_config:\n  cert_file: {workdir / 'server.pem'}\n"
        f"  key_file: {workdir / 'server.key'}\n"
    )
    ca = workdir / "ca.pem"
    verify = ssl.create_default_context(cafile=str(ca))
    with running_prometheus(workdir, web_config=web, verify=verify) as url:
        yield url, ca


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("overrides", "verified"),
    [
        pytest.param(
            {"ca_file": "CA"}, True, id="a ca_file that signed the certificate verifies it"
        ),
        pytest.param({}, False, id="without the CA the certificate is refused as unreachable"),
        pytest.param(
            {"insecure_skip_verify": True}, True, id="insecure_skip_verify accepts the certificate"
        ),
    ],
)
async def test_tls_verification(
    tls_prometheus: tuple[str, Path], overrides: dict[str, Any], verified: bool
) -> None:
    url, ca = tls_prometheus
    overrides = {k: str(ca) if v == "CA" else v for k, v in overrides.items()}
    async with PrometheusClient(settings_for(url, retries=0, **overrides)) as client:
        if verified:
            assert (await client.query("1 + 1", 0)).series[0].points == ((0.0, 2.0),)
        else:
            with pytest.raises(PrometheusUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
                await client.query("1 + 1", 0)


# ---------------------------------------------------------------- injected faults

FAKE_URL = "http://prometheus.invalid"


class SleepLog:
    """Stands in for asyncio.sleep: records the delays instead of waiting them."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


Step = httpx.Response | type[httpx.TransportError]


class Script:
    """A transport handler answering each request with the next scripted step."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0)
        if isinstance(step, httpx.Response):
            return step
        raise step("injected", request=request)


def success(data: Any, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "data": data, **extra})


def matrix(*values: float, **extra: Any) -> httpx.Response:
    points = [[1700000000 + 30 * i, str(v)] for i, v in enumerate(values)]
    return success(
        {"resultType": "matrix", "result": [{"metric": {"job": "x"}, "values": points}]}, **extra
    )


def failure(status: int, error_type: str = "", error: str = "", **headers: str) -> httpx.Response:
    body = {"status": "error", "errorType": error_type, "error": error}
    return httpx.Response(status, json=body, headers=headers)


OK = matrix(1.0, 2.0)
OK_RESULT = QueryResult(
    (Series({"job": "x"}, ((1700000000.0, 1.0), (1700000030.0, 2.0))),), warnings=()
)


def fake_client(handler: Any, sleep: SleepLog | None = None, **overrides: Any) -> PrometheusClient:
    return PrometheusClient(
        settings_for(FAKE_URL, **overrides),
        transport=httpx.MockTransport(handler),
        sleep=sleep or SleepLog(),
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


# ---------------------------------------------------------------- requests as sent


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


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


# ---------------------------------------------------------------- chunking


def grid_echo(request: httpx.Request) -> httpx.Response:
    """Answers a query_range like Prometheus would, each value being its own timestamp."""
    form = {k: Decimal(v) for k, v in form_of(request).items() if k != "query"}
    points, t = [], form["start"]
    while t <= form["end"]:
        points.append([float(t), str(float(t))])
        t += form["step"]
    return success({"resultType": "matrix", "result": [{"metric": {}, "values": points}]})


async def test_seven_days_at_30_s_take_two_requests() -> None:
    script = Script()
    start, step = 1_700_000_000, 30

    def handler(request: httpx.Request) -> httpx.Response:
        script.requests.append(request)
        return grid_echo(request)

    async with fake_client(handler) as client:
        result = await client.query_range("x", start, start + 7 * 86400, step)
    assert sorted((form_of(r)["start"], form_of(r)["end"]) for r in script.requests) == [
        (str(start), str(start + 10999 * step)),
        (str(start + 11000 * step), str(start + 20160 * step)),
    ]
    assert [t for t, _ in result.series[0].points] == [start + k * step for k in range(20161)]


@settings(max_examples=60, deadline=None)
@given(
    start_ms=st.integers(1_600_000_000_000, 1_800_000_000_000),
    step_ms=st.integers(1, 3_600_000),
    points=st.integers(1, 400),
    slack=st.floats(0, 0.999),
    max_points=st.integers(2, 60),
)
def test_chunks_cover_the_grid_exactly_once(
    start_ms: int, step_ms: int, points: int, slack: float, max_points: int
) -> None:
    end_ms = start_ms + (points - 1) * step_ms + int(slack * step_ms)
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        response = grid_echo(request)
        seen.append(len(response.json()["data"]["result"][0]["values"]))
        return response

    async def run() -> QueryResult:
        async with fake_client(handler, max_points_per_request=max_points) as client:
            return await client.query_range("x", start_ms / 1000, end_ms / 1000, step_ms / 1000)

    result = asyncio.run(run())
    expected = [float(Decimal(start_ms + k * step_ms) / 1000) for k in range(points)]
    assert [t for t, _ in result.series[0].points] == expected
    assert len(seen) == -(-points // max_points)
    assert max(seen) <= max_points


async def test_concurrent_chunks_respect_max_concurrency() -> None:
    in_flight, peak = 0, 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):  # yield to the event loop so other chunks can start
            await asyncio.sleep(0)
        in_flight -= 1
        return grid_echo(request)

    async with fake_client(handler, max_points_per_request=10, max_concurrency=2) as client:
        result = await client.query_range("x", 0, 59 * 30, 30)
        assert client.requests_sent == 6
    assert peak == 2
    assert len(result.series[0].points) == 60


@pytest.mark.parametrize(
    ("start", "end", "step"),
    [
        pytest.param(100, 0, 30, id="an end before the start is refused"),
        pytest.param(0, 100, 0, id="a zero step is refused"),
        pytest.param(0, 100, 0.0001, id="a step under a millisecond is refused"),
    ],
)
async def test_bad_ranges_are_refused_before_any_request(
    start: float, end: float, step: float
) -> None:
    async with fake_client(Script()) as client:
        with pytest.raises(ValueError, match="bad range"):
            await client.query_range("x", start, end, step)
        assert client.requests_sent == 0
