"""The `daemon` config section: how the live loop behaves (`launchguard run`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from launchguard.config.durations import Duration


class DaemonSettings(BaseModel):
    """Settings of the evaluation loop; the cycle interval is `evaluation.interval`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    degraded_after: Duration = Field(
        default=300.0,
        gt=0,
        description="a criterion inconclusive this long (seconds) makes evaluation degraded",
    )
    cycle_timeout: Duration | None = Field(
        default=None,
        gt=0,
        description="deadline of a cycle's evaluation (fetch, core, Go/No-Go; the start-up "
        "rebuild too), seconds; each sink then gets as long again (null: 80 % of "
        "evaluation.interval)",
    )
    max_catch_up: Duration = Field(
        default=21600.0,
        gt=0,
        description="missed grid times evaluated at most this far back after an outage, seconds",
    )
    keep_resolved: Duration = Field(
        default=86400.0,
        ge=0,
        description="resolved decisions kept in memory for the API this long, seconds",
    )
    shutdown_timeout: Duration = Field(
        default=10.0,
        gt=0,
        description="on SIGTERM/SIGINT, the running cycle and the sinks' flush get this long",
    )
