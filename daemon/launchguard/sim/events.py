"""Timed events of a scenario: what goes wrong, where, from `at` until `until` (offsets).

An event is active at a sample time t when `at <= t < until` (`until: null`: to the end
and beyond). Each kind changes only the series its docstring names.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from launchguard.config.durations import Duration
from launchguard.config.models import Strict


class _Timed(Strict):
    at: Duration = Field(description="offset from the scenario start when it begins")
    until: Duration | None = Field(default=None, description="offset when it ends (null: never)")

    @model_validator(mode="after")
    def _order(self) -> _Timed:
        if self.until is not None and self.until <= self.at:
            raise ValueError("until must be after at")
        return self

    def active(self, offset: float) -> bool:
        return self.at <= offset and (self.until is None or offset < self.until)


class PassthroughDegradation(_Timed):
    """Completed payouts of `network` (its `assets`, default all) take longer: a `share` of
    them is log-normal around `median` with `spread`. Series: clubgate_passthrough_seconds."""

    kind: Literal["passthrough_degradation"]
    network: str
    assets: list[str] | None = None
    median: Duration = Field(gt=0, description="median pass-through while degraded, seconds")
    spread: float = Field(default=0.15, ge=0, le=3)
    share: float = Field(default=1.0, gt=0, le=1, description="share of payouts affected")


Aftermath = Literal["hold", "reset", "drain"]


class QueueGrowth(_Timed):
    """The payout queue of `network` grows by `per_minute`; after `until` it holds, drops
    back to the baseline at once (`reset`) or drains at the same rate (`drain`)."""

    kind: Literal["queue_growth"]
    network: str
    per_minute: float = Field(gt=0)
    after: Aftermath = "reset"


class QueueDrain(_Timed):
    """A backlog of `depth` payouts sits on top of the baseline queue at `at` and drains at
    `per_minute` (until empty or `until`)."""

    kind: Literal["queue_drain"]
    network: str
    depth: float = Field(gt=0)
    per_minute: float = Field(gt=0)


class PayoutStall(_Timed):
    """No payout of `network` completes; arrivals pile up in the queue at `queue_per_minute`
    (aftermath as for queue_growth) and `stuck_transactions` are stuck. Series: completed,
    pass-through, volume, queue, stuck."""

    kind: Literal["payout_stall"]
    network: str
    queue_per_minute: float = Field(default=1.0, gt=0)
    after: Aftermath = "reset"
    stuck_transactions: float = Field(default=3.0, ge=0)


class WebhookOutage(_Timed):
    """Webhook deliveries to `partners` (default all) fail at `failure_ratio`; their dead
    letters grow by `dead_letter_per_minute` each (0: flat). After `until` the dead letters
    stay (`hold`) or are replayed to the baseline at once (`replay`)."""

    kind: Literal["webhook_outage"]
    partners: list[str] | None = None
    failure_ratio: float = Field(gt=0, le=1)
    dead_letter_per_minute: float = Field(default=0.0, ge=0)
    after: Literal["hold", "replay"] = "hold"


class EodStuck(_Timed):
    """At the first cut-off at or after `at`, the `pairs` of `network` (default all; or the
    first `count`) do not settle: their sessions stay unsettled until `until`, or, with
    `settle_every`, one session settles every `settle_every` (improving, not stuck)."""

    kind: Literal["eod_stuck"]
    network: str
    pairs: list[str] | None = None
    count: int | None = Field(default=None, ge=1)
    settle_every: Duration | None = Field(default=None, gt=0)
    outcome: Literal["partial", "t_plus_1"] = "partial"


class Incident(_Timed):
    """An incident of `severity` is open (clubgate_incidents_open) and was declared at `at`
    (clubgate_incidents_total)."""

    kind: Literal["incident"]
    severity: Literal["sev1", "sev2", "sev3"]


class Gap(_Timed):
    """The exporter is not scraped: no samples of the series of `network` (default all
    series) or of `families` (default all families). The platform keeps counting."""

    kind: Literal["gap"]
    until: Duration = Field(description="offset when samples come back")
    network: str | None = None
    families: list[str] | None = None


class CounterReset(Strict):
    """The exporter restarts at `at`: counters and histograms (of `network`, default all)
    start again from 0, as Prometheus sees after a process restart."""

    kind: Literal["counter_reset"]
    at: Duration
    network: str | None = None


class Noise(_Timed):
    """More jitter on the payout queue of `network` (default all): `queue` std-dev added."""

    kind: Literal["noise"]
    network: str | None = None
    queue: float = Field(gt=0)


class VolumeCap(Strict):
    """The admin console sets clubgate_launch_volume_cap_ratio to `ratio` from `at`."""

    kind: Literal["volume_cap"]
    at: Duration
    ratio: float = Field(ge=0, le=1)


Event = Annotated[
    PassthroughDegradation
    | QueueGrowth
    | QueueDrain
    | PayoutStall
    | WebhookOutage
    | EodStuck
    | Incident
    | Gap
    | CounterReset
    | Noise
    | VolumeCap,
    Field(discriminator="kind"),
]
