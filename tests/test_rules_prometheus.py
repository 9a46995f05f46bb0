"""The generated rules on a real Prometheus serving a backfilled launch day: every recording
and alerting rule evaluates (query_range of its expression, recording rules inlined), and the
fallback rollback alerts fire on the same scopes and times as the daemon's backtest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from launchguard import names
from launchguard.config.loader import load
from launchguard.config.models import LaunchConfig
from launchguard.generate import fallback, rules
from launchguard.harness.servers import PrometheusServer
from rulesday import FROM, START, TO, inline, serve

from launchdays import backtest, unix

pytestmark = pytest.mark.prometheus

STEP = 30.0
_UNWRITTEN = ("ticket_created", "ticket_stage")  # no support tickets on this day


@pytest.fixture(scope="module")
def config() -> LaunchConfig:
    return load().config


@pytest.fixture(scope="module")
def prom(
    config: LaunchConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrometheusServer]:
    server = serve(config, tmp_path_factory.mktemp("rulesday"))
    yield server
    server.stop()


def _recorded(config: LaunchConfig) -> dict[str, str]:
    doc = rules.build(config)
    return {r["record"]: r["expr"] for g in doc["groups"] for r in g["rules"] if "record" in r}


def test_every_recording_and_alerting_rule_evaluates_over_the_day(
    config: LaunchConfig, prom: PrometheusServer
) -> None:
    recorded = _recorded(config)
    doc = rules.build(config)
    empty = []
    for group in doc["groups"]:
        for rule in group["rules"]:
            result = prom.query_range(inline(rule["expr"], recorded), FROM, TO, 120)
            if not result:
                empty.append(rule.get("record") or rule["alert"])
    # Every signal the day writes has a recorded value, and each fallback alert fires.
    signals = {names.recording_rule(s) for s in config.signals}
    assert sorted(signals & set(empty)) == [names.recording_rule(s) for s in _UNWRITTEN], empty
    for alert in names.FALLBACK_ALERTS.values():
        assert alert not in empty
    assert names.slo_breach_alert("passthrough_p95") not in empty
    assert names.ALERT_DAEMON_DOWN in empty  # the daemon is up all day: silent


def _spans(times: list[float], merge: float) -> list[tuple[float, float]]:
    """(first, last) true times, runs closer than `merge` joined (keep_firing_for)."""
    out: list[list[float]] = []
    for t in sorted(times):
        if out and t - out[-1][1] <= merge:
            out[-1][1] = t
        else:
            out.append([t, t])
    return [(a, b) for a, b in out]


def _alert_spans(
    config: LaunchConfig, prom: PrometheusServer
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    found: dict[tuple[str, str], list[float]] = {}
    by_name = {a.name: a for a in fallback.alerts(config)}
    for criterion, name in names.FALLBACK_ALERTS.items():
        for series in prom.query_range(by_name[name].expr, START, TO, STEP):
            scope = series["metric"].get("network", "")
            found.setdefault((criterion, scope), []).extend(float(t) for t, _ in series["values"])
    merge = config.evaluation.clear_for
    return {key: _spans(times, merge) for key, times in found.items()}


def test_fallback_alerts_fire_on_the_daemons_scopes_and_times(
    config: LaunchConfig, prom: PrometheusServer
) -> None:
    doc: dict[str, Any] = backtest(prom, FROM, TO)
    decisions = [d for d in doc["decisions"] if d["criterion"] in names.FALLBACK_ALERTS]
    assert {d["criterion"] for d in decisions} == set(names.FALLBACK_ALERTS)
    spans = _alert_spans(config, prom)
    daemon = {(d["criterion"], d["scope"].get("network", "")) for d in decisions}
    assert set(spans) == daemon
    clear = config.evaluation.clear_for
    for d in decisions:
        key = (d["criterion"], d["scope"].get("network", ""))
        opened = unix(d["opened_at"])
        match = [s for s in spans[key] if abs(s[0] - opened) <= STEP]
        assert match, (key, d["opened_at"], spans[key])
        first, last = match[0]
        # keep_firing_for: the alert stops one clear time after its last true evaluation;
        # the daemon resolves at the first evaluation after that clear time.
        if d["resolved_at"] is not None:
            assert abs(unix(d["resolved_at"]) - (last + STEP + clear)) <= STEP, (key, d)
        assert first >= START
