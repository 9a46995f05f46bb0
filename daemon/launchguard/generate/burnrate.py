"""Multi-window multi-burn-rate alerts (SRE workbook, chapter 5) for the SLOs of
`rules.burn_slos`, with the table of `rules.burn_windows` as data.

Error ratio over a window = 1 - the good-ratio signal with that window. A row fires when
the ratio over both its long and its short window exceeds factor x (1 - objective); the
rows of one class (`page`, `ticket`) are OR-ed into one alert per SLO.
"""

from __future__ import annotations

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.config.rules import BurnSLO
from launchguard.generate.alert import Alert, Rule
from launchguard.generate.queries import number, signal, window


def windows(config: LaunchConfig) -> list[float]:
    """Every window an error ratio is recorded over (seconds, ascending), the period too."""
    found = {config.rules.slo_period}
    for row in config.rules.burn_windows:
        found |= {row.long, row.short}
    return sorted(found)


def recording(config: LaunchConfig) -> list[Rule]:
    """Error ratio per SLO and window, and the share of the period's budget left."""
    out: list[Rule] = []
    for slo, spec in sorted(config.rules.burn_slos.items()):
        for w in windows(config):
            good = signal(config, spec.good_ratio_signal, w)
            out.append({"record": names.error_ratio_rule(slo, window(w)), "expr": f"1 - ({good})"})
        period = names.error_ratio_rule(slo, window(config.rules.slo_period))
        out.append(
            {
                "record": names.budget_remaining_rule(slo),
                "expr": f"1 - {period} / {number(1 - spec.objective)}",
            }
        )
    return out


def _expr(config: LaunchConfig, slo: str, spec: BurnSLO, alert_class: str) -> str:
    budget = 1 - spec.objective
    terms = []
    for row in config.rules.burn_windows:
        if row.alert != alert_class:
            continue
        limit = number(row.factor * budget)
        long_, short = (names.error_ratio_rule(slo, window(w)) for w in (row.long, row.short))
        terms.append(f"({long_} > {limit} and {short} > {limit})")
    return "\n  or\n".join(terms)


def alerts(config: LaunchConfig) -> list[Alert]:
    """One alert per SLO and table class present in the table."""
    out = []
    classes = sorted({row.alert for row in config.rules.burn_windows})
    for slo, spec in sorted(config.rules.burn_slos.items()):
        scope = config.signals[spec.good_ratio_signal].scope
        where = "".join(f" on {{{{ $labels.{label} }}}}" for label in scope)
        period = window(config.rules.slo_period)
        for alert_class in classes:
            rows = [r for r in config.rules.burn_windows if r.alert == alert_class]
            table = ", ".join(
                f"{window(r.long)}/{window(r.short)} x{number(r.factor)}" for r in rows
            )
            out.append(
                Alert(
                    name=names.budget_burn_alert(slo, alert_class),
                    expr=_expr(config, slo, spec, alert_class),
                    severity=names.BURN_SEVERITY[alert_class],
                    summary=f"{slo} is burning its {period} error budget fast{where}",
                    description=(
                        f"Error ratio of {slo} (objective {number(spec.objective)}) exceeds "
                        f"the burn-rate limits ({table}): at this pace the {period} budget "
                        "runs out early."
                    ),
                    labels={names.LABEL_SLO: slo, names.LABEL_BURN_WINDOW: alert_class},
                )
            )
    return out
