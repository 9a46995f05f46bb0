"""The HTTP side of the Prometheus client: credentials, TLS and the connection pool."""

from __future__ import annotations

import ssl
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
