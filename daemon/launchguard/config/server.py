"""The `server` config section: the daemon's HTTP API (/metrics, /healthz, /api/v1/...)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from launchguard.config.durations import Duration


class ServerSettings(BaseModel):
    """Where the daemon listens and who may call it. The token itself is never in config:
    `token_env` names the environment variable that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    listen: str = Field(default="127.0.0.1:9464", description="HOST:PORT of the HTTP API")
    token_env: str = Field(
        default="LAUNCHGUARD_API_TOKEN",
        min_length=1,
        description="environment variable holding the bearer token of mutating endpoints",
    )
    protect_reads: bool = Field(
        default=False, description="require the bearer token on the read endpoints too"
    )
    max_request_bytes: int = Field(
        default=65536, ge=1, description="larger request bodies are refused with 413"
    )
    header_timeout: Duration = Field(
        default=10.0,
        gt=0,
        description="a request's headers must arrive within this many seconds of the "
        "connection (or of the previous response), else the connection is closed",
    )
    body_timeout: Duration = Field(
        default=10.0,
        gt=0,
        description="a request's body must arrive within this many seconds of its headers, "
        "else 408",
    )

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        split_listen(value)
        return value


def split_listen(value: str) -> tuple[str, int]:
    """`HOST:PORT` (IPv6 as `[::1]:9464`) → (host, port); ValueError naming the problem."""
    host, sep, port = value.rpartition(":")
    if not sep or not host:
        raise ValueError(f"{value!r} is not HOST:PORT")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{value!r}: port must be a number 0..65535")
    return host.strip("[]"), int(port)
