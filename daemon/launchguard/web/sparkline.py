"""An inline SVG sparkline of a signal's recent values, with its threshold as a dashed line.

Pure: points in, SVG text out. NaN and infinite values break the line (no data is drawn as
a gap, never as zero).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, PAD = 260, 56, 4


def _segments(points: Sequence[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    out: list[list[tuple[float, float]]] = [[]]
    for t, v in points:
        if math.isfinite(v):
            out[-1].append((t, v))
        elif out[-1]:
            out.append([])
    return [s for s in out if s]


def sparkline(
    points: Sequence[tuple[float, float]], threshold: float | None = None, label: str = ""
) -> str:
    """SVG of (unix seconds, value) points; '' when fewer than two finite points."""
    segments = _segments(points)
    finite = [p for s in segments for p in s]
    if len(finite) < 2:
        return ""
    t0, t1 = finite[0][0], finite[-1][0]
    values = [v for _, v in finite] + ([threshold] if threshold is not None else [])
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    span = max(t1 - t0, 1e-9)

    def x(t: float) -> float:
        return PAD + (t - t0) / span * (WIDTH - 2 * PAD)

    def y(v: float) -> float:
        return HEIGHT - PAD - (v - low) / (high - low) * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(label)}">'
    ]
    if threshold is not None:
        ty = f"{y(threshold):.1f}"
        parts.append(f'<line class="threshold" x1="{PAD}" x2="{WIDTH - PAD}" y1="{ty}" y2="{ty}"/>')
    for seg in segments:
        coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in seg)
        parts.append(f'<polyline class="line" points="{coords}"/>')
    lt, lv = finite[-1]
    parts.append(f'<circle class="last" cx="{x(lt):.1f}" cy="{y(lv):.1f}" r="2.5"/>')
    parts.append("</svg>")
    return "".join(parts)
