"""Values for people, in a language's conventions: durations, percentages, times in the
launch's zone (Warsaw), counts. Units come from templates/units.yaml by signal or threshold
name; nothing here knows a criterion."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from launchguard.notify.catalog import Catalog

_DURATION_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def number(value: float, cat: Catalog, digits: int = 4) -> str:
    """'2400', '0.9731' ('0,9731' in Russian), '+Inf'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = str(int(value)) if value == int(value) and abs(value) < 1e12 else f"{value:.{digits}g}"
    return text.replace(".", str(cat.raw("numbers", "decimal")))


def duration(seconds: float, cat: Catalog) -> str:
    """'1 h 30 min' ('1 ч 30 мин'); at most the two largest units, rounded to seconds."""
    if math.isnan(seconds) or math.isinf(seconds):
        return number(seconds, cat)
    left = round(abs(seconds))
    if left == 0:
        return f"0 {cat.raw('durations', 's')}"
    parts = []
    for unit, size in _DURATION_UNITS:
        if left >= size:
            parts.append(f"{left // size} {cat.raw('durations', unit)}")
            left %= size
    return ("-" if seconds < 0 else "") + " ".join(parts[:2])


def percent(ratio: float, cat: Catalog) -> str:
    """0.9731 → '97.31 %' (two decimals at most, trailing zeros dropped)."""
    if math.isnan(ratio) or math.isinf(ratio):
        return number(ratio, cat)
    text = f"{ratio * 100:.2f}".rstrip("0").rstrip(".")
    value = text.replace(".", str(cat.raw("numbers", "decimal")))
    return cat.render("numbers", "percent", value=value)


def usd(value: float, cat: Catalog) -> str:
    """1234567 → '1,234,567' (Russian: '1 234 567')."""
    text = f"{value:,.0f}"
    return text.replace(",", "\u00a0") if cat.raw("numbers", "decimal") == "," else text


def local_time(unix: float, zone: str) -> str:
    """'2026-11-22 11:00:00 CET': the launch's zone (DESIGN §1: show Warsaw time)."""
    return datetime.fromtimestamp(unix, tz=ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def utc_time(unix: float) -> str:
    return datetime.fromtimestamp(unix, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> float:
    """RFC 3339 UTC (the JSON of DESIGN §5) → unix seconds."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def value(name: str, raw: object, cat: Catalog, zone: str) -> str:
    """A JSON value (number, 'NaN'/'+Inf' string or None) in the unit of `name`."""
    if raw is None:
        return str(cat.raw("evidence", "unknown"))
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, int | float):
        return str(raw)
    v = float(raw)
    unit = cat.unit(name)
    if unit == "duration":
        return duration(v, cat)
    if unit == "percent":
        return percent(v, cat)
    if unit == "timestamp":
        return local_time(v, zone)
    if unit == "usd":
        return usd(v, cat)
    return number(v, cat)


def level(spec: object, cat: Catalog) -> str:
    """A volume level of the JSON ({'level': 'canary', 'ratio': 0.3}) → 'canary (30 %)'."""
    if not isinstance(spec, dict):
        return str(cat.raw("evidence", "unknown"))
    return f"{spec.get('level')} ({percent(float(spec.get('ratio', math.nan)), cat)})"
