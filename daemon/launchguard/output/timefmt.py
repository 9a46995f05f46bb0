"""Times for output: RFC 3339 UTC in JSON, the launch's zone (Warsaw) for people."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from launchguard.config.domain import Launch
from launchguard.core.frames import Tick, seconds


def rfc3339(t: Tick) -> str:
    """'2026-11-22T10:00:00Z' (milliseconds shown only when not whole seconds)."""
    dt = datetime.fromtimestamp(seconds(t), tz=UTC)
    if t % 1000:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t % 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def local(t: Tick, zone: str) -> str:
    """'2026-11-22 11:00:00 CET' in the launch's zone."""
    return datetime.fromtimestamp(seconds(t), tz=ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def in_zone(launch: Launch) -> Callable[[Tick], str]:
    """`local` in the launch's zone, for texts the core writes with a time for people."""
    return partial(local, zone=launch.timezone)


def json_number(value: float) -> float | str:
    """JSON has no NaN or infinities: those become Prometheus' spellings as strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value
