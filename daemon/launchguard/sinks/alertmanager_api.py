"""The Alertmanager API v2 as the sink uses it: the HTTP client (credentials from the
environment, CA bundle) and the alerts an Alertmanager holds for a launch."""

from __future__ import annotations

import os
import ssl
from typing import Any

import httpx

from launchguard import names
from launchguard.config.alertmanager import AlertmanagerSettings

Alert = dict[str, Any]


async def held_decisions(client: httpx.AsyncClient, url: str, launch: str) -> list[Alert]:
    """The decision alerts Alertmanager at `url` holds for `launch` (firing, silenced or
    inhibited). Raises `httpx.HTTPError` (or `ValueError` for an answer that is not JSON)."""
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("filter", f'{names.LABEL_LAUNCH}="{launch}"'),
        ("active", "true"),
        ("silenced", "true"),
        ("inhibited", "true"),
    ]
    response = await client.get(f"{url}/api/v2/alerts", params=params)
    response.raise_for_status()
    found = response.json()
    if not isinstance(found, list):
        raise ValueError("the alert list is not a JSON list")
    return [
        {k: a[k] for k in ("labels", "annotations", "startsAt")}
        for a in found
        if isinstance(a, dict) and names.LABEL_DECISION_ID in a.get("labels", {})
    ]


def credentials(settings: AlertmanagerSettings) -> tuple[str, str]:
    """The bearer token and the basic-auth password, read from the environment."""
    auth = settings.auth
    token = os.environ.get(auth.bearer_token_env, "") if auth.bearer_token_env else ""
    return token, os.environ.get(auth.password_env or "", "")


def http_client(
    settings: AlertmanagerSettings, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    """Credentials are read from the environment here, once, and never logged."""
    headers: dict[str, str] = {}
    auth: httpx.BasicAuth | None = None
    token, password = credentials(settings)
    if settings.auth.bearer_token_env:
        if token:
            headers["Authorization"] = f"Bearer {token}"
    elif settings.auth.username is not None:
        auth = httpx.BasicAuth(settings.auth.username, password)
    verify: ssl.SSLContext | bool = True
    if settings.ca_file is not None:
        verify = ssl.create_default_context(cafile=settings.ca_file)
    return httpx.AsyncClient(
        headers=headers,
        auth=auth,
        verify=verify,
        timeout=httpx.Timeout(settings.timeout),
        transport=transport,
    )
