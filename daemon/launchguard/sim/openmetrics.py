"""A streaming OpenMetrics writer for `promtool tsdb create-blocks-from openmetrics`.

promtool accepts some inputs and silently drops or misplaces data, so this writer
refuses them instead:

- timestamps are unix seconds (whole ones written as integers, others as decimals);
  a timestamp above `MAX_TIMESTAMP` (year 2286) is rejected, since milliseconds
  would be accepted and land in the year 58862;
- each series must be strictly increasing in time: promtool drops out-of-order and
  duplicate samples without a word, this writer raises `ValueError`;
- a metric family is written once (one `# HELP`/`# TYPE` header, then all its
  samples); a second family with the same name raises `ValueError`;
- histogram bucket labels are written as prometheus_client writes them
  (`le="900.0"`, `le="+Inf"`), so queries matching `le` exactly find them;
- `close()` writes the final `# EOF`.

Samples are written as they come from the caller's iterables: a multi-day history
of thousands of series never has to be held in memory. Prometheus keeps
milliseconds, so timestamps of one series should be at least 1 ms apart.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from launchguard.promtext import format_le

Labels = Mapping[str, str]
Point = tuple[float, float]
"""(unix seconds, value)."""
HistogramPoint = tuple[float, Sequence[float], float, float]
"""(unix seconds, cumulative bucket counts ending with +Inf, sum, count)."""

MAX_TIMESTAMP = 10_000_000_000.0
"""Largest accepted timestamp, unix seconds (year 2286)."""

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_SPECIAL_VALUES = {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}
_FLUSH_LINES = 4096


def format_value(value: float) -> str:
    """A sample value as OpenMetrics text: shortest round-trip repr, `NaN`, `+Inf`, `-Inf`."""
    text = repr(float(value))
    return _SPECIAL_VALUES.get(text, text)


def escape_label_value(value: str) -> str:
    """Escapes backslash, double quote and line feed as OpenMetrics requires."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _label_text(labels: Labels, *, reserved: tuple[str, ...] = ()) -> str:
    """`k="v",…` sorted by name, without braces; '' for no labels."""
    parts = []
    for name, value in sorted(labels.items()):
        if not _LABEL_NAME.match(name) or name.startswith("__"):
            raise ValueError(f"invalid label name {name!r}")
        if name in reserved:
            raise ValueError(f"label {name!r} is reserved here")
        parts.append(f'{name}="{escape_label_value(value)}"')
    return ",".join(parts)


def _selector(name: str, label_text: str, extra: str = "") -> str:
    inner = ",".join(p for p in (label_text, extra) if p)
    return f"{name}{{{inner}}} " if inner else f"{name} "


def _format_timestamp(t: float) -> str:
    whole = int(t)
    return str(whole) if whole == t else repr(float(t))


class OpenMetricsWriter:
    """Writes metric families to `out`, one family at a time, then `# EOF` on `close()`.

    Each `series` argument is an iterable of `(labels, points)`; points are consumed
    lazily and written in chunks. Values may be NaN or ±Inf.
    """

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._families: set[str] = set()
        self._sample_names: set[str] = set()
        self._closed = False

    def gauge(self, name: str, help: str, series: Iterable[tuple[Labels, Iterable[Point]]]) -> None:
        """Writes a gauge family; each point is (unix seconds, value)."""
        self._header(name, "gauge", help, [name])
        seen: set[str] = set()
        for labels, points in series:
            self._write_points(_selector(name, self._labels_once(labels, seen)), points)

    def counter(
        self, name: str, help: str, series: Iterable[tuple[Labels, Iterable[Point]]]
    ) -> None:
        """Writes a counter family as `name_total` samples; `name` may carry `_total` or not.

        Values are written as given: a drop is a counter reset, as Prometheus reads it.
        """
        family = name.removesuffix("_total")
        self._header(family, "counter", help, [f"{family}_total"])
        seen: set[str] = set()
        for labels, points in series:
            selector = _selector(f"{family}_total", self._labels_once(labels, seen))
            self._write_points(selector, points)

    def histogram(
        self,
        name: str,
        help: str,
        buckets: Sequence[float],
        series: Iterable[tuple[Labels, Iterable[HistogramPoint]]],
    ) -> None:
        """Writes a histogram family as `_bucket`, `_count` and `_sum` samples.

        `buckets` are the finite upper bounds, ascending (a trailing +Inf is allowed
        and ignored). Each point is (unix seconds, cumulative counts, one per bound
        followed by the +Inf count, sum of observed values, count); `count` must
        equal the +Inf count.
        """
        bounds = [float(b) for b in buckets]
        if bounds and math.isinf(bounds[-1]) and bounds[-1] > 0:
            bounds.pop()
        if any(math.isnan(b) or math.isinf(b) for b in bounds) or any(
            a >= b for a, b in itertools.pairwise(bounds)
        ):
            raise ValueError(f"histogram {name}: bounds must be finite and ascending: {buckets}")
        les = [*(format_le(b) for b in bounds), "+Inf"]
        self._header(name, "histogram", help, [f"{name}_{s}" for s in ("bucket", "count", "sum")])
        seen: set[str] = set()
        for labels, points in series:
            label_text = self._labels_once(labels, seen, reserved=("le",))
            bucket_prefixes = [_selector(f"{name}_bucket", label_text, f'le="{le}"') for le in les]
            self._write_histogram_points(
                name,
                bucket_prefixes,
                _selector(f"{name}_count", label_text),
                _selector(f"{name}_sum", label_text),
                points,
            )

    def close(self) -> None:
        """Writes `# EOF`; further writes raise. The stream itself is left open."""
        if not self._closed:
            self._out.write("# EOF\n")
            self._closed = True

    def _header(self, name: str, kind: str, help: str, sample_names: list[str]) -> None:
        if self._closed:
            raise ValueError("writer is closed")
        if not _METRIC_NAME.match(name):
            raise ValueError(f"invalid metric name {name!r}")
        if name in self._families or self._sample_names.intersection(sample_names):
            raise ValueError(f"metric family {name} already written; families cannot interleave")
        self._families.add(name)
        self._sample_names.update(sample_names)
        self._out.write(f"# HELP {name} {_escape_help(help)}\n# TYPE {name} {kind}\n")

    @staticmethod
    def _labels_once(labels: Labels, seen: set[str], *, reserved: tuple[str, ...] = ()) -> str:
        text = _label_text(labels, reserved=reserved)
        if text in seen:
            raise ValueError(f"series {{{text}}} appears twice in one family")
        seen.add(text)
        return text

    def _write_points(self, prefix: str, points: Iterable[Point]) -> None:
        write = self._out.write
        special = _SPECIAL_VALUES
        buf: list[str] = []
        prev = -math.inf
        last: object = None
        text = ""
        for t, value in points:
            if not prev < t <= MAX_TIMESTAMP:
                _raise_bad_time(prefix, prev, t)
            prev = t
            # Long histories repeat values: format a value only when it changes (±0 and NaN
            # always, since they compare equal or unequal to themselves misleadingly).
            if value != last or value == 0:
                v = repr(float(value))
                text = special.get(v, v)
                last = value
            if type(t) is int:
                ts = str(t)
            else:
                whole = int(t)
                ts = str(whole) if whole == t else repr(float(t))
            buf.append(f"{prefix}{text} {ts}\n")
            if len(buf) >= _FLUSH_LINES:
                write("".join(buf))
                buf.clear()
        write("".join(buf))

    def _write_histogram_points(
        self,
        name: str,
        bucket_prefixes: list[str],
        count_prefix: str,
        sum_prefix: str,
        points: Iterable[HistogramPoint],
    ) -> None:
        write = self._out.write
        n_buckets = len(bucket_prefixes)
        buf: list[str] = []
        prev = -math.inf
        for t, counts, total, count in points:
            if not prev < t <= MAX_TIMESTAMP:
                _raise_bad_time(count_prefix, prev, t)
            prev = t
            if len(counts) != n_buckets or counts[-1] != count:
                raise ValueError(
                    f"histogram {name} at {t}: need {n_buckets} cumulative counts ending with"
                    f" the +Inf count equal to count={count}, got {list(counts)}"
                )
            ts = _format_timestamp(t)
            for prefix, c in zip(bucket_prefixes, counts, strict=True):
                buf.append(f"{prefix}{format_value(c)} {ts}\n")
            buf.append(f"{count_prefix}{format_value(count)} {ts}\n")
            buf.append(f"{sum_prefix}{format_value(total)} {ts}\n")
            if len(buf) >= _FLUSH_LINES:
                write("".join(buf))
                buf.clear()
        write("".join(buf))


def _raise_bad_time(prefix: str, prev: float, t: float) -> None:
    series = prefix.strip()
    if math.isnan(t):
        raise ValueError(f"{series}: timestamp is NaN")
    if not t <= MAX_TIMESTAMP:
        raise ValueError(f"{series}: timestamp {t} is not unix seconds (milliseconds?)")
    raise ValueError(
        f"{series}: timestamp {t} does not follow {prev}; each series must be strictly"
        " increasing (promtool silently drops out-of-order and duplicate samples)"
    )


def write_openmetrics(path: Path, write: Callable[[OpenMetricsWriter], None]) -> Path:
    """Creates `path` (UTF-8), lets `write` add families to it, ends it with `# EOF`."""
    with path.open("w", encoding="utf-8") as out:
        writer = OpenMetricsWriter(out)
        write(writer)
        writer.close()
    return path
