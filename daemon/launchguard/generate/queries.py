"""PromQL for the generated rules and dashboards, always rendered from the config's signals
(`LaunchConfig.render_query`), so the daemon, the rules and the dashboards read the same
expressions. Pure text functions: no I/O.
"""

from __future__ import annotations

import re

import promql_parser

from launchguard.config.durations import format_duration
from launchguard.config.models import LaunchConfig

_SUFFIXES = ("_bucket", "_count", "_sum")


def signal(config: LaunchConfig, name: str, window: float | None = None) -> str:
    """The signal's PromQL; with `window`, its `{window}` set to that many seconds instead."""
    if window is None:
        return config.render_query(name)
    spec = config.signals[name].model_copy(update={"window": window})
    signals = {**config.signals, name: spec}
    return config.model_copy(update={"signals": signals}).render_query(name)


def input_metrics(config: LaunchConfig) -> dict[str, str]:
    """Every input metric by key: the `metrics` section and `rules.extra_metrics`."""
    return {**config.metrics.model_dump(), **config.rules.extra_metrics}


def offset(query: str, metrics: list[str], seconds: float) -> str:
    """`query` with ` offset <seconds>` after every selector of one of `metrics` (with an
    optional `_bucket`/`_count`/`_sum` suffix, label matchers and range): the value the
    expression had `seconds` earlier, as the daemon reads `x@(t - offset)`."""
    if seconds <= 0:
        return query
    names = "|".join(re.escape(m) for m in sorted(metrics, key=len, reverse=True))
    suffixes = "|".join(_SUFFIXES)
    pattern = re.compile(
        rf"(?<![A-Za-z0-9_:])(?:{names})(?:{suffixes})?(?![A-Za-z0-9_:])"
        r"(?:\s*\{[^{}]*\})?(?:\s*\[[^\[\]]*\])?"
    )
    shift = format_duration(seconds)
    return pattern.sub(lambda m: f"{m.group(0)} offset {shift}", query)


def shifted(config: LaunchConfig, name: str, seconds: float) -> str:
    """The signal's PromQL as of `seconds` before the evaluation time."""
    return offset(signal(config, name), list(input_metrics(config).values()), seconds)


def number(value: float) -> str:
    """A threshold as PromQL text: `1800`, `0.98`, `0.144` (no float noise)."""
    text = f"{value:.10g}"
    return text


def paren(query: str) -> str:
    return f"({query})"


def window(seconds: float) -> str:
    """A PromQL duration: 3600 → `1h`, 86400 → `1d`."""
    return format_duration(seconds)


COUNTER_SUFFIXES = ("_total", "_bucket", "_count", "_sum")
"""Series names that are cumulative counters (the OpenMetrics naming conventions)."""


def raw_counter_sums(query: str) -> list[str]:
    """The counter series that `query` sums as raw values (`sum(x_total)`, not
    `sum(rate(x_total[5m]))`): a reset of one series drops the whole sum, so such a sum is
    only meaningful to code that takes increases of each series itself."""
    found: list[str] = []

    def visit(node: object, summing: bool) -> None:
        if isinstance(node, promql_parser.AggregateExpr):
            visit(node.expr, summing or str(node.op) == "sum")
        elif isinstance(node, promql_parser.VectorSelector):
            name = node.name or ""
            if summing and name.endswith(COUNTER_SUFFIXES):
                found.append(name)
        elif isinstance(node, promql_parser.BinaryExpr):
            visit(node.lhs, summing)
            visit(node.rhs, summing)
        elif isinstance(node, promql_parser.Call):
            for arg in node.args:
                visit(arg, summing)
        elif isinstance(
            node, promql_parser.ParenExpr | promql_parser.UnaryExpr | promql_parser.SubqueryExpr
        ):
            visit(node.expr, summing)
        # A MatrixSelector is read through a range function (rate, increase, …): fine.

    visit(promql_parser.parse(query), False)
    return sorted(set(found))
