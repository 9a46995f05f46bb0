"""What the commands and the HTTP API read from people, parsed in one place: times, durations,
URLs, the config with `--prometheus` over its URL, and "now" on the evaluation grid. A value
that cannot be used is a `UsageError` naming the flag or parameter (exit 2, or a 400)."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from launchguard.config.domain import Launch, with_prometheus_url
from launchguard.config.durations import parse_duration
from launchguard.config.loader import load
from launchguard.config.urls import url_problem


class UsageError(Exception):
    """A flag's value is unusable (exit 2)."""


def parse_time(text: str, flag: str) -> float:
    """RFC 3339 (a missing offset means UTC) or unix seconds → unix seconds."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise UsageError(f"{flag}: {text!r} is neither RFC 3339 nor unix seconds") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def positive_duration(text: str | None, flag: str, default: float) -> float:
    """The flag's duration in seconds ("30s", "1h"), `default` when it is not given; it
    must be positive."""
    try:
        value = parse_duration(text) if text else default
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    if value <= 0:
        raise UsageError(f"{flag}: must be positive")
    return value


def checked_url(text: str, flag: str) -> str:
    """`text` when it is an http(s) URL with a host (`config.urls`, the check every URL of
    the config gets)."""
    problem = url_problem(text)
    if problem is not None:
        raise UsageError(f"{flag}: {problem}")
    return text


def on_grid(now: float, interval: float) -> float:
    """`now` (unix seconds) rounded down to the evaluation grid (multiples of `interval`
    seconds), so ids and opened_at agree with the daemon's cycles."""
    return now // interval * interval


def now_on_grid(interval: float) -> float:
    """The current time on the evaluation grid: the commands' only clock read for "now"."""
    return on_grid(time.time(), interval)


def time_or_now(text: str | None, flag: str, interval: float) -> float:
    """The flag's time, else now on the evaluation grid."""
    return parse_time(text, flag) if text else now_on_grid(interval)


def launch_from(args: argparse.Namespace) -> Launch:
    """The config of --config, with --prometheus over its URL (exit 2 when it is not an
    http(s) URL with a host)."""
    launch = load(args.config)
    if getattr(args, "prometheus", None):
        try:
            launch = with_prometheus_url(launch, args.prometheus)
        except ValueError as exc:
            raise UsageError(f"--prometheus: {exc}") from None
    return launch
