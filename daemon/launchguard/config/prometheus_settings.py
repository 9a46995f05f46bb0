"""How launchguard reaches Prometheus (or a Prometheus-compatible backend)."""

from __future__ import annotations

from pydantic import BaseModel, ByteSize, ConfigDict, Field, SecretStr, field_validator

from launchguard.config.durations import Duration
from launchguard.config.urls import http_url

# 32 MiB: a per-pair signal of a 1,000-pair fleet over the 6 h lookback at 30 s is 721,000
# points, 13-19 MB of JSON; parsing an answer peaks at ~10x its size (benchmarks/
# bench_client.py), so the largest one allowed stays within the systemd MemoryMax=512M.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 2**20


class BasicAuth(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str
    password: SecretStr


class PrometheusSettings(BaseModel):
    """Connection settings of the Prometheus HTTP API client."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(default="http://127.0.0.1:9090", description="base URL of the HTTP API")
    timeout: Duration = Field(
        default=10.0,
        gt=0,
        description="one attempt, connect to the answer's last byte, seconds (a dripping "
        "answer is cut here)",
    )
    retries: int = Field(
        default=3, ge=0, description="retries on 429/502/503/504/connection errors/timeouts"
    )
    backoff: Duration = Field(
        default=0.2, ge=0, description="first retry delay; doubles each retry"
    )
    max_response_bytes: ByteSize = Field(
        default=ByteSize(DEFAULT_MAX_RESPONSE_BYTES),
        gt=0,
        description="largest answer read, e.g. 32MiB; a larger one fails as response_too_large",
    )
    bearer_token: SecretStr | None = None
    bearer_token_file: str | None = None
    basic_auth: BasicAuth | None = None
    headers: dict[str, str] = Field(
        default_factory=dict, description="extra headers, e.g. X-Scope-OrgID for Mimir/Thanos"
    )
    ca_file: str | None = Field(default=None, description="PEM bundle to verify the server")
    insecure_skip_verify: bool = False
    max_points_per_request: int = Field(
        default=11000, ge=2, description="query_range is split so no series exceeds this"
    )
    max_concurrency: int = Field(default=8, ge=1, description="requests in flight at once")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        return http_url(value)

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def query_deadline(self) -> float:
        """Seconds within which one query (all its chunks, attempts and backoff waits,
        waiting for a free connection included) ends: timeout x attempts plus the backoff
        between attempts."""
        return float(self.timeout * self.attempts + self.backoff * (2**self.retries - 1))
