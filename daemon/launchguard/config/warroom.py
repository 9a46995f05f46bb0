"""The `warroom` config section: the warroom webhook (RU/EN, on open and resolve only), the
warroom page at `/`, and the links both show (Grafana dashboards, Alertmanager).

The webhook's HMAC secret is never in config: `secret_env` names the environment variable
that holds it; unset or empty, payloads go unsigned.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from launchguard.config.durations import Duration
from launchguard.config.urls import http_url

Language = Literal["ru", "en"]


class WarroomSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_url: str | None = Field(
        default=None, description="POST decisions here on open and resolve; null: no webhook"
    )
    secret_env: str = Field(
        default="LAUNCHGUARD_WARROOM_SECRET",
        min_length=1,
        description="environment variable holding the HMAC-SHA256 key; unset: unsigned",
    )
    signature_header: str = Field(
        default="X-Launchguard-Signature",
        min_length=1,
        description="header carrying 'sha256=<hex HMAC of timestamp.body>'",
    )
    languages: tuple[Language, ...] = Field(
        default=("ru", "en"), min_length=1, description="text languages, in display order"
    )
    timeout: Duration = Field(default=5.0, gt=0, description="per-request timeout, seconds")
    retry_backoff: Duration = Field(
        default=1.0, ge=0, description="first delay before retrying a failed POST, seconds"
    )
    retry_backoff_max: Duration = Field(
        default=300.0, ge=0, description="the retry delay doubles up to this, seconds"
    )
    grafana_url: str | None = Field(
        default=None, description="Grafana base URL for dashboard links; null: no links"
    )
    grafana_dashboards: dict[str, str] = Field(
        default={
            "Executive": "/d/launchguard-executive",
            "Treasury": "/d/launchguard-treasury",
            "Trust": "/d/launchguard-trust",
            "Webhooks": "/d/launchguard-webhooks",
        },
        description="link title → path under grafana_url",
    )
    role_tokens: dict[str, str] = Field(
        default={},
        description="role → environment variable holding that role's bearer token for the "
        "warroom actions (server.token_env's token has the role 'operator')",
    )
    declare_roles: tuple[str, ...] = Field(
        default=(),
        description="roles whose token may declare a rollback or a new attempt (e.g. "
        "launch_ic); empty: any valid token",
    )
    page_url: str | None = Field(
        default=None, description="public URL of this warroom page, linked from messages"
    )
    alertmanager_url: str | None = Field(
        default=None, description="Alertmanager UI base URL for links; null: no link"
    )
    page_refresh: Duration | None = Field(
        default=None, description="page poll interval, seconds (null: evaluation.interval)"
    )
    recent_resolved: int = Field(
        default=20, ge=0, description="resolved decisions listed on the page, newest first"
    )
    sparkline_window: Duration = Field(
        default=3600.0, gt=0, description="history drawn in a decision's sparkline, seconds"
    )

    @field_validator("webhook_url", "grafana_url", "alertmanager_url", "page_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value)

    @field_validator("languages")
    @classmethod
    def _unique(cls, value: tuple[Language, ...]) -> tuple[Language, ...]:
        if len(set(value)) != len(value):
            raise ValueError("languages must be unique")
        return value
