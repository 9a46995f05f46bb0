"""promtool cases for self-monitoring (down, failing, stale, delivery) and absent inputs."""

from __future__ import annotations

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate import selfmon
from launchguard.generate.alert import Alert
from launchguard.generate.ruletests.fallback import MIN, nets
from launchguard.generate.ruletests.series import Case, Check, Values, counter, gauge


def _self(config: LaunchConfig, name: str) -> Alert:
    return next(a for a in selfmon.self_alerts(config) if a.name == name)


def cases(config: LaunchConfig) -> list[Case]:
    s = config.rules.self_monitoring
    job = f'job="{s.job}"'
    length = 40
    down = _self(config, names.ALERT_DAEMON_DOWN)
    failing = _self(config, names.ALERT_EVALUATION_FAILING)
    stale = _self(config, names.ALERT_EVALUATION_STALE)
    delivery = _self(config, names.ALERT_DELIVERY_FAILING)
    late = int((s.down_for + 5 * MIN) // MIN) + 12  # 5 min staleness after the last sample
    up = f'up{{{job}, instance="launchguard:9464"}}'
    cycles = names.CYCLES
    fail_at = (int(s.failing_window // MIN) // 2 or 1) * MIN
    sink = names.SINK_FAILURES

    def cyc(ok: float, failed: float, error: float = 0.0) -> dict[str, Values]:
        return {
            f'{cycles}{{{job}, outcome="ok"}}': counter(length, lambda _i: ok),
            f'{cycles}{{{job}, outcome="failed"}}': counter(length, lambda _i: failed),
            f'{cycles}{{{job}, outcome="error"}}': counter(length, lambda _i: error),
        }

    fresh = gauge(length, lambda i: i * MIN)
    return [
        Case(
            "launchguard down fires when its scrape target disappears",
            length,
            {up: [1.0 if i <= 10 else None for i in range(length)]},
            (Check(5 * MIN, down), Check(late * MIN, down, ({},))),
        ),
        Case(
            "launchguard down fires when up is 0",
            length,
            {up: gauge(length, lambda _i: 0.0)},
            (Check((s.down_for // MIN + 2) * MIN, down, ({},)),),
        ),
        Case(
            "launchguard down stays silent while scraped",
            length,
            {up: gauge(length, lambda _i: 1.0)},
            (Check(late * MIN, down),),
        ),
        Case(
            "evaluation failing fires when every cycle fails",
            length,
            cyc(0.0, 2.0),
            (Check(fail_at, failing, ({},)),),
        ),
        Case(
            "evaluation failing fires when every cycle ends in an error",
            length,
            cyc(0.0, 0.0, 2.0),
            (Check(fail_at, failing, ({},)),),
        ),
        Case(
            "evaluation failing stays silent while some cycles succeed",
            length,
            cyc(2.0, 1.0),
            (Check(fail_at, failing),),
        ),
        Case(
            "evaluation stale fires when the last success is old",
            length,
            {f"{names.LAST_SUCCESS}{{{job}}}": gauge(length, lambda _i: 0.0)},
            (Check((s.stale_after // MIN + 2) * MIN, stale, ({},)),),
        ),
        Case(
            "evaluation stale stays silent while evaluations succeed",
            length,
            {f"{names.LAST_SUCCESS}{{{job}}}": fresh},
            (Check((s.stale_after // MIN + 2) * MIN, stale),),
        ),
        Case(
            "alertmanager delivery failing fires on failures of that sink only",
            length,
            {f'{sink}{{{job}, sink="{s.alertmanager_sink}"}}': counter(length, lambda _i: 1.0)},
            (Check(10 * MIN, delivery, ({},)),),
        ),
        Case(
            "alertmanager delivery failing stays silent when another sink fails",
            length,
            {
                f'{sink}{{{job}, sink="journal"}}': counter(length, lambda _i: 1.0),
                f'{sink}{{{job}, sink="{s.alertmanager_sink}"}}': gauge(length, lambda _i: 0.0),
            },
            (Check(10 * MIN, delivery),),
        ),
    ]


def _present(config: LaunchConfig, length: int, skip: str | None = None) -> dict[str, Values]:
    """Every checked input series with a value, except `skip`."""
    out: dict[str, Values] = {}
    for _key, series, network in selfmon.absent_series(config):
        labels = f'{{network="{network}"}}' if network else ""
        name = f"{series}{labels}"
        if name != skip and name not in out:
            out[name] = gauge(length, lambda _i: 1.0)
    return out


def absent_cases(config: LaunchConfig) -> list[Case]:
    after = config.rules.absent.after
    length = int(after // MIN) + 20
    at = (after + 5 * MIN) // MIN * MIN + 3 * MIN
    alerts = selfmon.absent_alerts(config)
    bad, _ = nets(config)
    queue = f'{config.metrics.payout_queue_depth}{{network="{bad}"}}'
    missing = next(
        a
        for a in alerts
        if a.labels.get(names.LABEL_INPUT) == config.metrics.payout_queue_depth
        and a.labels.get(names.LABEL_NETWORK) == bad
    )
    return [
        Case(
            "every input alerts when nothing is scraped",
            length,
            {},
            (Check(at, alerts[0], ({},), others=tuple(alerts[1:])),),
        ),
        Case(
            "no input alerts while every input is present",
            length,
            _present(config, length),
            (Check(at, alerts[0]),),
        ),
        Case(
            "one network's missing queue alerts for that network only",
            length,
            _present(config, length, skip=queue),
            (Check(at, missing, ({},)),),
        ),
    ]
