"""Progress lines on stderr and the final table on stdout."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

_BEGAN = time.perf_counter()


def progress(message: str) -> None:
    """A timestamped progress line (seconds since the benchmark started) on stderr."""
    print(f"[{time.perf_counter() - _BEGAN:6.1f} s] {message}", file=sys.stderr, flush=True)


def elapsed() -> float:
    return time.perf_counter() - _BEGAN


def verdict(met: bool) -> str:
    return "goal met" if met else "goal MISSED"


@dataclass(frozen=True)
class Row:
    measure: str
    value: str = ""
    goal: str = ""
    verdict: str = ""


def table(title: str, rows: list[Row]) -> str:
    """Rows as aligned columns under a title; a row with an empty value is a section line."""
    head = Row("measure", "value", "goal", "")
    width = [max(len(getattr(r, f)) for r in (head, *rows)) for f in ("measure", "value", "goal")]
    lines = [title, ""]
    for r in [head, *rows]:
        if not r.value and not r.goal:
            lines.append(f"  {r.measure}")
            continue
        cells = (r.measure.ljust(width[0]), r.value.rjust(width[1]), r.goal.ljust(width[2]))
        lines.append(f"  {cells[0]}  {cells[1]}  {cells[2]}  {r.verdict}".rstrip())
    return "\n".join(lines)


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
