"""One-line English summaries of a verdict's evidence, for tables, alerts and the warroom."""

from __future__ import annotations

import math

from launchguard.core import guardrail, sla
from launchguard.core.frames import NoData, Reading, seconds
from launchguard.core.verdicts import Observation, Verdict


def fmt_value(value: Reading) -> str:
    """A reading for people: 'no data (absent)', 'no data (invalid: -Inf is not a ratio in
    [0, 1])', '+Inf', '2400', '0.9731'."""
    if isinstance(value, NoData):
        return (
            f"no data ({value.reason}: {value.detail})"
            if value.detail
            else f"no data ({value.reason})"
        )
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.4g}"


def _at(o: Observation) -> str:
    if o.offset == 0:
        return "now"
    return f"{int(o.offset // 60)} min ago"


def _series(verdict: Verdict, signal: str) -> str:
    parts = [f"{fmt_value(o.value)} ({_at(o)})" for o in verdict.observations if o.signal == signal]
    return ", ".join(parts)


def summary(verdict: Verdict) -> str:
    """What the operands were and what they were compared with."""
    th = verdict.thresholds
    names = list(dict.fromkeys(o.signal for o in verdict.observations))
    if verdict.criterion.startswith("sla_"):
        return sla.summary(verdict)
    if verdict.criterion == guardrail.CRITERION:
        return guardrail.summary(verdict)
    if verdict.criterion == "all_networks":
        parts = [f"{d['network']}: {d['criterion']} ({d['decision_id']})" for d in verdict.detail]
        return "partial rollbacks open on every network: " + "; ".join(parts)
    if verdict.criterion == "eod_unsettled" and verdict.detail:
        rows = []
        for d in verdict.detail:
            pair_obs = [o for o in verdict.observations if dict(o.scope).get("pair") == d["pair"]]
            unsettled = [fmt_value(o.value) for o in pair_obs if "cutoff" not in o.signal]
            cutoff = [o.value for o in pair_obs if "cutoff" in o.signal]
            age = ""
            if cutoff and not isinstance(cutoff[0], NoData):
                age = f", {int((seconds(verdict.at) - cutoff[0]) // 60)} min since cut-off"
            elif cutoff:
                age = f", cut-off {fmt_value(cutoff[0])}"
            rows.append(f"pair {d['pair']}: unsettled {' → '.join(unsettled)}{age}")
        limit = th.get("min_since_cutoff")
        suffix = f" (limit {int(limit // 60)} min)" if limit is not None else ""
        return "; ".join(rows) + suffix
    text = "; ".join(f"{name} {_series(verdict, name)}" for name in names)
    if th:
        text += " [" + ", ".join(f"{k} {fmt_value(v)}" for k, v in th.items()) + "]"
    return text
