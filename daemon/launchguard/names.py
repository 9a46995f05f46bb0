"""Every generated name in one place: alert names, label names, the daemon's own metric
names, recording-rule names. The live daemon, the Alertmanager sink, the rule generator
and the dashboard generator import these, so names cannot drift (STYLE item 3)."""

from __future__ import annotations

# --- Alertmanager (DESIGN §5) -------------------------------------------------------------

ALERT_ROLLBACK = "LaunchRollbackRecommended"
ALERT_SLO_BREACH = "LaunchSLOBreach"
ALERT_SLA_BREACH = "SupportSLABreach"
ALERT_DEGRADED = "LaunchEvaluationDegraded"

LABEL_ALERTNAME = "alertname"
LABEL_CRITERION = "criterion"
LABEL_KIND = "kind"
LABEL_SEVERITY = "severity"
LABEL_DECISION_ID = "decision_id"
LABEL_LAUNCH = "launch"  # which launch (lets inhibition match full and partial rollbacks)

_ALERT_BY_KIND = {
    "partial_rollback": ALERT_ROLLBACK,
    "full_rollback": ALERT_ROLLBACK,
    "slo_breach": ALERT_SLO_BREACH,
    "sla_breach": ALERT_SLA_BREACH,
    "volume_guardrail": ALERT_SLO_BREACH,
    "promote": ALERT_SLO_BREACH,
}
_SEVERITY_BY_KIND = {
    "partial_rollback": "critical",
    "full_rollback": "critical",
    "slo_breach": "warning",
    "sla_breach": "warning",
    "volume_guardrail": "warning",
    "promote": "info",
}


def alertname_for(kind: str) -> str:
    """The Alertmanager alertname of a decision kind."""
    return _ALERT_BY_KIND[kind]


def severity_for(kind: str) -> str:
    """The `severity` label of a decision kind."""
    return _SEVERITY_BY_KIND[kind]


# --- the daemon's own metrics (/metrics) ----------------------------------------------------

METRIC_PREFIX = "launchguard_"
SLO_VALUE = "launchguard_slo_value"  # {slo, network}: the SLO's current value
SLO_OBJECTIVE = "launchguard_slo_objective"  # {slo}
CRITERION_STATE = "launchguard_criterion_state"  # {criterion, network, state}: 1 for the current
DECISIONS_OPEN = "launchguard_decisions_open"  # {kind, criterion, network}
EVALUATION_DURATION = "launchguard_evaluation_duration_seconds"  # histogram
CYCLES = "launchguard_cycles_total"  # {outcome: ok|degraded|failed}
QUERY_ERRORS = "launchguard_query_errors_total"  # {kind: unreachable|timeout|bad_query|...}
LAST_SUCCESS = "launchguard_last_successful_evaluation_timestamp_seconds"
SINK_FAILURES = "launchguard_sink_delivery_failures_total"  # {sink}
EVALUATION_DEGRADED = "launchguard_evaluation_degraded"  # 1 while degraded

# --- recording rules -------------------------------------------------------------------------

RECORDING_PREFIX = "launchguard:"


def recording_rule(signal: str) -> str:
    """The recording-rule name of a config signal, e.g. `launchguard:passthrough_p95`."""
    return f"{RECORDING_PREFIX}{signal}"
