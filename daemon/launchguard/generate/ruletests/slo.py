"""promtool cases for the SLO breach warnings and the burn-rate alerts: they fire on the
breaching scope only, stay silent on healthy and absent data, and the page alert resets
as soon as the short window is clean again."""

from __future__ import annotations

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate import burnrate, rules
from launchguard.generate.alert import Alert
from launchguard.generate.ruletests.fallback import MIN, nets, pass_bounds
from launchguard.generate.ruletests.series import (
    Case,
    Check,
    Values,
    counter,
    histogram,
    switch,
)


def _named(found: list[Alert], name: str) -> Alert:
    return next(a for a in found if a.name == name)


def _passthrough(config: LaunchConfig, length: int, slow_until: int) -> dict[str, Values]:
    """The bad network's payouts between objective and threshold until `slow_until`."""
    bad, good = nets(config)
    bounds = pass_bounds(config)
    obj = config.slos["passthrough_p95"].objective
    thr = config.criteria.passthrough_rollback.p95_threshold
    mid = (obj + thr) / 2 if thr > obj else 2 * obj
    out: dict[str, Values] = {}
    for net in [*good, bad]:
        out |= histogram(
            config.metrics.passthrough_seconds,
            f'network="{net}", asset="usdt"',
            bounds,
            length,
            switch(net == bad, lambda i: i < slow_until, mid, bounds[0] / 2),
        )
    return out


def _eod(config: LaunchConfig, length: int) -> dict[str, Values]:
    bad, good = nets(config)
    obj = config.slos["eod_p95"].objective
    out: dict[str, Values] = {}
    for net in [*good, bad]:
        out |= histogram(
            config.metrics.eod_settlement_seconds,
            f'network="{net}"',
            [obj / 2, obj, 2 * obj, 4 * obj],
            length,
            switch(net == bad, lambda _i: True, 3 * obj, obj / 4),
        )
    return out


def _webhooks(config: LaunchConfig, length: int, failing_until: int) -> dict[str, Values]:
    out: dict[str, Values] = {}
    m = config.metrics.webhook_deliveries
    for partner in ("acme", "globex"):
        out[f'{m}{{partner="{partner}", outcome="success"}}'] = counter(
            length, lambda i: 50.0 if i < failing_until else 100.0
        )
        out[f'{m}{{partner="{partner}", outcome="failure"}}'] = counter(
            length, lambda i: 50.0 if i < failing_until else 0.0
        )
    return out


def breach_cases(config: LaunchConfig) -> list[Case]:
    found = rules.slo_breaches(config)
    bad, _ = nets(config)
    length = 30
    at = 20 * MIN
    cases = []
    data = {
        "passthrough_p95": (_passthrough(config, length, length), {"network": bad}),
        "eod_p95": (_eod(config, length), {"network": bad}),
        "webhook_success": (_webhooks(config, length, length), {}),
    }
    for slo, (series, scope) in data.items():
        if slo not in config.slos:
            continue
        alert = _named(found, names.slo_breach_alert(slo))
        cases += [
            Case(
                f"{slo} breach warns on the breaching scope only",
                length,
                series,
                (Check(at, alert, (scope,)),),
            ),
            Case(f"{slo} breach stays silent without data", length, {}, (Check(at, alert),)),
        ]
    healthy = {
        **_passthrough(config, length, 0),
        **_webhooks(config, length, 0),
    }
    for slo in ("passthrough_p95", "webhook_success"):
        if slo in config.slos:
            alert = _named(found, names.slo_breach_alert(slo))
            cases.append(
                Case(
                    f"{slo} breach stays silent when healthy", length, healthy, (Check(at, alert),)
                )
            )
    return cases


def burn_cases(config: LaunchConfig) -> list[Case]:
    found = burnrate.alerts(config)
    rows = config.rules.burn_windows
    bad, _ = nets(config)
    page_rows = [r for r in rows if r.alert == "page"]
    first = min(page_rows or rows, key=lambda r: r.long)
    fire = int(first.long // MIN) + int(first.short // MIN)
    longest_short = max(r.short for r in (page_rows or rows))
    recovered = fire + int(longest_short // MIN) + 2  # every page row's short window clean
    length = recovered + 2
    scopes = {"webhook_success": {}, "passthrough_p95": {"network": bad}}
    cases = []
    for slo in sorted(config.rules.burn_slos):
        if slo not in scopes:
            continue

        def data(until: int, slo: str = slo) -> dict[str, Values]:
            if slo == "webhook_success":
                return _webhooks(config, length, until)
            return _passthrough(config, length, until)

        classes = sorted({r.alert for r in rows})
        alerts = [_named(found, names.budget_burn_alert(slo, c)) for c in classes]
        cases.append(
            Case(
                f"{slo} budget burn pages and tickets while the error ratio is high",
                length,
                data(length),
                tuple(Check(fire * MIN, a, (scopes[slo],)) for a in alerts),
            )
        )
        cases.append(
            Case(
                f"{slo} budget burn stays silent when healthy",
                length,
                data(0),
                tuple(Check(fire * MIN, a) for a in alerts),
            )
        )
        if page_rows:
            page = _named(found, names.budget_burn_alert(slo, "page"))
            cases.append(
                Case(
                    f"{slo} budget burn page resets once the short window is clean",
                    length,
                    data(fire),
                    (Check(recovered * MIN, page),),
                )
            )
    return cases


def cases(config: LaunchConfig) -> list[Case]:
    return [*breach_cases(config), *burn_cases(config)]
