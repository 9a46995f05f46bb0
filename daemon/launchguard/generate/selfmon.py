"""Alerts on launchguard itself (from its /metrics, scraped as `rules.self_monitoring.job`)
and on every input series going absent. Missing data is never health: an input that
disappears leaves the daemon inconclusive and the fallback alerts silent, so its absence
is an alert of its own."""

from __future__ import annotations

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate.alert import Alert
from launchguard.generate.queries import input_metrics, number, window


def self_alerts(config: LaunchConfig) -> list[Alert]:
    s = config.rules.self_monitoring
    job = f'{names.LABEL_JOB}="{s.job}"'
    failing, delivery = window(s.failing_window), window(s.delivery_window)
    bad = f"{names.CYCLE_FAILED}|{names.CYCLE_ERROR}"  # nothing evaluated, or an exception
    failed = f'{names.LABEL_OUTCOME}=~"{bad}"'
    others = f'{names.LABEL_OUTCOME}!~"{bad}"'
    sink = f'{names.LABEL_SINK}="{s.alertmanager_sink}"'
    return [
        Alert(
            name=names.ALERT_DAEMON_DOWN,
            expr=f"absent(up{{{job}}} == 1)",
            severity=names.SEVERITY_CRITICAL,
            summary="launchguard is down or not scraped",
            description=(
                f"No `up{{{job}}}` equal to 1 for {window(s.down_for)}. No rollback "
                "recommendations are computed; the fallback alerts still page."
            ),
            for_=s.down_for,
        ),
        Alert(
            name=names.ALERT_EVALUATION_FAILING,
            expr=(
                f"sum(increase({names.CYCLES}{{{job}, {failed}}}[{failing}])) > 0\n"
                f"and on()\n(sum(increase({names.CYCLES}{{{job}, {others}}}[{failing}])) "
                "or vector(0)) == 0"
            ),
            severity=names.SEVERITY_CRITICAL,
            summary=f"launchguard has not completed an evaluation in {failing}",
            description=(
                f"Every evaluation cycle in the last {failing} failed (Prometheus unreachable, "
                "every query erroring, or an error in the daemon): the daemon recommends "
                "nothing."
            ),
        ),
        Alert(
            name=names.ALERT_EVALUATION_STALE,
            expr=f"time() - max({names.LAST_SUCCESS}{{{job}}}) > {number(s.stale_after)}",
            severity=names.SEVERITY_WARNING,
            summary="launchguard's last successful evaluation is stale",
            description=(
                f"The last successful evaluation is older than {window(s.stale_after)}: the "
                "daemon runs but its recommendations are out of date."
            ),
        ),
        Alert(
            name=names.ALERT_DELIVERY_FAILING,
            expr=f"sum(increase({names.SINK_FAILURES}{{{job}, {sink}}}[{delivery}])) > 0",
            severity=names.SEVERITY_CRITICAL,
            summary="launchguard cannot deliver its alerts to Alertmanager",
            description=(
                f"Deliveries to Alertmanager failed in the last {delivery}: rollback "
                "recommendations may not reach on-call."
            ),
        ),
    ]


def absent_series(config: LaunchConfig) -> list[tuple[str, str, str | None]]:
    """(metric key, series checked, network or None) for every input, in key order."""
    a = config.rules.absent
    out: list[tuple[str, str, str | None]] = []
    for key, metric in sorted(input_metrics(config).items()):
        series = f"{metric}_count" if key in a.histograms else metric
        if key in a.per_network:
            out += [(key, series, net) for net in config.launch.networks]
        else:
            out.append((key, series, None))
    return out


def absent_alerts(config: LaunchConfig) -> list[Alert]:
    a = config.rules.absent
    metrics = input_metrics(config)
    out = []
    for key, series, network in absent_series(config):
        selector = series if network is None else f'{series}{{{names.LABEL_NETWORK}="{network}"}}'
        where = "" if network is None else f" on {network}"
        out.append(
            Alert(
                name=names.ALERT_INPUT_ABSENT,
                expr=f"absent({selector})",
                severity=names.SEVERITY_INFO if key in a.optional else names.SEVERITY_WARNING,
                summary=f"Input {metrics[key]} is absent{where}",
                description=(
                    f"No `{selector}` for {window(a.after)}. launchguard's criteria that read "
                    "it are inconclusive and the fallback alerts cannot fire."
                ),
                for_=a.after,
                labels={
                    names.LABEL_INPUT: metrics[key],
                    **({} if network is None else {names.LABEL_NETWORK: network}),
                },
            )
        )
    return out
