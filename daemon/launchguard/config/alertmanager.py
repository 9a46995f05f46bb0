"""The `alertmanager` config section: where decisions are POSTed and how often (DESIGN §5)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from launchguard.config.durations import Duration
from launchguard.config.urls import http_url


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlertmanagerAuth(_Strict):
    """Credentials sent to every Alertmanager (both optional; a bearer token wins)."""

    bearer_token_env: str | None = Field(
        default=None, description="environment variable holding a bearer token"
    )
    username: str | None = Field(default=None, description="basic-auth user name")
    password_env: str | None = Field(
        default=None, description="environment variable holding the basic-auth password"
    )


class AlertmanagerSettings(_Strict):
    """The Alertmanager sink: every URL gets every alert (Alertmanager HA dedups them)."""

    urls: tuple[str, ...] = Field(
        default=(), description="Alertmanager base URLs; empty: no Alertmanager sink"
    )
    launch: str = Field(
        default="clubgate", min_length=1, description="value of the `launch` label of every alert"
    )
    resend_interval: Duration = Field(
        default=0.0, ge=0, description="re-post open alerts at most this often; 0: every cycle"
    )
    ends_at_cycles: int = Field(
        default=4, ge=1, description="open alerts get endsAt = now + this many intervals"
    )
    timeout: Duration = Field(default=5.0, gt=0, description="per-request timeout, seconds")
    retry_backoff: Duration = Field(
        default=1.0, ge=0, description="first delay before retrying a failed Alertmanager"
    )
    retry_backoff_max: Duration = Field(
        default=120.0, ge=0, description="the retry delay doubles up to this, seconds"
    )
    auth: AlertmanagerAuth = Field(default=AlertmanagerAuth(), description="credentials")
    ca_file: str | None = Field(default=None, description="PEM bundle to verify the server")

    @field_validator("urls")
    @classmethod
    def _http(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(http_url(url) for url in value)
