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
LABEL_ESCALATE_TO = "escalate_to"  # SupportSLABreach: who it goes to, e.g. "CTO and R&D"
SEVERITY_DEGRADED = "critical"  # LaunchEvaluationDegraded: the criteria cannot be trusted
# Annotations of every alert, in English and in Russian (the warroom reads both).
ANNOTATION_SUMMARY = "summary"
ANNOTATION_DESCRIPTION = "description"
ANNOTATION_SUMMARY_RU = "summary_ru"
ANNOTATION_DESCRIPTION_RU = "description_ru"
ANNOTATION_PARTNER_NOTICE = "partner_notice"  # webhook_rollback: the English notice to partners

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
CYCLES = "launchguard_cycles_total"  # {outcome: ok|degraded|failed|error}
CYCLE_ERRORS = "launchguard_cycle_errors_total"  # {stage: fetch|core|record|sink|gonogo}
QUERY_ERRORS = "launchguard_query_errors_total"  # {kind: unreachable|timeout|bad_query|...}
LAST_SUCCESS = "launchguard_last_successful_evaluation_timestamp_seconds"
SINK_FAILURES = "launchguard_sink_delivery_failures_total"  # {sink}
EVALUATION_DEGRADED = "launchguard_evaluation_degraded"  # 1 while degraded
INVALID_SAMPLES = "launchguard_invalid_samples_total"  # {signal}: samples outside the domain

# --- recording rules -------------------------------------------------------------------------

RECORDING_PREFIX = "launchguard:"


def recording_rule(signal: str) -> str:
    """The recording-rule name of a config signal, e.g. `launchguard:passthrough_p95`."""
    return f"{RECORDING_PREFIX}{signal}"


# --- generated Prometheus alerts (rules/launchguard.rules.yml, `launchguard render`) ---------

RULE_GROUP_SLO = "launchguard-slo"
RULE_GROUP_FALLBACK = "launchguard-rollback-fallback"
RULE_GROUP_SELF = "launchguard-self"
RULE_GROUP_ABSENT = "launchguard-absent-inputs"

FALLBACK_ALERTS = {
    "passthrough_rollback": "LaunchFallbackPassthroughRollback",
    "payout_stall": "LaunchFallbackPayoutStall",
    "eod_unsettled": "LaunchFallbackEodUnsettled",
    "webhook_rollback": "LaunchFallbackWebhookRollback",
    "sev1": "LaunchFallbackSev1",
}
"""criterion → the alert that pages when the daemon cannot (it is down or failing)."""

ALERT_DAEMON_DOWN = "LaunchguardDown"
ALERT_EVALUATION_FAILING = "LaunchguardEvaluationFailing"
ALERT_EVALUATION_STALE = "LaunchguardEvaluationStale"
ALERT_DELIVERY_FAILING = "LaunchguardAlertmanagerDeliveryFailing"
ALERT_INPUT_ABSENT = "LaunchInputAbsent"

LABEL_SLO = "slo"
LABEL_NETWORK = "network"
LABEL_PAIR = "pair"
LABEL_INPUT = "input"  # the absent input metric's name
LABEL_BURN_WINDOW = "burn_window"  # `page` or `ticket`
LABEL_SINK = "sink"
LABEL_OUTCOME = "outcome"
LABEL_JOB = "job"
ANNOTATION_RUNBOOK = "runbook_url"

SEVERITY_CRITICAL, SEVERITY_WARNING, SEVERITY_INFO = "critical", "warning", "info"
BURN_SEVERITY = {"page": SEVERITY_CRITICAL, "ticket": SEVERITY_WARNING}

CYCLE_FAILED = "failed"  # `outcome` label value of a cycle that could not evaluate (CYCLES)
CYCLE_ERROR = "error"  # `outcome` of a cycle an exception ended (a bug or a broken sink)
LABEL_STAGE = "stage"  # CYCLE_ERRORS: where in the cycle the exception was raised


def camel(name: str) -> str:
    """`passthrough_p95` → `PassthroughP95`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def slo_breach_alert(slo: str) -> str:
    """The Prometheus-side SLO breach warning of an SLO, e.g. `LaunchSLOPassthroughP95Breach`."""
    return f"LaunchSLO{camel(slo)}Breach"


def budget_burn_alert(slo: str, alert_class: str) -> str:
    """The burn-rate alert of an SLO and a table class (`page`, `ticket`),
    e.g. `LaunchWebhookSuccessBudgetBurnPage`."""
    return f"Launch{camel(slo)}BudgetBurn{camel(alert_class)}"


def error_ratio_rule(slo: str, window: str) -> str:
    """Recording rule of an SLO's error ratio over a window (`1h`, `30d`),
    e.g. `launchguard:webhook_success:error_ratio1h`."""
    return f"{RECORDING_PREFIX}{slo}:error_ratio{window}"


def budget_remaining_rule(slo: str) -> str:
    """Recording rule of the share of the SLO period's error budget left (1: untouched)."""
    return f"{RECORDING_PREFIX}{slo}:error_budget_remaining"
