"""An inline SVG sparkline of a signal's recent values with its scale: the top and bottom of
the value axis and the first and last time, and the threshold as a dashed, labelled line.

Pure: points in, SVG text out. NaN and infinite values break the line (no data is drawn as
a gap, never as zero). Labels are formatted by the caller (units, time zone).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

WIDTH, HEIGHT, PAD = 300, 64, 4
LEFT, BOTTOM = 40, 13  # room for the value labels and the time labels


def _segments(points: Sequence[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    out: list[list[tuple[float, float]]] = [[]]
    for t, v in points:
        if math.isfinite(v):
            out[-1].append((t, v))
        elif out[-1]:
            out.append([])
    return [s for s in out if s]


def tick(value: float) -> str:
    """A scale label: '1800', '33.5', '0.25' (three significant digits below 1000)."""
    if abs(value) >= 1000 or value == int(value):
        return f"{value:.0f}"
    return f"{value:.3g}"


def sparkline(
    points: Sequence[tuple[float, float]],
    threshold: float | None = None,
    label: str = "",
    value_text: Callable[[float], str] = tick,
    time_text: Callable[[float], str] = lambda t: "",
) -> str:
    """SVG of (unix seconds, value) points; '' when fewer than two finite points.
    `value_text` labels the value axis (in the caption's unit), `time_text` the time axis."""
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
    bottom = HEIGHT - BOTTOM

    def x(t: float) -> float:
        return LEFT + (t - t0) / span * (WIDTH - LEFT - PAD)

    def y(v: float) -> float:
        return bottom - PAD - (v - low) / (high - low) * (bottom - 2 * PAD)

    def text(cls: str, tx: float, ty: float, anchor: str, words: str) -> str:
        return (
            f'<text class="{cls}" x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">'
            f"{escape(words)}</text>"
        )

    parts = [
        f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(label)}">',
        f'<line class="axis" x1="{LEFT - 2}" x2="{LEFT - 2}" y1="{PAD}" y2="{bottom - PAD}"/>',
        text("scale max", LEFT - 5, PAD + 7, "end", value_text(high)),
        text("scale min", LEFT - 5, bottom - PAD, "end", value_text(low)),
        text("scale from", LEFT, HEIGHT - 2, "start", time_text(t0)),
        text("scale to", WIDTH - PAD, HEIGHT - 2, "end", time_text(t1)),
    ]
    if threshold is not None:
        ty = y(threshold)
        parts.append(
            f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - PAD}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
        )
        above = ty - 3 if ty > PAD + 12 else ty + 10
        parts.append(text("scale threshold", WIDTH - PAD, above, "end", value_text(threshold)))
    for seg in segments:
        coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in seg)
        parts.append(f'<polyline class="line" points="{coords}"/>')
    lt, lv = finite[-1]
    parts.append(f'<circle class="last" cx="{x(lt):.1f}" cy="{y(lv):.1f}" r="2.5"/>')
    parts.append("</svg>")
    return "".join(parts)
