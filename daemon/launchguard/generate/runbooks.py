"""docs/runbooks/<AlertName>.md: one page per generated alert — what it means, how to
confirm it with its own query, what to do, who to escalate to. Rendered from the same
alerts as the rule file, so the query shown is the query that fired."""

from __future__ import annotations

import re

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate import rules
from launchguard.generate.alert import Alert

_ACTIONS = {
    "freeze_payouts": "safe-mode: freeze payouts on that network",
    "eod_off": "safe-mode: turn EOD settlement off on that network",
    "safe_mode_all_networks": "safe-mode on every network (EOD off, payouts frozen)",
    "volume_step_down": "lower the volume cap one level (full → canary → pilot → halt)",
    "notify_partners_webhooks_degraded": "notify partners (EN) that webhooks are degraded, "
    "with replay instructions",
}


def _family(config: LaunchConfig, alert: Alert) -> tuple[str, list[str], str]:
    """(what it means, what to do, escalation)."""
    criterion = alert.labels.get(names.LABEL_CRITERION)
    if criterion is not None:
        plan = config.actions[criterion]
        steps = [_ACTIONS.get(s, s) for s in plan.steps]
        return (
            f"Prometheus itself evaluated the launch plan's rollback criterion `{criterion}` "
            "and found it met. This alert pages even when launchguard is down; when the "
            "daemon runs, it has normally opened a `LaunchRollbackRecommended` decision "
            "with evidence at the same time.",
            [
                "Open the launchguard warroom page or `launchguard check` and read the "
                "decision's evidence; if the daemon is down, run the query under "
                '"How to confirm" above.',
                f"Recommended ({plan.kind.replace('_', ' ')}): " + "; ".join(steps) + ".",
                "The warroom declares the rollback; record it in the incident channel.",
            ],
            "Warroom lead and the on-call engineering manager at once (critical).",
        )
    if alert.name.startswith("LaunchSLO"):
        return (
            "An SLO is on the wrong side of its objective. This is a warning, not a "
            "rollback: the rollback criteria have their own, stricter thresholds.",
            [
                "Check the dashboard of the SLO (Executive, Trust or Webhooks) for the scope.",
                "Look for the cause (network congestion, partner endpoint, settlement job) "
                "before it reaches a rollback threshold.",
            ],
            "The launch on-call engineer; the warroom if it lasts more than an hour.",
        )
    if names.LABEL_BURN_WINDOW in alert.labels:
        page = alert.labels[names.LABEL_BURN_WINDOW] == "page"
        return (
            "The SLO's error budget for the period is being spent much faster than it "
            "can last (multi-window multi-burn-rate, SRE workbook).",
            [
                "Compare the error ratios over the long and short windows "
                "(Webhooks dashboard, error-budget burn rate).",
                "Find the partner or network contributing the errors and fix or isolate it.",
            ],
            "Page the on-call engineer now." if page else "Open a ticket for the next day.",
        )
    if alert.name == names.ALERT_INPUT_ABSENT:
        return (
            "An input series that launchguard reads is missing. Criteria that read it are "
            "inconclusive (never a rollback) and the fallback alerts cannot fire for it.",
            [
                "Check the exporter and the Prometheus scrape target for the series.",
                "Check whether the metric was renamed; then update `metrics` in the config.",
            ],
            "The platform team owning the exporter.",
        )
    return (
        "launchguard itself is not doing its job: the rollback recommendations may be "
        "missing or late. The fallback alerts still page for the rollback criteria.",
        [
            "Check the daemon's /healthz and /api/v1/status and its logs.",
            "Check Prometheus and Alertmanager reachability from the daemon.",
            "Restart the daemon: it backtests its lookback and rebuilds open decisions.",
        ],
        "The launchguard owner; the warroom if it lasts more than 15 minutes.",
    )


_LABEL = re.compile(r"\{\{\s*\$labels\.(\w+)\s*\}\}")


def untemplated(text: str) -> tuple[str, list[str]]:
    """An annotation's text for a reader: each `{{ $labels.x }}` of the alert templating
    becomes `<x>`; also the label names replaced, in order of first use."""
    found: list[str] = []

    def named(m: re.Match[str]) -> str:
        found.append(m.group(1))
        return f"`<{m.group(1)}>`"

    return _LABEL.sub(named, text), list(dict.fromkeys(found))


def page(config: LaunchConfig, alert: Alert, rules_of_name: list[Alert]) -> str:
    means, todo, escalate = _family(config, alert)
    summary, labels = untemplated(alert.summary)
    description, more = untemplated(alert.description)
    shown = list(dict.fromkeys(labels + more))
    legend = ["", ", ".join(f"`<{x}>`" for x in shown) + ": the firing alert's labels."]
    lines = [
        f"# {alert.name}",
        "",
        f"Severity: **{alert.severity}**. Generated by `launchguard render`; do not edit.",
        "",
        "## What it means",
        "",
        means,
        "",
        f"Summary: {summary}",
        "",
        description,
        *(legend if shown else []),
        "",
        "## How to confirm",
        "",
        "Run the alert's query in Prometheus (Graph tab) or Grafana Explore:",
        "",
    ]
    for a in rules_of_name[:3]:
        lines += ["```promql", a.expr, "```", ""]
    if len(rules_of_name) > 3:
        lines += [
            f"({len(rules_of_name) - 3} more rules of this name: see rules/launchguard.rules.yml.)",
            "",
        ]
    lines += ["## What to do", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(todo, start=1)]
    lines += ["", "## Escalation", "", escalate, ""]
    return "\n".join(lines)


def build(config: LaunchConfig) -> dict[str, str]:
    """Alert name → its runbook page (Markdown)."""
    by_name: dict[str, list[Alert]] = {}
    for alert in rules.alerts(config):
        by_name.setdefault(alert.name, []).append(alert)
    return {name: page(config, found[0], found) for name, found in sorted(by_name.items())}
