"""The launch reports (DESIGN §3) of a scenario day on a real Prometheus: every figure of the
daily report equals the same figure computed here with raw PromQL over the same range, and
its decisions are the backtest's.

The day: START … START + 7 h (tests/launchdays.py) with the business counters of
`tests/kpis.py` and one support ticket. T0 = START + 1 h (in the config, Warsaw
time); the report covers T0 … END. trc20's pass-through is slow for an hour from T1.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from launchguard.cli import main
from launchguard.harness.servers import PrometheusServer
from launchguard.reports import signing
from launchguard.sim import tickets
from launchguard.sim.openmetrics import OpenMetricsWriter
from launchguard.sim.timeline import linear

import kpis
import launchday
from components import serve_prometheus
from launchdays import HOUR, LENGTH, MINUTE, anchor, backtest, day, network, step_at

pytestmark = pytest.mark.prometheus

START = anchor()
T0 = START + HOUR
T1 = START + 3 * HOUR
END = START + LENGTH
RANGE = END - T0
SETTLEMENTS = {
    ("erc20", "full"): [T0 + 50 * MINUTE, T0 + 150 * MINUTE, T0 + 4 * HOUR],
    ("trc20", "partial"): [T0 + 70 * MINUTE],
    ("trc20", "t_plus_1"): [T0 + 3 * HOUR],
    ("trc20", "full"): [T0 + 5 * HOUR],
}


def history(w: OpenMetricsWriter) -> None:
    slow = network(
        "trc20",
        passthrough_seconds=step_at(T1, 240.0, 2000.0, T1 + HOUR),
        queue=linear([(0.0, 10.0), (T1, 10.0), (T1 + HOUR, 70.0), (T1 + HOUR + 30, 5.0)]),
    )
    the_day = day(START, networks=(network("erc20"), slow))
    launchday.write(the_day, w)
    times = the_day.times()
    business = kpis.Business(
        volume_usd={("erc20", "usdt"): lambda t: 50.0, ("trc20", "usdc"): lambda t: 80.0},
        daily_target_usd=lambda t: 1_000_000.0,
        settlements={k: kpis.events(v, 30.0) for k, v in SETTLEMENTS.items()},
        incidents={
            "sev2": kpis.events([T1 + 10 * MINUTE], 30.0),
            "sev3": kpis.events([T1 + 20 * MINUTE, T1 + 40 * MINUTE], 30.0),
        },
        offers={"acme": lambda t: 3.0, "globex": lambda t: 2.0},
        deals={"acme": lambda t: 1.0, "globex": lambda t: 0.5},
        cancelled={"acme": kpis.events([T0 + k * 20 * MINUTE for k in range(18)], 30.0)},
    )
    kpis.write(business, times, w)
    p1 = tickets.Ticket("HD-1", "p1", START + 90 * MINUTE + 7)
    tickets.write([p1], times, w)


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    with serve_prometheus(history, tmp_path_factory.mktemp("reports")) as server:
        yield server


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    t0_local = datetime.fromtimestamp(T0, ZoneInfo("Europe/Warsaw")).replace(tzinfo=None)
    path = tmp_path_factory.mktemp("config") / "launch.yaml"
    path.write_text(f'launch:\n  t0: "{t0_local.isoformat()}"\n')
    return path


def cli(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    assert code == 0, out.getvalue()
    return out.getvalue()


def report(prometheus: PrometheusServer, config: Path, kind: str, *extra: str) -> str:
    return cli(
        "report", "--kind", kind, "--config", str(config), "--prometheus", prometheus.url, *extra
    )


@pytest.fixture(scope="module")
def daily(prometheus: PrometheusServer, config: Path) -> dict[str, Any]:
    text = report(prometheus, config, "daily", "--end", str(int(END)), "--format", "json")
    doc: dict[str, Any] = json.loads(text)
    return doc


# --- the same figures with raw PromQL, evaluated at END over [T0, END] ---------------------


def raw(prometheus: PrometheusServer, expr: str) -> list[tuple[dict[str, str], float]]:
    """`expr` at END: (labels, value) per series."""
    result = prometheus.query_range(expr, END, END, 30)
    return [(s["metric"], float(s["values"][0][1])) for s in result]


def delta(metric: str, by: str) -> str:
    """The counter's increase over the report's range, without extrapolation."""
    return f"sum by ({by}) ({metric}) - sum by ({by}) ({metric} offset {int(RANGE)}s)"


def by_labels(
    rows: list[tuple[dict[str, str], float]], *labels: str
) -> dict[tuple[str, ...], float]:
    return {tuple(m.get(label, "") for label in labels): v for m, v in rows}


def test_settlement_figures_match_raw_promql(
    prometheus: PrometheusServer, daily: dict[str, Any]
) -> None:
    rows = by_labels(
        raw(prometheus, delta("clubgate_eod_settlements_total", "network, outcome")),
        "network",
        "outcome",
    )
    total = sum(rows.values())
    assert total == 6  # the scenario's six settlements
    eod = daily["figures"]["eod_settlements"]
    assert eod["total"] == total
    assert eod["partial_share"] == pytest.approx(rows[("trc20", "partial")] / total)
    assert eod["t_plus_1_share"] == pytest.approx(rows[("trc20", "t_plus_1")] / total)
    for net, figures in eod["by_network"].items():
        assert figures["by_outcome"] == {o: v for (n, o), v in rows.items() if n == net}


def test_time_from_t0_to_the_first_eod_settlement_matches_raw_promql(
    prometheus: PrometheusServer, daily: dict[str, Any]
) -> None:
    [series] = prometheus.query_range("sum(clubgate_eod_settlements_total)", T0, END, 30)
    values = [(float(t), float(v)) for t, v in series["values"]]
    first = next(t for t, v in values if v > values[0][1])
    assert first == T0 + 50 * MINUTE
    assert daily["time_to_first_eod_seconds"] == first - T0
    zone = ZoneInfo("Europe/Warsaw")
    assert daily["first_eod_settlement"] == datetime.fromtimestamp(first, zone).isoformat()


@pytest.mark.parametrize(
    ("figure", "histogram"),
    [
        ("passthrough_p95_seconds", "clubgate_passthrough_seconds"),
        ("eod_p95_seconds", "clubgate_eod_settlement_seconds"),
    ],
)
def test_p95_per_network_matches_raw_histogram_quantile(
    prometheus: PrometheusServer, daily: dict[str, Any], figure: str, histogram: str
) -> None:
    expr = f"histogram_quantile(0.95, {delta(histogram + '_bucket', 'network, le')})"
    expected = {m["network"]: v for m, v in raw(prometheus, expr)}
    assert set(expected) == {"erc20", "trc20"}
    assert daily["figures"][figure] == pytest.approx(expected)


def test_webhook_incident_conversion_and_volume_figures_match_raw_promql(
    prometheus: PrometheusServer, daily: dict[str, Any]
) -> None:
    f = daily["figures"]
    hooks = by_labels(
        raw(prometheus, delta("clubgate_webhook_deliveries_total", "outcome")), "outcome"
    )
    assert f["webhooks"]["deliveries"] == pytest.approx(sum(hooks.values()))
    assert f["webhooks"]["success_share"] == pytest.approx(
        hooks[("success",)] / sum(hooks.values())
    )
    incidents = by_labels(
        raw(prometheus, delta("clubgate_incidents_total", "severity")), "severity"
    )
    assert f["incidents"] == {k[0]: v for k, v in incidents.items()}
    assert f["incidents"]["sev2"] == 1 and f["incidents"]["sev3"] == 2
    ((offers,),) = [(v,) for _, v in raw(prometheus, delta("clubgate_offers_total", ""))]
    ((deals,),) = [(v,) for _, v in raw(prometheus, delta("clubgate_deals_total", ""))]
    ((cancelled,),) = [
        (v,) for _, v in raw(prometheus, delta("clubgate_deals_cancelled_total", ""))
    ]
    assert (f["offers"], f["deals"], f["cancellations"]) == pytest.approx(
        (offers, deals, cancelled)
    )
    assert f["conversion"] == pytest.approx(deals / offers)
    assert f["cancellation_share"] == pytest.approx(cancelled / deals)
    volume = by_labels(
        raw(prometheus, delta("clubgate_payout_volume_usd_total", "network")), "network"
    )
    assert f["payout_volume_usd"]["by_network"] == pytest.approx(
        {k[0]: v for k, v in volume.items()}
    )
    assert f["daily_target_usd"] == 1_000_000.0


def test_the_reports_decisions_are_the_backtests_with_their_durations(
    prometheus: PrometheusServer, daily: dict[str, Any]
) -> None:
    expected = backtest(prometheus, T0, END)["decisions"]
    slo = [d for d in expected if d["kind"] != "sla_breach"]
    sla = [d for d in expected if d["kind"] == "sla_breach"]
    assert any(d["criterion"] == "passthrough_p95" for d in slo)
    assert [d["id"] for d in daily["decisions"]] == [d["id"] for d in slo]
    for row, d in zip(daily["decisions"], slo, strict=True):
        assert (row["opened_at"], row["resolved_at"]) == (d["opened_at"], d["resolved_at"])
        if d["resolved_at"] is not None:
            opened = datetime.fromisoformat(d["opened_at"].replace("Z", "+00:00"))
            resolved = datetime.fromisoformat(d["resolved_at"].replace("Z", "+00:00"))
            assert row["duration_seconds"] == (resolved - opened).total_seconds()
    breaches = daily["sla_breaches"]
    assert [d["id"] for d in breaches["decisions"]] == [d["id"] for d in sla]
    assert breaches["by_criterion"] == {"sla_reaction": 1, "sla_workaround": 1}
    assert breaches["escalations"] == {"CTO and R&D": 1, "support coordinator": 1}


def test_times_are_shown_in_warsaw_time(daily: dict[str, Any]) -> None:
    offset = datetime.fromtimestamp(T0, ZoneInfo("Europe/Warsaw")).strftime("%z")
    expected = f"{offset[:3]}:{offset[3:]}"
    assert daily["from"].endswith(expected) and daily["t0"].endswith(expected)
    assert daily["decisions"][0]["opened_at_local"].endswith(expected)


@pytest.mark.parametrize("kind", ["warroom", "daily", "postmortem"])
def test_every_kind_renders_markdown_and_json_and_both_can_be_signed(
    prometheus: PrometheusServer, config: Path, tmp_path: Path, kind: str
) -> None:
    key = tmp_path / "report.key"
    key.write_text("a report signing key of 32 bytes\n")
    end = [] if kind == "warroom" else ["--end", str(int(END))]  # warroom: T0 … T0 + 1 h
    text = report(prometheus, config, kind, *end, "--sign-key", str(key))
    title = {
        "warroom": "# Warroom report",
        "daily": "# Daily launch report",
        "postmortem": "# Launch postmortem report",
    }
    assert text.startswith(title[kind])
    assert "| Time from T0 to the first EOD settlement | 50m" in text
    assert ("## State at the end of the range" in text) == (kind == "warroom")
    assert ("## Per day" in text) == (kind == "postmortem")
    assert signing.verify_markdown(text, signing.read_key(str(key)))
    assert not signing.verify_markdown(text.replace("50m", "49m"), signing.read_key(str(key)))
    doc = json.loads(
        report(prometheus, config, kind, *end, "--format", "json", "--sign-key", str(key))
    )
    assert doc["kind"] == kind and doc["signature"]["algorithm"] == "HMAC-SHA256"
    assert signing.verify_json(doc, signing.read_key(str(key)))
    doc["figures"]["offers"] += 1
    assert not signing.verify_json(doc, signing.read_key(str(key)))
    # The command line checks a signed file too (exit 0 valid, 1 not).
    signed = tmp_path / f"{kind}.md"
    signed.write_text(text)
    assert main(["report", "--verify", str(signed), "--sign-key", str(key)]) == 0
    signed.write_text(text.replace("50m", "49m"))
    assert main(["report", "--verify", str(signed), "--sign-key", str(key)]) == 1


# --- Go/No-Go over the same day ------------------------------------------------------------


@pytest.fixture(scope="module")
def canary_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """T0 three days after the day's end: the whole day is in the canary phase (cap 30 %)."""
    t0_local = datetime.fromtimestamp(END + 3 * 86400, ZoneInfo("Europe/Warsaw"))
    path = tmp_path_factory.mktemp("canary") / "launch.yaml"
    path.write_text(f'launch:\n  t0: "{t0_local.replace(tzinfo=None).isoformat()}"\n')
    return path


def gonogo(prometheus: PrometheusServer, config: Path, window: str) -> dict[str, Any]:
    text = cli(
        "gonogo", "--config", str(config), "--prometheus", prometheus.url,
        "--at", str(int(END)), "--window", window, "--format", "json",
    )  # fmt: skip
    doc: dict[str, Any] = json.loads(text)
    return doc


def test_gonogo_promotes_canary_to_full_after_two_quiet_hours(
    prometheus: PrometheusServer, canary_config: Path
) -> None:
    doc = gonogo(prometheus, canary_config, "2h")
    assert (doc["recommendation"], doc["reasons"]) == ("promote", [])
    assert (doc["level"]["name"], doc["next_level"]["name"]) == ("canary", "full")
    assert doc["decision"]["kind"] == "promote"
    assert doc["decision"]["actions"][0]["step"] == "volume_step_up"
    assert all(s["met_share"] == 1.0 for s in doc["slos"])
    assert doc["incidents"] == {"sev2": 0.0, "sev3": 0.0}


def test_gonogo_over_the_incident_is_no_go_with_every_reason(
    prometheus: PrometheusServer, canary_config: Path
) -> None:
    doc = gonogo(prometheus, canary_config, "4h")
    assert doc["recommendation"] == "no_go" and doc["decision"] is None
    reasons = doc["reasons"]
    assert "1 SEV2 incident(s) declared in the window" in reasons
    assert any(r.startswith("SLO passthrough_p95 [network=trc20] met at") for r in reasons)
    assert not any("network=erc20" in r for r in reasons)
    rollbacks = [d["id"] for d in doc["rollback_decisions"]]

    def warsaw(rfc3339: str) -> str:
        moment = datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
        return moment.astimezone(ZoneInfo("Europe/Warsaw")).strftime("%Y-%m-%d %H:%M:%S %Z")

    # Resolved inside the window (nothing fires at the decision time): "was open from … to …".
    assert [r for r in reasons if r.startswith("rollback decision")] == [
        f"rollback decision {d['id']} ({d['criterion']} [network=trc20]) was open"
        f" from {warsaw(d['opened_at'])} to {warsaw(d['resolved_at'])}"
        for d in doc["rollback_decisions"]
    ]
    assert rollbacks, "the slow hour with a growing queue recommends a rollback on trc20"
    assert doc["blockers"] == []
