"""A scenario's expected decisions (`NAME.expected.yaml` beside `NAME.yaml`) and the
comparison with what a backtest decided, as a readable table.

Times are offsets from the scenario start. Rollback decisions (`partial_rollback`,
`full_rollback`) must match one to one: same criterion and scope, `opened` and `resolved`
within the tolerance (`resolved: null`: still open at the scenario's end). Each expected
inconclusive span must lie inside one reported span of the same criterion and scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from launchguard.config.durations import Duration, format_duration
from launchguard.config.loader import ConfigError
from launchguard.config.models import Strict
from launchguard.sim.scenario import problem_of, read_yaml, scenario_path

ROLLBACK_KINDS = ("partial_rollback", "full_rollback")


class ExpectedDecision(Strict):
    criterion: str
    scope: dict[str, str] = Field(default_factory=dict, description="{} for global")
    opened: Duration = Field(description="offset from the scenario start")
    resolved: Duration | None = Field(description="offset, or null: open at the end")
    tolerance: Duration | None = Field(default=None, description="overrides the file's")


class ExpectedSpan(Strict):
    criterion: str
    scope: dict[str, str] = Field(default_factory=dict)
    from_: Duration = Field(alias="from", description="inconclusive at least from this offset")
    to: Duration = Field(description="… up to this offset")


class Expected(Strict):
    tolerance: Duration = Field(default=60.0, description="for every time, seconds")
    decisions: list[ExpectedDecision] = Field(default_factory=list)
    inconclusive: list[ExpectedSpan] = Field(default_factory=list)


def expected_path(name_or_path: str) -> Path:
    path = scenario_path(name_or_path)
    return path.with_name(path.name.removesuffix(".yaml") + ".expected.yaml")


def load_expected(name_or_path: str) -> Expected:
    path = expected_path(name_or_path)
    try:
        return Expected.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(str(path), [problem_of(e) for e in exc.errors()]) from None


@dataclass(frozen=True)
class Actual:
    """A decision of the backtest, times as offsets from the scenario start (seconds)."""

    criterion: str
    scope: Mapping[str, str]
    opened: float
    resolved: float | None


def _fmt(offset: float | None) -> str:
    if offset is None:
        return "open"
    return format_duration(offset) if offset > 0 else "0s"


def _scope(scope: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(scope.items())) or "global"


def _close(a: float | None, b: float | None, tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol + 1e-6


def compare(expected: Expected, actual: Sequence[Actual], spans: Sequence[Any]) -> list[str]:
    """Mismatches as table lines (empty: everything matched). `spans` are
    (criterion, scope, from offset, to offset) of the reported inconclusive spans."""
    left = list(actual)
    rows: list[tuple[str, str, str, str, str]] = []
    bad = False
    for e in expected.decisions:
        tol = e.tolerance if e.tolerance is not None else expected.tolerance
        match = next(
            (
                a
                for a in left
                if a.criterion == e.criterion
                and dict(a.scope) == e.scope
                and _close(a.opened, e.opened, tol)
                and _close(a.resolved, e.resolved, tol)
            ),
            None,
        )
        want = f"{_fmt(e.opened)} → {_fmt(e.resolved)} (±{format_duration(tol)})"
        if match is None:
            bad = True
            rows.append(("MISSING", e.criterion, _scope(e.scope), want, "-"))
        else:
            left.remove(match)
            got = f"{_fmt(match.opened)} → {_fmt(match.resolved)}"
            rows.append(("ok", e.criterion, _scope(e.scope), want, got))
    for a in left:
        bad = True
        got = f"{_fmt(a.opened)} → {_fmt(a.resolved)}"
        rows.append(("UNEXPECTED", a.criterion, _scope(a.scope), "-", got))
    for s in expected.inconclusive:
        covered = any(
            c == s.criterion and dict(sc) == s.scope and lo <= s.from_ and hi >= s.to
            for c, sc, lo, hi in spans
        )
        want = f"inconclusive {_fmt(s.from_)} … {_fmt(s.to)}"
        found = [
            f"{_fmt(lo)} … {_fmt(hi)}"
            for c, sc, lo, hi in spans
            if c == s.criterion and dict(sc) == s.scope
        ]
        bad = bad or not covered
        status = "ok" if covered else "NOT COVERED"
        rows.append((status, s.criterion, _scope(s.scope), want, "; ".join(found) or "-"))
    if not bad:
        return []
    head = ("", "criterion", "scope", "expected", "actual")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]]
