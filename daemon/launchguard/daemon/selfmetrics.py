"""The daemon's own metrics, in a registry of its own (served at /metrics).

Names come from `names.py`. Gauges that describe the last evaluation (SLO values, criterion
states, open decisions) are rebuilt after every cycle that evaluated, so a scope that
disappears does not linger; a failed cycle leaves them as they were (state frozen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from launchguard import names
from launchguard.config.domain import Launch
from launchguard.core.frames import NoData, ScopeKey
from launchguard.core.verdicts import State

if TYPE_CHECKING:
    from launchguard.daemon.snapshot import Snapshot

DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CYCLE_OUTCOMES = ("ok", "degraded", names.CYCLE_FAILED, names.CYCLE_ERROR)
CYCLE_ERROR_STAGES = ("fetch", "core", "record", "sink", "gonogo")
QUERY_ERROR_KINDS = (
    "unreachable",
    "timeout",
    "bad_query",
    "bad_response",
    "http",
    "response_too_large",
)


def _network(scope: ScopeKey) -> str:
    return dict(scope).get("network", "")


class SelfMetrics:
    """The metrics of names.py, registered in `registry` (a fresh one by default)."""

    def __init__(self, launch: Launch, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.slo_value = Gauge(
            names.SLO_VALUE, "SLO value at the last evaluation", ["slo", "network"], registry=r
        )
        self.slo_objective = Gauge(names.SLO_OBJECTIVE, "SLO objective", ["slo"], registry=r)
        self.criterion_state = Gauge(
            names.CRITERION_STATE,
            "1 for the criterion's state at the last evaluation (fired|clear|inconclusive)",
            ["criterion", "network", "state"],
            registry=r,
        )
        self.decisions_open = Gauge(
            names.DECISIONS_OPEN, "open decisions", ["kind", "criterion", "network"], registry=r
        )
        self.duration = Histogram(
            names.EVALUATION_DURATION,
            "duration of one evaluation cycle (fetch, core, delivery excluded), seconds",
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self.cycles = Counter(names.CYCLES, "evaluation cycles by outcome", ["outcome"], registry=r)
        self.cycle_errors = Counter(
            names.CYCLE_ERRORS,
            "cycles an exception ended, by the stage that raised it",
            [names.LABEL_STAGE],
            registry=r,
        )
        self.query_errors = Counter(
            names.QUERY_ERRORS, "failed Prometheus queries by kind", ["kind"], registry=r
        )
        self.last_success = Gauge(
            names.LAST_SUCCESS, "unix time of the last successful evaluation", registry=r
        )
        self.sink_failures = Counter(
            names.SINK_FAILURES, "reports a sink failed to deliver", ["sink"], registry=r
        )
        self.degraded = Gauge(
            names.EVALUATION_DEGRADED, "1 while evaluation is degraded", registry=r
        )
        self.invalid = Counter(
            names.INVALID_SAMPLES,
            "samples outside their signal's value domain (±Inf, NaN, ...), read as absent",
            ["signal"],
            registry=r,
        )
        for signal in launch.signals:
            self.invalid.labels(signal)
        for slo, spec in launch.slos.items():
            self.slo_objective.labels(slo).set(spec.objective)
        for outcome in CYCLE_OUTCOMES:
            self.cycles.labels(outcome)
        for kind in QUERY_ERROR_KINDS:
            self.query_errors.labels(kind)
        for stage in CYCLE_ERROR_STAGES:
            self.cycle_errors.labels(stage)

    def counted(
        self, outcome: str, duration: float, degraded: bool, errors: Sequence[str] = ()
    ) -> None:
        """Count one cycle: its outcome, its evaluation time (seconds), whether evaluation is
        degraded after it, and the stages where an exception ended it (`errors`)."""
        self.cycles.labels(outcome).inc()
        self.duration.observe(duration)
        self.degraded.set(1 if degraded else 0)
        for stage in errors:
            self.cycle_errors.labels(stage).inc()

    def state(self, snap: Snapshot, evaluated: bool) -> None:
        """The gauges of the state after a cycle; those of the last evaluation are kept as
        they were when the cycle evaluated nothing (`evaluated` false: failed or error)."""
        if not evaluated:
            return
        if snap.last_success is not None:
            self.last_success.set(snap.last_success)
        self.slo_value.clear()
        for reading in snap.slos:
            if not isinstance(reading.value, NoData):
                self.slo_value.labels(reading.slo, _network(reading.scope)).set(reading.value)
        self.criterion_state.clear()
        for verdict in snap.verdicts:
            for state in State:
                self.criterion_state.labels(
                    verdict.criterion, _network(verdict.scope), state.value
                ).set(1 if verdict.state is state else 0)
        self.decisions_open.clear()
        for decision in snap.open:
            self.decisions_open.labels(
                decision.kind, decision.criterion, _network(decision.scope)
            ).inc()

    def invalid_samples(self, counts: Mapping[str, int]) -> None:
        """Count the invalid samples of an evaluated span, per signal."""
        for signal, n in counts.items():
            self.invalid.labels(signal).inc(n)

    def query_error(self, kind: str) -> None:
        self.query_errors.labels(kind).inc()

    def sink_failure(self, sink: str, count: int = 1) -> None:
        self.sink_failures.labels(sink).inc(count)

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
