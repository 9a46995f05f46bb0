"""A Prometheus client on a scripted transport: the answers a test injects (faults a real
server cannot produce on demand), sleeps recorded instead of waited."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx

from launchguard.prometheus import (
    PrometheusClient,
    QueryResult,
    Series,
)

from clienthistory import settings_for

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


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
