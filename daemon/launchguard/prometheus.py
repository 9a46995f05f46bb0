"""Async client of the Prometheus HTTP API: instant and range queries, chunked and retried."""

from __future__ import annotations

import asyncio
import math
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

import httpx
import structlog

from launchguard.config.prometheus_settings import PrometheusSettings

_log = structlog.get_logger(__name__)

_RETRIED_STATUSES = frozenset({429, 502, 503, 504})
_BAD_QUERY_STATUSES = frozenset({400, 422})
# A server asking for a longer pause is better served by the next evaluation cycle.
_MAX_RETRY_AFTER = 5.0

ErrorKind = Literal["unreachable", "bad_query", "timeout", "bad_response", "http"]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Series:
    """One time series: all its labels as returned (``__name__`` included when present)
    and its points as (unix seconds, value) sorted by time; values may be nan or ±inf."""

    labels: Mapping[str, str]
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class QueryResult:
    """The series of one query and the API's warnings and infos, deduplicated, in order."""

    series: tuple[Series, ...]
    warnings: tuple[str, ...]


class PrometheusError(Exception):
    """Base of the client's errors; ``kind`` names the failure for logs and exit codes."""

    kind: ClassVar[ErrorKind]


class PrometheusUnreachable(PrometheusError):
    """No connection could be made (refused, DNS, TLS, connect timeout), retries exhausted."""

    kind = "unreachable"


class PrometheusTimeout(PrometheusError):
    """The server accepted the connection but did not answer in time, retries exhausted."""

    kind = "timeout"


class PrometheusBadQuery(PrometheusError):
    """The server rejected the query (400/422); ``str()`` is ``"<errorType>: <error>"``."""

    kind = "bad_query"

    def __init__(self, error_type: str, error: str) -> None:
        super().__init__(f"{error_type}: {error}")
        self.error_type = error_type
        self.error = error


class PrometheusBadResponse(PrometheusError):
    """The answer is not JSON, has an unexpected shape, or its status is not "success"."""

    kind = "bad_response"


class PrometheusHTTPError(PrometheusError):
    """Any other non-2xx answer (after retries for 429/502/503/504)."""

    kind = "http"

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


class PrometheusClient:
    """Queries one Prometheus-compatible HTTP API; use ``async with`` or call ``aclose()``.

    ``sleep`` is how retries wait (injectable so tests need not wait); ``requests_sent``
    counts HTTP attempts, retries included.
    """

    def __init__(
        self,
        settings: PrometheusSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(settings.max_concurrency)
        self._display_url = str(httpx.URL(settings.url).copy_with(username=None, password=None))
        self._http = _http_client(settings, transport)
        self._max_points = settings.max_points_per_request
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"PrometheusClient(url={self._display_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def query(self, expr: str, at: float) -> QueryResult:
        """Evaluate ``expr`` at ``at`` (unix seconds): one point per series; a scalar
        result is one series with empty labels."""
        form = {"query": expr, "time": _format_ms(_to_ms(at))}
        return await self._fetch("/api/v1/query", form)

    async def query_range(self, expr: str, start: float, end: float, step: float) -> QueryResult:
        """Evaluate ``expr`` at start, start + step, … up to end (unix seconds, step in
        seconds, both to the millisecond). The range is split so no request exceeds
        ``max_points_per_request`` points per series; chunks run concurrently and their
        series are merged by label set. Raises ValueError on step <= 0 or end < start."""
        start_ms, end_ms, step_ms = _to_ms(start), _to_ms(end), _to_ms(step)
        if step_ms <= 0 or end_ms < start_ms:
            raise ValueError(f"bad range: start={start} end={end} step={step}")
        step_text = _format_ms(step_ms)
        chunks = [
            {"query": expr, "start": _format_ms(a), "end": _format_ms(b), "step": step_text}
            for a, b in _split_range(start_ms, end_ms, step_ms, self._max_points)
        ]
        if len(chunks) == 1:
            return await self._fetch("/api/v1/query_range", chunks[0])
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._fetch("/api/v1/query_range", c)) for c in chunks]
        except ExceptionGroup as failures:
            # Callers handle one PrometheusError, not a group; the siblings were cancelled.
            raise failures.exceptions[0] from None
        return _merge([task.result() for task in tasks])

    async def _fetch(self, path: str, form: Mapping[str, str]) -> QueryResult:
        response = await self._send(path, form)
        data, warnings = _unwrap(path, response)
        return QueryResult(tuple(_parse_result(data)), warnings)

    async def _send(self, path: str, form: Mapping[str, str]) -> httpx.Response:
        attempt = 0
        while True:
            delay: float | None = None
            try:
                async with self._semaphore:
                    self.requests_sent += 1
                    response = await self._http.post(path, data=dict(form))
            except httpx.TransportError as exc:
                failure = self._transport_failure(path, exc)
                failure.__cause__ = exc
            else:
                if response.status_code not in _RETRIED_STATUSES:
                    return response
                failure = PrometheusHTTPError(response.status_code, _describe(path, response))
                delay = _retry_after(response)
            if attempt >= self._settings.retries:
                raise failure
            if delay is None:
                delay = self._settings.backoff * 2**attempt
            attempt += 1
            log = _log.bind(path=path, attempt=attempt, delay_seconds=delay)
            log.warning("prometheus request retried", error=str(failure))
            await self._sleep(delay)

    def _transport_failure(self, path: str, exc: httpx.TransportError) -> PrometheusError:
        attempts = self._settings.retries + 1
        detail = f"{self._display_url}{path}: {type(exc).__name__}: {exc} ({attempts} attempts)"
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            return PrometheusTimeout(f"timed out after {self._settings.timeout} s: {detail}")
        return PrometheusUnreachable(f"cannot reach {detail}")


def _http_client(
    settings: PrometheusSettings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    headers = dict(settings.headers)
    token = _bearer_token(settings)
    if token is not None and settings.basic_auth is not None:
        raise ValueError("bearer token and basic auth are mutually exclusive")
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    auth = None
    if settings.basic_auth is not None:
        password = settings.basic_auth.password.get_secret_value()
        auth = httpx.BasicAuth(settings.basic_auth.username, password)
    verify: ssl.SSLContext | bool = not settings.insecure_skip_verify
    if verify and settings.ca_file is not None:
        verify = ssl.create_default_context(cafile=settings.ca_file)
    limit = settings.max_concurrency
    return httpx.AsyncClient(
        base_url=settings.url,
        headers=headers,
        auth=auth,
        verify=verify,
        timeout=httpx.Timeout(settings.timeout),
        limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
        transport=transport,
    )


def _bearer_token(settings: PrometheusSettings) -> str | None:
    if settings.bearer_token is not None:
        return settings.bearer_token.get_secret_value()
    if settings.bearer_token_file is not None:
        return Path(settings.bearer_token_file).read_text(encoding="utf-8").strip()
    return None


def _to_ms(seconds: float) -> int:
    return round(seconds * 1000)  # ValueError/OverflowError on nan/inf


def _format_ms(ms: int) -> str:
    """Decimal seconds, exact to the millisecond (Prometheus' own resolution)."""
    sign = "-" if ms < 0 else ""
    whole, frac = divmod(abs(ms), 1000)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:03d}"


def _split_range(start: int, end: int, step: int, max_points: int) -> list[tuple[int, int]]:
    """Chunks of the grid start + k*step (milliseconds), each of at most max_points points."""
    points = (end - start) // step + 1
    return [
        (start + first * step, start + (min(first + max_points, points) - 1) * step)
        for first in range(0, points, max_points)
    ]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None or response.status_code not in (429, 503):
        return None
    try:
        seconds = float(value)
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER) if math.isfinite(seconds) else None


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _describe(path: str, response: httpx.Response) -> str:
    if isinstance(body := _json_or_none(response), dict) and "error" in body:
        detail = f"{body.get('errorType')}: {body.get('error')}"
    else:
        detail = response.text[:200]
    return f"{path}: HTTP {response.status_code}: {detail}"


def _unwrap(path: str, response: httpx.Response) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    body = _json_or_none(response)
    status = response.status_code
    if status in _BAD_QUERY_STATUSES:
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            raise PrometheusBadQuery(str(body.get("errorType")), body["error"])
        raise PrometheusBadQuery(f"HTTP {status}", response.text[:200])
    if not 200 <= status < 300:
        raise PrometheusHTTPError(status, _describe(path, response))
    if not isinstance(body, dict):
        raise PrometheusBadResponse(f"{path}: not a JSON object: {response.text[:200]!r}")
    if body.get("status") != "success":
        raise PrometheusBadResponse(f"{path}: status {body.get('status')!r}: {body}")
    data = body.get("data")
    notes = [*(body.get("warnings") or ()), *(body.get("infos") or ())]
    if not isinstance(data, dict) or not all(isinstance(note, str) for note in notes):
        raise PrometheusBadResponse(f"{path}: unexpected response shape")
    return data, tuple(dict.fromkeys(notes))


def _parse_result(data: Mapping[str, Any]) -> list[Series]:
    kind, result = data.get("resultType"), data.get("result", ())
    try:
        if kind == "matrix":
            return [
                # float() reads Prometheus' "NaN", "+Inf" and "-Inf" as nan, inf and -inf.
                Series(
                    _labels(item["metric"]),
                    tuple([(float(t), float(v)) for t, v in item["values"]]),
                )
                for item in result
            ]
        if kind == "vector":
            return [Series(_labels(item["metric"]), (_point(item["value"]),)) for item in result]
        if kind == "scalar":
            return [Series({}, (_point(result),))]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise PrometheusBadResponse(f"malformed {kind} result: {exc!r}") from exc
    raise PrometheusBadResponse(f"unexpected resultType {kind!r}")


def _labels(metric: Any) -> dict[str, str]:
    return {str(name): str(value) for name, value in metric.items()}


def _point(raw: Any) -> tuple[float, float]:
    timestamp, value = raw
    # float() reads Prometheus' "NaN", "+Inf" and "-Inf" as nan, inf and -inf.
    return float(timestamp), float(value)


def _merge(chunks: list[QueryResult]) -> QueryResult:
    merged: dict[tuple[tuple[str, str], ...], tuple[Mapping[str, str], list[tuple[float, float]]]]
    merged = {}
    for chunk in chunks:
        for series in chunk.series:
            key = tuple(sorted(series.labels.items()))
            merged.setdefault(key, (series.labels, []))[1].extend(series.points)
    # Sorted by label set, as Prometheus orders a matrix, so chunking does not change the order.
    return QueryResult(
        series=tuple(
            Series(labels, tuple(sorted(points, key=lambda p: p[0])))
            for labels, points in (merged[key] for key in sorted(merged))
        ),
        warnings=tuple(dict.fromkeys(w for chunk in chunks for w in chunk.warnings)),
    )
