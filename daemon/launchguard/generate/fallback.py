"""The five rollback criteria of DESIGN §1 as Prometheus alerts, so on-call is paged even
when the daemon is down. Same signals, thresholds and offsets as the daemon: each operand
is the signal's PromQL, `x@(t - d)` is the same PromQL with `offset d` on every selector.

Where PromQL differs from the daemon (docs/rules-and-dashboards.md):
- an absent operand yields no series, so the alert is silent where the daemon says
  `inconclusive` (never a rollback either way) — but an open daemon decision stays open
  while inconclusive, a firing alert does not;
- `keep_firing_for: clear_for` stands for "resolves after 15 min clear";
- `eod_unsettled` fires per (network, pair); the daemon's decision is per network;
- the `all_networks` escalation is not an alert: Alertmanager groups by `kind`/`network`.
"""

from __future__ import annotations

from collections.abc import Callable

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate.alert import Alert
from launchguard.generate.queries import number, paren, shifted, signal, window


def _passthrough(config: LaunchConfig) -> tuple[str, str]:
    c = config.criteria.passthrough_rollback
    limit = number(c.p95_threshold)
    p95, p95_before = signal(config, c.p95_signal), shifted(config, c.p95_signal, c.previous_window)
    queue, queue_before = (
        signal(config, c.queue_signal),
        shifted(config, c.queue_signal, c.queue_growth_over),
    )
    expr = (
        f"{paren(p95)} > {limit}\nand\n{paren(p95_before)} > {limit}\n"
        f"and\n{paren(queue)} > {paren(queue_before)}"
    )
    text = (
        f"p95 pass-through > {limit} s now and {window(c.previous_window)} ago, and the payout "
        f"queue is longer than {window(c.queue_growth_over)} ago"
    )
    return expr, text


def _stall(config: LaunchConfig) -> tuple[str, str]:
    c = config.criteria.payout_stall
    done = signal(config, c.completed_signal)
    queue, queue_before = (
        signal(config, c.queue_signal),
        shifted(config, c.queue_signal, c.queue_growth_over),
    )
    expr = (
        f"{paren(done)} == 0\nand\n{paren(queue)} > 0\nand\n{paren(queue)} > {paren(queue_before)}"
    )
    text = (
        "no payout completed in the window while the payout queue is non-empty and longer "
        f"than {window(c.queue_growth_over)} ago"
    )
    return expr, text


def _eod(config: LaunchConfig) -> tuple[str, str]:
    c = config.criteria.eod_unsettled
    unsettled = signal(config, c.unsettled_signal)
    before = shifted(config, c.unsettled_signal, c.improvement_over)
    cutoff = signal(config, c.cutoff_signal)
    since = number(c.min_since_cutoff)
    expr = (
        f"{paren(unsettled)} > 0\nand\n(time() - {paren(cutoff)}) >= {since}\n"
        f"and\n{paren(unsettled)} >= {paren(before)}"
    )
    text = (
        f"the pair has unsettled sessions {window(c.min_since_cutoff)} after its cut-off and "
        f"no fewer than {window(c.improvement_over)} ago"
    )
    return expr, text


def _webhook(config: LaunchConfig) -> tuple[str, str]:
    c = config.criteria.webhook_rollback
    limit = number(c.success_threshold)
    success = signal(config, c.success_signal)
    dead, dead_before = (
        signal(config, c.dead_letter_signal),
        shifted(config, c.dead_letter_signal, c.growth_over),
    )
    expr = f"{paren(success)} < {limit}\nand\n{paren(dead)} > {paren(dead_before)}"
    text = (
        f"webhook success below {limit} and the dead-letter queue larger than "
        f"{window(c.growth_over)} ago"
    )
    return expr, text


def _sev1(config: LaunchConfig) -> tuple[str, str]:
    c = config.criteria.sev1
    expr = f"{paren(signal(config, c.signal))} > {number(c.threshold)}"
    return expr, "a SEV1 incident is open"


_BUILDERS: dict[str, Callable[[LaunchConfig], tuple[str, str]]] = {
    "passthrough_rollback": _passthrough,
    "payout_stall": _stall,
    "eod_unsettled": _eod,
    "webhook_rollback": _webhook,
    "sev1": _sev1,
}


def alerts(config: LaunchConfig) -> list[Alert]:
    """One critical alert per rollback criterion, labelled like the daemon's decisions."""
    out = []
    for criterion, alert in names.FALLBACK_ALERTS.items():
        expr, text = _BUILDERS[criterion](config)
        kind = config.actions[criterion].kind
        scope = "".join(
            f" on {{{{ $labels.{label} }}}}"
            for label in (names.LABEL_NETWORK, names.LABEL_PAIR)
            if label in _scope(config, criterion)
        )
        out.append(
            Alert(
                name=alert,
                expr=expr,
                severity=names.severity_for(kind),
                summary=f"Rollback criterion {criterion} met{scope} (Prometheus fallback)",
                description=(
                    f"{text[0].upper()}{text[1:]}. Launch plan: {kind.replace('_', ' ')} "
                    f"({', '.join(config.actions[criterion].steps)}). The warroom declares "
                    "the rollback; check launchguard's own decision first."
                ),
                keep_firing_for=config.evaluation.clear_for,
                labels={names.LABEL_CRITERION: criterion, names.LABEL_KIND: kind},
            )
        )
    return out


def _scope(config: LaunchConfig, criterion: str) -> tuple[str, ...]:
    first = {
        "passthrough_rollback": config.criteria.passthrough_rollback.p95_signal,
        "payout_stall": config.criteria.payout_stall.queue_signal,
        "eod_unsettled": config.criteria.eod_unsettled.unsettled_signal,
        "webhook_rollback": config.criteria.webhook_rollback.dead_letter_signal,
        "sev1": config.criteria.sev1.signal,
    }[criterion]
    return config.signals[first].scope
