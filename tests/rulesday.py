"""One launch day where every rollback criterion fires once, with every input series the
dashboards read (business counters, treasury gauges) and launchguard's own metrics, served
by a real Prometheus that also holds the generated recording rules' series
(`promtool tsdb create-blocks-from rules`)."""

from __future__ import annotations

import re
from pathlib import Path

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.harness.servers import PrometheusServer, backfill
from launchguard.sim.openmetrics import OpenMetricsWriter, write_openmetrics
from launchguard.sim.timeline import grid, sample

import kpis
import launchday
from launchday import Pair, const
from launchdays import HOUR, LENGTH, MINUTE, anchor, day, network, ramp_from, settled_pairs, step_at

START = anchor()
T1 = START + 3 * HOUR
FROM, TO = START + HOUR, START + LENGTH
JOB = "launchguard"


def launch_day() -> launchday.LaunchDay:
    """trc20: pass-through slow from T1 with a growing queue; erc20: payouts stall at T1+30m;
    a trc20 pair stuck from T1; webhooks failing with dead letters growing at T1+2h30m; a
    SEV1 open from START+6h for 30 min."""
    slow = network(
        "trc20",
        passthrough_seconds=step_at(T1, 240.0, 2000.0, T1 + 2 * HOUR),
        queue=lambda t: ramp_from(T1, 10.0, 2.0)(t) if t < T1 + HOUR else 5.0,
    )
    stalled = network(
        "erc20",
        completed_per_step=step_at(T1 + 30 * MINUTE, 20.0, 0.0, T1 + 90 * MINUTE),
        queue=ramp_from(T1 + 30 * MINUTE, 10.0, 1.0),
    )
    hooks = T1 + 150 * MINUTE
    return day(
        START,
        networks=(stalled, slow),
        pairs=[*settled_pairs(START), Pair("trc20", "t-stuck", step_at(T1, 0.0, 5.0), const(T1))],
        webhook_success_per_step=step_at(hooks, 50.0, 40.0, hooks + HOUR),
        webhook_failure_per_step=step_at(hooks, 0.0, 10.0, hooks + HOUR),
        dead_letter=ramp_from(hooks, 0.0, 3.0),
        sev1_open=step_at(START + 6 * HOUR, 0.0, 1.0, START + 6.5 * HOUR),
        volume_cap=const(0.3),
    )


def _extra(config: LaunchConfig, times: list[float], w: OpenMetricsWriter) -> None:
    """Business counters, treasury gauges and the daemon's own metrics."""
    per = const(1.0)
    nets, assets = ("erc20", "trc20"), ("usdt", "usdc")
    kpis.write(
        kpis.Business(
            volume_usd={(n, a): const(500.0) for n in nets for a in assets},
            daily_target_usd=const(1_000_000.0),
            settlements={(n, o): per for n in nets for o in ("full", "partial", "t_plus_1")},
            incidents={"sev1": const(0.0), "sev2": const(0.01)},
            offers={"acme": per, "globex": per},
            deals={"acme": const(0.5), "globex": const(0.5)},
            cancelled={"acme": const(0.01)},
        ),
        times,
        w,
    )
    x = config.rules.extra_metrics
    wallets = [({"network": n, "asset": a, "wallet": f"hot-{n}-{a}"}) for n in nets for a in assets]
    w.gauge(
        x["wallet_hot_balance"], "Hot balance.", [(lb, sample(times, const(9e4))) for lb in wallets]
    )
    w.gauge(
        x["wallet_min_hot_balance"], "Min.", [(lb, sample(times, const(5e4))) for lb in wallets]
    )
    for key, value in (
        ("wallet_gas_reserve", 10.0),
        ("wallet_gas_reserve_min", 2.0),
        ("payout_stuck_transactions", 1.0),
    ):
        w.gauge(x[key], key, [({"network": n}, sample(times, const(value))) for n in nets])
    job = {"job": JOB, "instance": "launchguard:9464"}
    w.gauge("up", "Scrape up.", [(job, sample(times, const(1.0)))])
    w.counter(
        names.CYCLES,
        "Cycles.",
        [({**job, "outcome": o}, _count(times, 1.0)) for o in ("ok", "failed")],
    )
    w.counter(names.QUERY_ERRORS, "Errors.", [({**job, "kind": "timeout"}, _count(times, 0.1))])
    w.counter(
        names.SINK_FAILURES,
        "Sink failures.",
        [({**job, "sink": "alertmanager"}, _count(times, 0.1))],
    )
    w.gauge(names.LAST_SUCCESS, "Last success.", [(job, ((t, t) for t in times))])
    w.gauge(names.EVALUATION_DEGRADED, "Degraded.", [(job, sample(times, const(0.0)))])
    w.gauge(
        names.DECISIONS_OPEN,
        "Open decisions.",
        [
            (
                {
                    **job,
                    "kind": "partial_rollback",
                    "criterion": "payout_stall",
                    "network": "erc20",
                },
                sample(times, const(1.0)),
            ),
            (
                {**job, "kind": "full_rollback", "criterion": "sev1", "network": ""},
                sample(times, const(1.0)),
            ),
        ],
    )
    w.gauge(
        names.CRITERION_STATE,
        "States.",
        [
            (
                {**job, "criterion": "sev1", "network": "", "state": "clear"},
                sample(times, const(1.0)),
            ),
            (
                {**job, "criterion": "payout_stall", "network": "trc20", "state": "clear"},
                sample(times, const(1.0)),
            ),
        ],
    )
    w.histogram(
        names.EVALUATION_DURATION,
        "Durations.",
        (0.1, 1.0, 5.0),
        [(job, ((t, (i, 2 * i, 2 * i, 2 * i), 0.2 * i, 2 * i) for i, t in enumerate(times, 1)))],
    )


def _count(times: list[float], per: float) -> list[tuple[float, float]]:
    return [(t, per * i) for i, t in enumerate(times, 1)]


def write_history(config: LaunchConfig, w: OpenMetricsWriter) -> None:
    d = launch_day()
    launchday.write(d, w)
    _extra(config, grid(d.start, d.end, d.step), w)


def serve(config: LaunchConfig, workdir: Path) -> PrometheusServer:
    """Backfill the day and serve it."""
    history = write_openmetrics(workdir / "history.om", lambda w: write_history(config, w))
    data = workdir / "data"
    backfill(history, data)
    return PrometheusServer(data).start()


_RECORDED = re.compile(r"(?<![A-Za-z0-9_:])(launchguard:[A-Za-z0-9_:]+)(\{[^{}]*\})?")
_NO_OP = {"", '{network=~".*"}', '{network=~".*|"}'}


def inline(expr: str, recorded: dict[str, str]) -> str:
    """`expr` with every recording rule replaced by its expression, so it evaluates on raw
    history as Prometheus evaluates it on recorded series. Matchers on a recorded series
    must be no-ops (the network variable set to All)."""

    def swap(m: re.Match[str]) -> str:
        name, matchers = m.group(1), m.group(2) or ""
        assert name in recorded, f"unknown recording rule {name}"
        assert matchers in _NO_OP, f"cannot inline {name}{matchers}"
        return f"({inline(recorded[name], recorded)})"

    return _RECORDED.sub(swap, expr)


GRAFANA = {
    "$__rate_interval": "2m",
    "$__interval": "30s",
    "$__range": "6h",
    "$network": ".*",
    "${network}": ".*",
}


def grafana_free(expr: str) -> str:
    """A panel query with Grafana's variables set as Grafana would (network: All)."""
    for var, value in GRAFANA.items():
        expr = expr.replace(var, value)
    return expr
