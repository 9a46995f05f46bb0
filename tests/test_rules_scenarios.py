"""The generated rules over the whole scenario library in one real Prometheus: every
recording and alerting rule of `rules/launchguard.rules.yml` evaluates on it, and each
fallback rollback alert (`LaunchFallback*`) fires on the same scenarios, scopes and times as
the decisions of `launchguard backtest`.

How an alert is evaluated: its expression (recording rules inlined) goes through
`query_range` over the backtest's own evaluation times (start - lookback … end, at the rule
group's interval, which is also the backtest's `--step`), and Prometheus' alert state
machine is applied to the answer. The fallback rules have no `for` and carry
`keep_firing_for: clear_for`; Prometheus 2.42's rule manager (rules/alerting.go) starts the
keep-firing clock at the first evaluation without the series, restarts it when the series
returns, and resolves at the first evaluation ≥ keep_firing_for later: last true + step +
clear_for (checked with `promtool test rules` on a flapping series).

What is asserted, per scenario and (criterion, scope):
- opening: each firing interval opens at a decision's opened_at within one step, and each
  decision has one; a quiet scenario (no expected decision) has no fallback alert true at
  any evaluation;
- scope: the decision's scope is the alert's labels. `eod_unsettled` fires per (network,
  pair) while the daemon decides per network: it is compared per network (the union of the
  network's pairs), and every pair the decision's evidence lists opens its own alert then;
- resolution: the daemon resolves at the first evaluation after clear_for of unbroken
  *clear*, which is the alert's resolution when the criterion goes from fired to clear:
  equal within one step. Inconclusive (absent data) breaks the daemon's clear run but not
  the alert's keep-firing clock (no series is no series), so where the criterion is
  inconclusive between the alert's last true evaluation and the daemon's resolution, the
  alert resolves no later than the daemon; if it resolves while the decision stays open,
  a later firing interval within that decision is a re-page, not a new decision;
- inconclusive: while the daemon reports the criterion inconclusive the expression is
  false (no series), and no alert opens during an exporter gap: missing data never pages.
  A firing alert may still be held by keep_firing_for there, as the daemon holds its
  decision open.
`all_networks` is no alert (Alertmanager groups the partial rollbacks): not compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from launchguard import names
from launchguard.config.durations import format_duration, parse_duration
from launchguard.config.loader import load
from launchguard.generate.render import RULES_FILE
from launchguard.harness.servers import PrometheusServer
from launchguard.sim.events import Gap
from launchguard.sim.scenario import load_scenario
from rulesday import inline
from scenariolibrary import NAMES, serve_library

from expected import load_expected
from launchdays import backtest, unix

pytestmark = pytest.mark.prometheus

RULES = yaml.safe_load((Path(__file__).resolve().parents[1] / RULES_FILE).read_text())
RECORDED = {r["record"]: r["expr"] for g in RULES["groups"] for r in g["rules"] if "record" in r}
LOOKBACK = load().config.evaluation.lookback
Scope = tuple[tuple[str, str], ...]  # sorted labels without `pair`: the daemon's scope


@dataclass(frozen=True)
class Fallback:
    criterion: str
    alert: str
    expr: str  # recording rules inlined
    keep: float  # keep_firing_for, seconds


def _fallbacks() -> tuple[float, list[Fallback]]:
    """The fallback group's interval (seconds) and its alerts, as the generated file has them."""
    criterion_of = {alert: criterion for criterion, alert in names.FALLBACK_ALERTS.items()}
    (group,) = (g for g in RULES["groups"] if g["name"] == names.RULE_GROUP_FALLBACK)
    out = []
    for rule in group["rules"]:
        assert "for" not in rule, f"{rule['alert']}: a `for` would delay the page"
        keep = parse_duration(rule.get("keep_firing_for", 0))
        expr = inline(rule["expr"], RECORDED)
        out.append(Fallback(criterion_of[rule["alert"]], rule["alert"], expr, keep))
    assert sorted(f.alert for f in out) == sorted(names.FALLBACK_ALERTS.values())
    return parse_duration(group["interval"]), out


STEP, FALLBACKS = _fallbacks()


@dataclass(frozen=True)
class Firing:
    opened: float
    last_true: float
    resolved: float | None  # None: still firing at the end of the range


def firings(true_at: list[float], keep: float, end: float) -> list[Firing]:
    """Prometheus' firing intervals from the evaluation times the expression returned the
    series: true again within step + keep of the last true time, the alert never resolved."""
    runs: list[list[float]] = []
    for t in sorted(true_at):
        if runs and t - runs[-1][1] <= STEP + keep:
            runs[-1][1] = t
        else:
            runs.append([t, t])
    return [Firing(a, b, b + STEP + keep if b + STEP + keep <= end else None) for a, b in runs]


Truth = dict[Scope, dict[str, list[float]]]
"""scope → pair ("" for alerts without `pair`) → the times the expression returned it."""


def truth(server: PrometheusServer, rule: Fallback, first: float, end: float) -> Truth:
    out: Truth = {}
    for series in server.query_range(rule.expr, first, end, STEP):
        labels = dict(series["metric"])
        pair = labels.pop(names.LABEL_PAIR, "")
        out.setdefault(scope_of(labels), {})[pair] = [float(t) for t, _ in series["values"]]
    return out


def scope_of(labels: dict[str, str]) -> Scope:
    return tuple(sorted(labels.items()))


@dataclass
class Comparison:
    """One scenario's fallback alerts against its backtest; `problems` are readable lines
    (times as offsets from the scenario start)."""

    start: float
    begin: float  # the backtest's reported range
    end: float
    doc: dict[str, Any]
    gaps: list[tuple[str | None, float, float]]  # (network, or None for all; from; to)
    problems: list[str] = field(default_factory=list)

    def offset(self, t: float | None) -> str:
        return "open" if t is None else format_duration(t - self.start)

    def fail(self, rule: Fallback, scope: Scope, text: str) -> None:
        where = ",".join(f"{k}={v}" for k, v in scope) or "global"
        self.problems.append(f"{rule.alert} [{where}]: {text}")

    def check(self, rule: Fallback, found: Truth) -> None:
        decisions = [d for d in self.doc["decisions"] if d["criterion"] == rule.criterion]
        spans = [s for s in self.doc["inconclusive"] if s["criterion"] == rule.criterion]
        for scope in sorted({scope_of(d["scope"]) for d in decisions} | set(found)):
            pairs = found.get(scope, {})
            every = sorted({t for times in pairs.values() for t in times})
            # The backtest reports the decisions still open at its start (opened in the
            # replayed lookback) and later ones: the same filter for the alert's intervals.
            left = [
                f
                for f in firings(every, rule.keep, self.end)
                if f.resolved is None or f.resolved >= self.begin
            ]
            mine = [s for s in spans if scope_of(s["scope"]) == scope]
            held: list[tuple[float, float]] = []
            for d in (d for d in decisions if scope_of(d["scope"]) == scope):
                opened = unix(d["opened_at"])
                match = next((f for f in left if abs(f.opened - opened) <= STEP), None)
                if match is None:
                    self.fail(rule, scope, f"decision opens {self.offset(opened)}, no alert then")
                    continue
                left.remove(match)
                if self._resolution(rule, scope, d, match, mine):
                    resolved = None if d["resolved_at"] is None else unix(d["resolved_at"])
                    held.append((opened, self.end if resolved is None else resolved))
                self._pairs(rule, scope, d, pairs)
            for f in left:
                if any(lo < f.opened < hi for lo, hi in held):
                    continue  # a re-page of a decision held open while inconclusive
                span = f"{self.offset(f.opened)} → {self.offset(f.resolved)}"
                self.fail(rule, scope, f"fires {span} with no decision")
            self._silent(rule, scope, every, mine)

    def _resolution(
        self, rule: Fallback, scope: Scope, d: dict[str, Any], f: Firing, spans: list[Any]
    ) -> bool:
        """Check the decision's resolution against the alert's; True when the criterion was
        inconclusive in between (the decision held open, the alert not)."""
        resolved = None if d["resolved_at"] is None else unix(d["resolved_at"])
        until = self.end if resolved is None else resolved
        held = any(unix(s["from"]) <= until and unix(s["to"]) >= f.last_true for s in spans)
        if held:  # inconclusive after the last firing: the alert resolves no later
            ok = resolved is None or (f.resolved is not None and f.resolved <= resolved + STEP)
        elif resolved is None or f.resolved is None:
            ok = resolved is None and f.resolved is None
        else:
            ok = abs(f.resolved - resolved) <= STEP
        if not ok:
            self.fail(
                rule,
                scope,
                f"decision resolves {self.offset(resolved)}, alert {self.offset(f.resolved)}"
                + (" (inconclusive between)" if held else ""),
            )
        return held

    def _pairs(
        self, rule: Fallback, scope: Scope, d: dict[str, Any], pairs: dict[str, list[float]]
    ) -> None:
        opened = unix(d["opened_at"])
        opening = {
            pair
            for pair, times in pairs.items()
            if any(abs(f.opened - opened) <= STEP for f in firings(times, rule.keep, self.end))
        }
        listed = {
            x[names.LABEL_PAIR] for x in d["evidence"].get("detail", []) if names.LABEL_PAIR in x
        }
        if not listed <= opening:
            self.fail(
                rule, scope, f"evidence pairs {sorted(listed)}, alert opens {sorted(opening)}"
            )

    def _silent(self, rule: Fallback, scope: Scope, every: list[float], spans: list[Any]) -> None:
        for s in spans:
            lo, hi = unix(s["from"]), unix(s["to"])
            true = [t for t in every if lo <= t <= hi]
            if true:
                when = f"{self.offset(lo)} … {self.offset(hi)}"
                self.fail(rule, scope, f"true at {self.offset(true[0])} while inconclusive {when}")
        network = dict(scope).get(names.LABEL_NETWORK)
        for gap_network, lo, hi in self.gaps:
            if gap_network is not None and gap_network != network:
                continue
            for f in firings(every, rule.keep, self.end):
                if lo <= f.opened <= hi:
                    gap = f"{self.offset(lo)} … {self.offset(hi)}"
                    self.fail(rule, scope, f"opens {self.offset(f.opened)} in the gap {gap}")


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PrometheusServer, dict[str, float]]]:
    server, starts = serve_library(tmp_path_factory.mktemp("scenarios"))
    yield server, starts
    server.stop()


def test_every_recording_and_alerting_rule_evaluates_over_the_library(
    library: tuple[PrometheusServer, dict[str, float]],
) -> None:
    server, starts = library
    first = min(starts.values())
    end = max(start + load_scenario(name).duration for name, start in starts.items())
    rules = [r for g in RULES["groups"] for r in g["rules"]]

    def evaluate(rule: dict[str, Any]) -> list[Any]:
        # Each rule once over the ~150 h library: 30-min steps see every scenario, and keep
        # the 30-day budget windows cheap.
        return server.query_range(inline(rule["expr"], RECORDED), first, end, 1800)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(evaluate, rules))
    results = {r.get("record") or r["alert"]: a for r, a in zip(rules, answers, strict=True)}
    # The library writes every input a signal reads (tickets too, in launch_day).
    assert [r for r in RECORDED if not results[r]] == []
    assert [a for a in names.FALLBACK_ALERTS.values() if not results[a]] == []


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_fallback_alerts_page_with_the_daemons_decisions(
    library: tuple[PrometheusServer, dict[str, float]], name: str
) -> None:
    server, starts = library
    scenario, start = load_scenario(name), starts[name]
    begin, end = start + scenario.backtest_from, start + scenario.duration
    doc = backtest(server, begin, end, "--step", format_duration(STEP))
    gaps = [
        (e.network, start + e.at, start + e.until) for e in scenario.events if isinstance(e, Gap)
    ]
    comparison = Comparison(start, begin, end, doc, gaps)
    first = begin - LOOKBACK // STEP * STEP  # the backtest's first (replayed) evaluation
    found = {rule.alert: truth(server, rule, first, end) for rule in FALLBACKS}
    for rule in FALLBACKS:
        comparison.check(rule, found[rule.alert])
    if not load_expected(name).decisions:
        loud = sorted(alert for alert, scopes in found.items() if scopes)
        comparison.problems += [f"{alert} is true in a quiet scenario" for alert in loud]
    assert not comparison.problems, f"scenario {name}:\n" + "\n".join(comparison.problems)
