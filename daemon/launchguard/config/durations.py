"""Durations in config: ``"15m"``, ``"24h"``, ``"1h30m"``, ``"30s"`` or a number of seconds."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def parse_duration(value: object) -> float:
    """Return the duration in seconds; reject negative, empty or malformed values."""
    seconds = parse_signed_duration(value)
    if seconds < 0:
        raise ValueError(f"negative duration {value!r}")
    return seconds


def parse_signed_duration(value: object) -> float:
    """Like `parse_duration`, but ``"-14d"`` is allowed (offsets relative to T0)."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '15m'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("empty duration")
        if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
            seconds = float(text)
        else:
            sign = -1.0 if text.startswith("-") else 1.0
            text = text.lstrip("+-")
            pos = 0
            seconds = 0.0
            for match in _PART.finditer(text):
                if match.start() != pos:
                    break
                seconds += float(match.group(1)) * _UNITS[match.group(2)]
                pos = match.end()
            if pos != len(text) or pos == 0:
                raise ValueError(f"malformed duration {value!r} (use e.g. '30s', '15m', '24h')")
            seconds *= sign
    else:
        raise ValueError("a duration is a number of seconds or a string like '15m'")
    return seconds


def format_duration(seconds: float) -> str:
    """Render seconds as a PromQL duration (``900`` → ``"15m"``)."""
    whole = round(seconds)
    if whole <= 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            out.append(f"{whole // size}{unit}")
            whole %= size
    return "".join(out)


Duration = Annotated[float, BeforeValidator(parse_duration)]
"""A duration in seconds, written in config as ``"15m"`` or a number of seconds."""

SignedDuration = Annotated[float, BeforeValidator(parse_signed_duration)]
"""An offset in seconds that may be negative (``"-14d"``)."""
