"""`rules/launchguard.rules.yml`: recording rules for every signal, SLO breach warnings,
burn-rate alerts, the rollback criteria as fallback alerts, self-monitoring and absent
inputs. Built as plain data (the rule file's own schema) from the config; pure.
"""

from __future__ import annotations

from typing import Any

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate import burnrate, fallback, selfmon
from launchguard.generate.alert import Alert
from launchguard.generate.queries import number, raw_counter_sums, window

Rule = dict[str, Any]


def recording(config: LaunchConfig) -> list[Rule]:
    """`launchguard:<signal>` for every signal of the config, in name order, except the
    signals that sum raw counters across series (inputs of the reports): recorded, such a
    sum drops at every reset of any one series, and no rule or dashboard reads it."""
    return [
        {"record": names.recording_rule(name), "expr": config.render_query(name)}
        for name in sorted(config.signals)
        if not raw_counter_sums(config.render_query(name))
    ]


def slo_breaches(config: LaunchConfig) -> list[Alert]:
    """One warning per SLO while its value is on the wrong side of the objective (the
    daemon's `slo_breach`), kept for `clear_for` after it recovers, as the daemon does."""
    out = []
    for slo, spec in sorted(config.slos.items()):
        breach = ">" if spec.comparison == "<=" else "<"
        value = names.recording_rule(spec.signal)
        target = number(spec.objective)
        out.append(
            Alert(
                name=names.slo_breach_alert(slo),
                expr=f"{value} {breach} {target}",
                severity=names.SEVERITY_WARNING,
                summary=f"SLO {slo} breached{_scope_text(config, spec.signal)}",
                description=(
                    f"{slo} is on the wrong side of its objective ({spec.comparison} {target}). "
                    "A warning, not a rollback: see the launch criteria."
                ),
                keep_firing_for=config.evaluation.clear_for,
                labels={names.LABEL_SLO: slo},
            )
        )
    return out


def _scope_text(config: LaunchConfig, signal: str) -> str:
    scope = config.signals[signal].scope
    return "".join(f" on {{{{ $labels.{label} }}}}" for label in scope)


def alerts(config: LaunchConfig) -> list[Alert]:
    """Every alert of the rule file (for runbooks and tests), in file order."""
    return [
        *slo_breaches(config),
        *burnrate.alerts(config),
        *fallback.alerts(config),
        *selfmon.self_alerts(config),
        *selfmon.absent_alerts(config),
    ]


def build(config: LaunchConfig) -> dict[str, Any]:
    """The whole rule file as data."""
    interval = window(config.rules.group_interval)

    def group(name: str, rules: list[Rule]) -> dict[str, Any]:
        return {"name": name, "interval": interval, "rules": rules}

    slo_rules = [
        *recording(config),
        *burnrate.recording(config),
        *(a.rule(config) for a in slo_breaches(config)),
        *(a.rule(config) for a in burnrate.alerts(config)),
    ]
    return {
        "groups": [
            group(names.RULE_GROUP_SLO, slo_rules),
            group(names.RULE_GROUP_FALLBACK, [a.rule(config) for a in fallback.alerts(config)]),
            group(names.RULE_GROUP_SELF, [a.rule(config) for a in selfmon.self_alerts(config)]),
            group(names.RULE_GROUP_ABSENT, [a.rule(config) for a in selfmon.absent_alerts(config)]),
        ]
    }
