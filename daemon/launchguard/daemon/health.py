"""When evaluation is degraded: Prometheus failing, a cycle ended by an exception, the sink
of record (the journal) failing, or a criterion inconclusive too long.

Pure state advanced once per cycle with explicit times; no clock is read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from launchguard.config.models import ROLLBACK_CRITERIA
from launchguard.core.decisions import Key
from launchguard.core.engine import InconclusiveSpan
from launchguard.core.frames import Tick
from launchguard.interfaces import Degraded

UNREACHABLE = "prometheus_unreachable"
EVALUATION_ERROR = "evaluation_error"
DELIVERY_FAILING = "delivery_failing"
INCONCLUSIVE = "inconclusive"


def _label(key: Key) -> str:
    criterion, scope = key
    labels = ",".join(f"{k}={v}" for k, v in scope)
    return f"{criterion}{{{labels}}}"


@dataclass
class Health:
    """Tracks failing cycles and how long each rollback criterion has been inconclusive.

    `degraded_after` is in milliseconds (a Tick)."""

    degraded_after: Tick
    failing_since: Tick | None = None
    failure: str = ""
    erring_since: Tick | None = None
    error: str = ""
    error_sticky: bool = False  # raised after the report: kept for the next report
    sinks_failing: dict[str, tuple[Tick, str]] = field(default_factory=dict)  # since, problem
    inconclusive_since: dict[Key, Tick] = field(default_factory=dict)

    def failed(self, at: Tick, reason: str) -> None:
        """A cycle at `at` could not evaluate (Prometheus unreachable, erroring, garbage)."""
        if self.failing_since is None:
            self.failing_since = at
        self.failure = reason

    def errored(self, at: Tick, reason: str, *, sticky: bool) -> None:
        """An exception ended the cycle at `at`. In the evaluation (`sticky` false) it is
        over with the next evaluation; after the report (recording, a sink, the Go/No-Go)
        it stays for the next report, until a cycle ends without one."""
        if self.erring_since is None:
            self.erring_since = at
        self.error = reason
        self.error_sticky = sticky

    def clean(self) -> None:
        """A cycle ended without an exception."""
        self.erring_since, self.error, self.error_sticky = None, "", False

    def delivered(self, at: Tick, sink: str, problem: str) -> None:
        """The sink of record took the report at `at` (`problem` "") or failed to."""
        if not problem:
            self.sinks_failing.pop(sink, None)
            return
        since = self.sinks_failing.get(sink, (at, ""))[0]
        self.sinks_failing[sink] = (since, problem)

    def evaluated(self, first: Tick, last: Tick, spans: Iterable[InconclusiveSpan]) -> None:
        """A cycle evaluated `first`..`last`; `spans` are its inconclusive runs from `first`.

        A key inconclusive at `last` keeps its earlier start if its run began at `first`
        and it was inconclusive at the end of the previous cycle."""
        self.failing_since = None
        self.failure = ""
        if not self.error_sticky:
            self.clean()
        now: dict[Key, Tick] = {}
        for span in spans:
            if span.criterion not in ROLLBACK_CRITERIA or span.end != last:
                continue
            key = (span.criterion, span.scope)
            earlier = self.inconclusive_since.get(key) if span.start == first else None
            now[key] = earlier if earlier is not None else span.start
        self.inconclusive_since = now

    def degraded(self, at: Tick) -> Degraded | None:
        """The degraded state at `at`, or None when evaluation is trustworthy."""
        if self.failing_since is not None:
            return Degraded(UNREACHABLE, self.failing_since, self.failure)
        if self.erring_since is not None:
            return Degraded(EVALUATION_ERROR, self.erring_since, self.error)
        if self.sinks_failing:
            since = min(since for since, _ in self.sinks_failing.values())
            detail = "; ".join(f"{n}: {p}" for n, (_, p) in sorted(self.sinks_failing.items()))
            return Degraded(DELIVERY_FAILING, since, detail)
        long = sorted(
            (since, key)
            for key, since in self.inconclusive_since.items()
            if at - since >= self.degraded_after
        )
        if not long:
            return None
        detail = "inconclusive: " + ", ".join(_label(key) for _, key in long)
        return Degraded(INCONCLUSIVE, long[0][0], detail)
