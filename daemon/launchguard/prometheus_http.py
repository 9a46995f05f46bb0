"""The HTTP side of the Prometheus client: credentials, TLS and the connection pool."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from launchguard.config.prometheus_settings import PrometheusSettings


def http_client(
    settings: PrometheusSettings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    """The httpx client of `settings`: base URL, credentials, TLS, timeouts per read and
    connect, connection pool as large as `max_concurrency`."""
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


class Clients:
    """The httpx client of `settings`, replaced by a fresh one once an exchange on it was
    cancelled; a replaced client is closed when its last exchange ends.

    Why: httpcore's pool can keep a connection for good after a cancellation — one created
    for a request cancelled before it used it stays CONNECTING, one whose clean-up was
    cancelled stays ACTIVE — and once they fill the pool every request waits for a slot
    that never frees. Closing the whole client closes them all, with only public API. A
    `transport` given by the caller is theirs and never replaced."""

    def __init__(
        self, settings: PrometheusSettings, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self._settings, self._fixed = settings, transport is not None
        self._current = http_client(settings, transport)
        self._users: dict[httpx.AsyncClient, int] = {self._current: 0}

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[httpx.AsyncClient]:
        """The current client for one exchange; a cancelled exchange retires it."""
        client = self._current
        self._users[client] += 1
        try:
            yield client
        except asyncio.CancelledError:
            if client is self._current and not self._fixed:
                self._current = http_client(self._settings, None)
                self._users[self._current] = 0
            raise
        finally:
            self._users[client] -= 1
            if client is not self._current and self._users[client] == 0:
                del self._users[client]
                await client.aclose()

    async def aclose(self) -> None:
        clients, self._users = list(self._users), {}
        for client in clients:
            await client.aclose()
