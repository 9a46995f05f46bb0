"""Building blocks of the promtool test files: input series on a 1-minute grid written in
promtool's expanding notation, histograms as cumulative buckets, and the expected alerts
with their annotations expanded. Pure."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from launchguard.config.durations import format_duration
from launchguard.generate.alert import Alert
from launchguard.generate.queries import number
from launchguard.promtext import format_le

Values = list[float | None]
"""One value per minute from 0; None: no sample (promtool's `_`)."""

Scope = dict[str, str]


def compress(values: Values) -> str:
    """`[1, 2, 3, None, None, 5]` → `1+1x2 _x2 5` (promtool's expanding notation)."""
    out, i = [], 0
    while i < len(values):
        v = values[i]
        if v is None:
            j = i
            while j + 1 < len(values) and values[j + 1] is None:
                j += 1
            out.append("_" if j == i else f"_x{j - i + 1}")
            i = j + 1
            continue
        if i + 1 < len(values) and values[i + 1] is not None:
            step = values[i + 1] - v  # type: ignore[operator]
            j = i + 1
            while j + 1 < len(values) and values[j + 1] is not None:
                if not math.isclose(values[j + 1] - values[j], step, abs_tol=1e-9):  # type: ignore[operator]
                    break
                j += 1
            if j > i + 1:
                sign = "+" if step >= 0 else "-"
                out.append(f"{number(v)}{sign}{number(abs(step))}x{j - i}")
                i = j + 1
                continue
        out.append(number(v))
        i += 1
    return " ".join(out)


def gauge(length: int, at: Callable[[int], float | None]) -> Values:
    return [at(i) for i in range(length)]


def counter(length: int, per_minute: Callable[[int], float]) -> Values:
    """Cumulative: the value at minute i is the sum of per_minute(1..i)."""
    total = 0.0
    out: Values = []
    for i in range(length):
        if i:
            total += per_minute(i)
        out.append(total)
    return out


def histogram(
    metric: str,
    labels: str,
    bounds: Sequence[float],
    length: int,
    observed: Callable[[int], float],
    per_minute: float = 10.0,
) -> dict[str, Values]:
    """`<metric>_bucket{labels, le}` and `<metric>_count{labels}` where every event of minute
    i has the value `observed(i)` (seconds)."""
    sep = ", " if labels else ""
    out: dict[str, Values] = {}
    for bound in [*sorted(bounds), math.inf]:
        le = format_le(bound)
        out[f'{metric}_bucket{{{labels}{sep}le="{le}"}}'] = counter(
            length, _bucket(observed, bound, per_minute)
        )
    out[f"{metric}_count{{{labels}}}"] = counter(length, lambda _i: per_minute)
    return out


def _bucket(observed: Callable[[int], float], bound: float, n: float) -> Callable[[int], float]:
    """Per-minute increase of the bucket `le=bound`."""
    return lambda i: n if observed(i) <= bound else 0.0


def switch(
    on: bool, when: Callable[[int], bool], then: float, other: float
) -> Callable[[int], float]:
    """`then` at minutes where `on` and `when(i)`, else `other`."""
    return lambda i: then if on and when(i) else other


@dataclass(frozen=True)
class Check:
    """At `at` seconds, exactly these scopes of `alert` fire (none: silent)."""

    at: float
    alert: Alert
    firing: tuple[Scope, ...] = ()
    others: tuple[Alert, ...] = ()  # more rules of the same alert name firing, scope {}


@dataclass(frozen=True)
class Case:
    name: str
    length: int  # minutes of input
    series: dict[str, Values] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()


_LABEL_REF = re.compile(r"\{\{ \$labels\.([A-Za-z_][A-Za-z0-9_]*) \}\}")


def expected(alert: Alert, scope: Scope, runbook: str) -> dict[str, Any]:
    """promtool's `exp_alerts` entry: labels and annotations with `$labels` expanded."""

    def expand(text: str) -> str:
        return _LABEL_REF.sub(lambda m: scope.get(m.group(1), ""), text)

    return {
        "exp_labels": {"severity": alert.severity, **alert.labels, **scope},
        "exp_annotations": {
            "summary": expand(alert.summary),
            "description": expand(alert.description),
            "runbook_url": runbook,
        },
    }


def test_doc(case: Case, runbook: Callable[[str], str]) -> dict[str, Any]:
    """One entry of a promtool file's `tests` list."""
    return {
        "name": case.name,
        "interval": "1m",
        "input_series": [
            {"series": name, "values": compress(values)}
            for name, values in case.series.items()
            if any(v is not None for v in values)
        ],
        "alert_rule_test": [
            {
                "eval_time": format_duration(c.at),
                "alertname": c.alert.name,
                "exp_alerts": [
                    *(expected(c.alert, s, runbook(c.alert.name)) for s in c.firing),
                    *(expected(o, {}, runbook(o.name)) for o in c.others),
                ],
            }
            for c in case.checks
        ],
    }
