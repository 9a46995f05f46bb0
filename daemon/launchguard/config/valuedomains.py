"""Value domains (DESIGN §1): the values a signal's samples can plausibly take.

Each signal declares one in config (`signals.<name>.domain`); a sample outside it is invalid
and counts as absent. ±Inf and NaN are outside every domain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from launchguard.config.durations import Duration

DomainKind = Literal["ratio", "duration", "count", "timestamp", "gauge"]

EXACT_INTEGERS = 2.0**53
"""The default bound of counts and durations: beyond it a float no longer holds every
integer, so no real count gets there; 1e308 in a count is hostile data, not 1e308 events."""

RATIO_SLACK = 1e-9
"""A ratio may exceed 1 by this much: sums of the same increases taken in another order
(Prometheus aggregates series in hash order) can differ in their last bit."""


class DomainSettings(BaseModel):
    """The `domains` config section: the bounds of the domains that have configurable ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timestamp_min: datetime = Field(
        default=datetime(2000, 1, 1, tzinfo=UTC),
        description="the earliest plausible unix time of a timestamp signal (inclusive)",
    )
    timestamp_max: datetime = Field(
        default=datetime(2100, 1, 1, tzinfo=UTC),
        description="the latest plausible unix time of a timestamp signal (inclusive)",
    )
    count_max: float = Field(
        default=EXACT_INTEGERS,
        gt=0,
        description="the largest plausible count (2^53: floats hold every integer up to it)",
    )
    duration_max: Duration = Field(
        default=EXACT_INTEGERS, gt=0, description="the largest plausible duration, seconds"
    )

    @field_validator("timestamp_min", "timestamp_max")
    @classmethod
    def _utc_when_naive(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value

    @field_validator("count_max", "duration_max")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):  # ±Inf is outside every domain
            raise ValueError("must be a finite number")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> DomainSettings:
        if self.timestamp_min >= self.timestamp_max:
            raise ValueError("timestamp_min must be before timestamp_max")
        return self


@dataclass(frozen=True)
class ValueDomain:
    """A signal's domain as bounds: a sample is valid when finite and low ≤ value ≤ high."""

    kind: DomainKind
    low: float
    high: float
    text: str  # for people: "a ratio in [0, 1]"

    def why_invalid(self, value: float) -> str | None:
        """None when `value` is in the domain, else why not ('-Inf is not a ratio in [0, 1]')."""
        if self.low <= value <= self.high:  # False for NaN; the bounds are finite
            return None
        return "NaN" if value != value else f"{_number(value)} is not {self.text}"


_LARGEST = 1.7976931348623157e308  # sys.float_info.max: every finite float is ≤ it


def value_domain(kind: DomainKind, settings: DomainSettings) -> ValueDomain:
    """The bounds of `kind` with the config's settings."""
    if kind == "ratio":
        return ValueDomain(kind, 0.0, 1.0 + RATIO_SLACK, "a ratio in [0, 1]")
    if kind == "duration":
        high = settings.duration_max
        return ValueDomain(kind, 0.0, high, f"a duration in [0, {high:.4g}] s")
    if kind == "count":
        high = settings.count_max
        return ValueDomain(kind, 0.0, high, f"a count in [0, {high:.4g}]")
    if kind == "timestamp":
        first, last = settings.timestamp_min, settings.timestamp_max
        text = f"a plausible unix time ({first:%Y-%m-%d} … {last:%Y-%m-%d})"
        return ValueDomain(kind, first.timestamp(), last.timestamp(), text)
    return ValueDomain(kind, -_LARGEST, _LARGEST, "a finite number")


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return f"{value:.6g}"
