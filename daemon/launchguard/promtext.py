"""Numbers as Prometheus' text formats write them, for the OpenMetrics histories the scenario
library writes and the promtool test files the rule generator writes. Pure."""

from __future__ import annotations

import math


def format_le(bound: float) -> str:
    """A bucket bound as prometheus_client's `floatToGoString` writes it: 900 → `900.0`,
    +Inf → `+Inf`, 1e6 → `1e+06`."""
    bound = float(bound)
    if math.isinf(bound):
        return "+Inf" if bound > 0 else "-Inf"
    if math.isnan(bound):
        return "NaN"
    text = repr(bound)
    dot = text.find(".")
    # Go switches to exponent notation sooner than Python does.
    if bound > 0 and dot > 6:
        mantissa = f"{text[0]}.{text[1:dot]}{text[dot + 1 :]}".rstrip("0.")
        return f"{mantissa}e+0{dot - 1}"
    return text
