"""promtool cases for the five fallback rollback alerts: each fires on the right scope at
the time the launch rule says, and stays silent one window early, while the queue drains,
without improvement data, and on no data. Times derive from the config's windows."""

from __future__ import annotations

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate import fallback
from launchguard.generate.alert import Alert
from launchguard.generate.ruletests.series import (
    Case,
    Check,
    Values,
    counter,
    gauge,
    histogram,
    switch,
)

MIN = 60.0


def _m(seconds: float) -> int:
    return int(-(-seconds // MIN))


def _alert(config: LaunchConfig, criterion: str) -> Alert:
    wanted = names.FALLBACK_ALERTS[criterion]
    return next(a for a in fallback.alerts(config) if a.name == wanted)


def pass_bounds(config: LaunchConfig) -> list[float]:
    """Bucket bounds around the SLO objective and the rollback threshold."""
    obj = config.slos["passthrough_p95"].objective if "passthrough_p95" in config.slos else 900.0
    thr = config.criteria.passthrough_rollback.p95_threshold
    return sorted({obj / 2, obj, thr, 2 * thr})


def nets(config: LaunchConfig) -> tuple[str, list[str]]:
    """(the network that misbehaves, the healthy ones)."""
    all_ = list(config.launch.networks)
    return all_[-1], all_[:-1]


def passthrough_cases(config: LaunchConfig) -> list[Case]:
    c = config.criteria.passthrough_rollback
    alert, bad, good = _alert(config, "passthrough_rollback"), *nets(config)
    win = config.signals[c.p95_signal].window or 0.0
    a = 5
    fire = a + _m(c.previous_window) + _m(win) + 2
    length = fire + 5
    m = config.metrics
    thr, bounds = c.p95_threshold, pass_bounds(config)

    def series(queue_bad: Values | None) -> dict[str, Values]:
        out: dict[str, Values] = {}
        for net in [*good, bad]:
            slow = net == bad
            out |= histogram(
                m.passthrough_seconds,
                f'network="{net}", asset="usdt"',
                bounds,
                length,
                switch(slow, lambda i: i > a, 1.5 * thr, bounds[0] / 2),
            )
            growing = gauge(length, lambda i: 10.0 + i)
            q = growing if net != bad else queue_bad
            if q is not None:
                out[f'{m.payout_queue_depth}{{network="{net}"}}'] = q
        return out

    growing = gauge(length, lambda i: 10.0 + i)
    draining = gauge(length, lambda i: 500.0 - i)
    return [
        Case(
            "passthrough rollback fires on the slow network once two windows are slow",
            length,
            series(growing),
            (
                Check((a + _m(c.previous_window)) * MIN, alert),
                Check(fire * MIN, alert, ({"network": bad},)),
            ),
        ),
        Case(
            "passthrough rollback stays silent while the queue drains",
            length,
            series(draining),
            (Check(fire * MIN, alert),),
        ),
        Case(
            "passthrough rollback stays silent without queue data",
            length,
            series(None),
            (Check(fire * MIN, alert),),
        ),
    ]


def stall_cases(config: LaunchConfig) -> list[Case]:
    c = config.criteria.payout_stall
    alert, bad, good = _alert(config, "payout_stall"), *nets(config)
    win = config.signals[c.completed_signal].window or 0.0
    a = 5
    fire = a + _m(win) + 2
    length = fire + 5
    m = config.metrics

    def series(queue_bad: Values, completed: bool = True) -> dict[str, Values]:
        out: dict[str, Values] = {}
        for net in [*good, bad]:
            stalled = net == bad
            if completed or not stalled:
                out[f'{m.payout_completed}{{network="{net}"}}'] = counter(
                    length, switch(stalled, lambda i: i > a, 0.0, 10.0)
                )
            q = queue_bad if stalled else gauge(length, lambda i: 10.0 + i)
            out[f'{m.payout_queue_depth}{{network="{net}"}}'] = q
        return out

    growing = gauge(length, lambda i: 10.0 + i)
    return [
        Case(
            "payout stall fires when nothing completed in the window and the queue grows",
            length,
            series(growing),
            (Check((fire - 5) * MIN, alert), Check(fire * MIN, alert, ({"network": bad},))),
        ),
        Case(
            "payout stall stays silent while the queue drains",
            length,
            series(gauge(length, lambda i: 500.0 - i)),
            (Check(fire * MIN, alert),),
        ),
        Case(
            "payout stall stays silent with an empty queue",
            length,
            series(gauge(length, lambda _i: 0.0)),
            (Check(fire * MIN, alert),),
        ),
        Case(
            "payout stall stays silent without completion data",
            length,
            series(growing, completed=False),
            (Check(fire * MIN, alert),),
        ),
    ]


def eod_cases(config: LaunchConfig) -> list[Case]:
    c = config.criteria.eod_unsettled
    alert, bad, good = _alert(config, "eod_unsettled"), *nets(config)
    since = _m(c.min_since_cutoff)
    length = since + 5
    m = config.metrics
    other = good[0] if good else bad

    def series(cutoff: bool = True) -> dict[str, Values]:
        unsettled = m.trust_unsettled_sessions
        cut = m.trust_cutoff_timestamp
        out: dict[str, Values] = {
            f'{unsettled}{{network="{bad}", pair="stuck"}}': gauge(length, lambda _i: 5.0),
            f'{unsettled}{{network="{other}", pair="improving"}}': gauge(
                length, lambda i: max(0.0, 100.0 - i)
            ),
            f'{unsettled}{{network="{other}", pair="settled"}}': gauge(length, lambda _i: 0.0),
        }
        for pair, net in (("improving", other), ("settled", other), ("stuck", bad)):
            if cutoff or pair != "stuck":
                # Cut-off at unix 0: promtool's clock starts there.
                out[f'{cut}{{network="{net}", pair="{pair}"}}'] = gauge(length, lambda _i: 0.0)
        return out

    fired = ({"network": bad, "pair": "stuck"},)
    return [
        Case(
            "eod unsettled fires for a stuck pair past the time since cut-off, not improving",
            length,
            series(),
            (Check((since - 1) * MIN, alert), Check((since + 1) * MIN, alert, fired)),
        ),
        Case(
            "eod unsettled stays silent without the cut-off time",
            length,
            series(cutoff=False),
            (Check((since + 1) * MIN, alert),),
        ),
    ]


def webhook_cases(config: LaunchConfig) -> list[Case]:
    c = config.criteria.webhook_rollback
    alert = _alert(config, "webhook_rollback")
    win = config.signals[c.success_signal].window or 0.0
    fire = max(_m(win), _m(c.growth_over)) + 5
    length = fire + 5
    m = config.metrics
    ok = round(100 * c.success_threshold / 2)

    def series(success: float, dead: Values, deliveries: bool = True) -> dict[str, Values]:
        out: dict[str, Values] = {}
        for partner in ("acme", "globex"):
            if deliveries:
                for outcome, n in (("success", success), ("failure", 100.0 - success)):
                    key = f'{m.webhook_deliveries}{{partner="{partner}", outcome="{outcome}"}}'
                    out[key] = counter(length, switch(True, lambda _i: True, n, n))
            out[f'{m.webhook_dead_letter_depth}{{partner="{partner}"}}'] = dead
        return out

    growing = gauge(length, lambda i: float(i))
    flat = gauge(length, lambda _i: 40.0)
    return [
        Case(
            "webhook rollback fires when success is low and dead letters grow",
            length,
            series(ok, growing),
            (Check(fire * MIN, alert, ({},)),),
        ),
        Case(
            "webhook rollback stays silent while dead letters are flat",
            length,
            series(ok, flat),
            (Check(fire * MIN, alert),),
        ),
        Case(
            "webhook rollback stays silent when deliveries succeed",
            length,
            series(100.0, growing),
            (Check(fire * MIN, alert),),
        ),
        Case(
            "webhook rollback stays silent without delivery data",
            length,
            series(ok, growing, deliveries=False),
            (Check(fire * MIN, alert),),
        ),
    ]


def sev1_cases(config: LaunchConfig) -> list[Case]:
    c = config.criteria.sev1
    alert = _alert(config, "sev1")
    clear = _m(config.evaluation.clear_for)
    length = 20 + clear + 5
    m = config.metrics
    series = {
        f'{m.incidents_open}{{severity="sev1"}}': gauge(
            length, lambda i: c.threshold + 1 if 10 <= i < 20 else c.threshold
        ),
        f'{m.incidents_open}{{severity="sev2"}}': gauge(length, lambda _i: c.threshold + 1),
    }
    return [
        Case(
            "sev1 fires while a SEV1 is open and keeps firing for the clear time",
            length,
            series,
            (
                Check(5 * MIN, alert),
                Check(15 * MIN, alert, ({},)),
                Check((20 + clear - 2) * MIN, alert, ({},)),
                Check((20 + clear + 2) * MIN, alert),
            ),
        )
    ]


def cases(config: LaunchConfig) -> list[Case]:
    return [
        *passthrough_cases(config),
        *stall_cases(config),
        *eod_cases(config),
        *webhook_cases(config),
        *sev1_cases(config),
    ]
