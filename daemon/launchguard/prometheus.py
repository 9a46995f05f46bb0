"""Async client of the Prometheus HTTP API: instant and range queries, chunked and retried,
each query under an overall deadline and each answer under a byte limit.

Deadlines: one attempt (connect to the answer's last byte) gets `timeout` seconds, so a
dripping answer is cut even though every read is quick; one query, all its chunks,
attempts and backoff waits included, ends within `PrometheusSettings.query_deadline()`.
Size: an answer is read as a stream and abandoned past `max_response_bytes`; only one
answer at a time may buffer more than `_SMALL_ANSWER` bytes, so answers in flight together
hold at most max_response_bytes plus max_concurrency small ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Self

import httpx
import structlog

from launchguard.concurrency import Deadline, cancel_once, gather_or_cancel
from launchguard.config.prometheus_settings import PrometheusSettings
from launchguard.http_summary import summarise
from launchguard.prometheus_answer import QueryResult, Series, merge, read_answer
from launchguard.prometheus_errors import (
    ErrorKind,
    PrometheusBadQuery,
    PrometheusBadResponse,
    PrometheusError,
    PrometheusHTTPError,
    PrometheusResponseTooLarge,
    PrometheusTimeout,
    PrometheusUnreachable,
)
from launchguard.prometheus_http import Clients
from launchguard.scrub import NO_SECRETS, Scrubber, prometheus_scrubber

__all__ = [
    "ErrorKind",
    "PrometheusBadQuery",
    "PrometheusBadResponse",
    "PrometheusClient",
    "PrometheusError",
    "PrometheusHTTPError",
    "PrometheusResponseTooLarge",
    "PrometheusTimeout",
    "PrometheusUnreachable",
    "QueryResult",
    "Series",
]

_log = structlog.get_logger(__name__)

_RETRIED_STATUSES = frozenset({429, 502, 503, 504})
# A server asking for a longer pause is better served by the next evaluation cycle.
_MAX_RETRY_AFTER = 5.0
_ERROR_BODY_BYTES = 64 * 1024  # of a failed answer only this much is read (it is summarised)
_SMALL_ANSWER = 2**20  # bytes an answer buffers before it waits for the one large-answer slot
Sleep = Callable[[float], Awaitable[None]]


class _Retry(Exception):
    """An attempt failed in a way worth retrying; `delay` overrides the backoff."""

    def __init__(self, failure: PrometheusError, delay: float | None = None) -> None:
        super().__init__(str(failure))
        self.failure, self.delay = failure, delay


class PrometheusClient:
    """Queries one Prometheus-compatible HTTP API; use ``async with`` or call ``aclose()``.

    ``sleep`` is how retries wait (injectable so tests need not wait); ``requests_sent``
    counts HTTP attempts, retries included. Every error raised and every message logged
    passes through ``scrubber`` (plus the client's own credentials) first.
    """

    def __init__(
        self,
        settings: PrometheusSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        scrubber: Scrubber = NO_SECRETS,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(settings.max_concurrency)
        self._large_answer = asyncio.Lock()
        self._scrub = prometheus_scrubber(settings) + scrubber
        self._display_url = self._scrub.url(settings.url)
        self._http = Clients(settings, transport)
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
        return await self._query("/api/v1/query", [form])

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
        return await self._query("/api/v1/query_range", chunks)

    async def _query(self, path: str, forms: list[dict[str, str]]) -> QueryResult:
        """Every chunk of one query under the query's deadline; raises one scrubbed error."""
        deadline = self._settings.query_deadline()
        try:
            async with asyncio.timeout(deadline):
                return await self._chunks(path, forms)
        except TimeoutError:
            s = self._settings
            failure: PrometheusError = PrometheusTimeout(
                f"{self._display_url}{path}: no complete answer within {deadline:g} s "
                f"(timeout {s.timeout:g} s x {s.attempts} attempts)"
            )
        except PrometheusError as exc:
            failure = exc
        failure.scrub(self._scrub.clean)
        # Without the frames it was raised through: an error kept (the status, the last
        # cycle's outcome) must not keep a query's buffers alive with it.
        raise failure.with_traceback(None) from None

    async def _chunks(self, path: str, forms: list[dict[str, str]]) -> QueryResult:
        if len(forms) == 1:
            return await self._send(path, forms[0])
        return merge(await gather_or_cancel(self._send(path, form) for form in forms))

    async def _send(self, path: str, form: Mapping[str, str]) -> QueryResult:
        attempt = 0
        while True:
            try:
                async with self._semaphore:
                    self.requests_sent += 1
                    return await self._attempt(path, form)
            except _Retry as retry:
                failure, delay = retry.failure, retry.delay
            if attempt >= self._settings.retries:
                raise failure
            if delay is None:
                delay = self._settings.backoff * 2**attempt
            attempt += 1
            log = _log.bind(path=path, attempt=attempt, delay_seconds=delay)
            log.warning("prometheus request retried", error=self._scrub.clean(str(failure)))
            await self._sleep(delay)

    async def _attempt(self, path: str, form: Mapping[str, str]) -> QueryResult:
        """One HTTP exchange, connect to last byte within `timeout`, then its parse; in a
        task of its own that is cancelled at most once, so httpcore's clean-up of a
        cancelled exchange always ends and its connection leaves the pool."""
        timeout = self._settings.timeout
        try:
            deadline = Deadline(timeout)
            return await cancel_once(self._exchange(path, form, deadline), deadline)
        except TimeoutError:
            message = f"timed out after {timeout:g} s: {self._display_url}{path}: incomplete answer"
            raise _Retry(PrometheusTimeout(message)) from None
        except httpx.TransportError as exc:
            raise _Retry(self._transport_failure(path, exc)) from None

    async def _exchange(
        self, path: str, form: Mapping[str, str], deadline: Deadline
    ) -> QueryResult:
        async with self._http.lease() as http, contextlib.AsyncExitStack() as held:
            request = http.build_request("POST", path, data=dict(form))
            response = await http.send(request, stream=True)
            held.push_async_callback(response.aclose)
            status = response.status_code
            content_type = response.headers.get("content-type", "")
            if not 200 <= status < 300:
                body = await self._read(response, path, _ERROR_BODY_BYTES, cut=True)
                if status in _RETRIED_STATUSES:
                    message = f"{path}: {summarise(status, bytes(body), content_type)}"
                    raise _Retry(PrometheusHTTPError(status, message), _retry_after(response))
                return read_answer(path, status, body, content_type)
            limit = self._settings.max_response_bytes
            body = await self._read(response, path, limit, (held, deadline))
            # Parsed while the large-answer slot is held: the parse is the peak.
            return read_answer(path, status, body, content_type)

    async def _read(
        self,
        response: httpx.Response,
        path: str,
        limit: int,
        slot: tuple[contextlib.AsyncExitStack, Deadline] | None = None,
        *,
        cut: bool = False,
    ) -> bytearray:
        """The answer's body, decoded; past `limit` bytes: the first `limit` with `cut`,
        else PrometheusResponseTooLarge (the rest is never read). Read as a list of the
        transport's chunks, joined once complete: a growing buffer would be copied as it
        grows (old and new at once), and an abandoned answer would never need joining."""
        declared = response.headers.get("content-length", "")
        if not cut and declared.isdigit() and int(declared) > limit:
            raise self._too_large(path, limit)
        chunks: list[bytes] = []
        size, large = 0, False
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                if not cut:
                    chunks.clear()  # the error's traceback holds this frame: not its bytes
                    raise self._too_large(path, limit)
                body = bytearray().join(chunks)
                del body[limit:]
                return body
            if not large and size > _SMALL_ANSWER:
                large = await self._take_large_slot(slot)
        body = bytearray().join(chunks)
        chunks.clear()
        return body

    async def _take_large_slot(
        self, slot: tuple[contextlib.AsyncExitStack, Deadline] | None
    ) -> bool:
        """Hold the one large-answer slot until the attempt ends; the wait for it is not
        the server's time, so the attempt's deadline moves by as much."""
        if slot is None:
            return False
        held, deadline = slot
        loop = asyncio.get_running_loop()
        began = loop.time()
        await held.enter_async_context(self._large_answer)
        deadline.when += loop.time() - began
        return True

    def _too_large(self, path: str, limit: int) -> PrometheusResponseTooLarge:
        return PrometheusResponseTooLarge(
            f"{self._display_url}{path}: answer larger than max_response_bytes ({limit:,} "
            "bytes); reading stopped there"
        )

    def _transport_failure(self, path: str, exc: httpx.TransportError) -> PrometheusError:
        attempts = self._settings.attempts
        detail = f"{self._display_url}{path}: {type(exc).__name__}: {exc} ({attempts} attempts)"
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            return PrometheusTimeout(f"timed out after {self._settings.timeout:g} s: {detail}")
        return PrometheusUnreachable(f"cannot reach {detail}")


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
