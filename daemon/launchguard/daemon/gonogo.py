"""The plan's scheduled Go/No-Go (T+24 h of canary) in the live daemon: assessed once, by
the first good cycle that reaches it, after that cycle's report is delivered.

A promote is a one-off recommendation (a `promote` decision announced as opened, never kept
open); a No-Go is logged with its reasons. At a start, the Go/No-Go is assessed only if no
earlier run can have announced it: the start itself is the first cycle reaching it, or the
journal (`announced`, the ids it has as opened and never resolved) does not hold its
promote and it lies within the lookback. Without a journal a later start announces nothing.
"""

from __future__ import annotations

from collections.abc import Collection

import structlog

from launchguard.config.domain import Launch
from launchguard.core.decisions import Decision, decision_id
from launchguard.core.frames import GLOBAL, Tick, seconds, tick
from launchguard.core.gonogo import CRITERION, Assessment
from launchguard.evaluate import assess_gonogo, scheduled_gonogo_time
from launchguard.interfaces import PrometheusSource

_log = structlog.get_logger("launchguard.daemon")


class ScheduledGonogo:
    """When the daemon owes the plan's Go/No-Go, and its assessment once made."""

    def __init__(self, launch: Launch, announced: Collection[str] | None) -> None:
        at = scheduled_gonogo_time(launch)
        self.at: Tick | None = tick(at) if at is not None else None
        self.lookback = tick(launch.lookback)
        self.announced = frozenset(announced) if announced is not None else None
        self.assessment: Assessment | None = None

    def due(self, at: Tick, started: bool) -> bool:
        """Whether the cycle at `at` must assess it (`started`: the cycle of a start)."""
        if self.at is None or at < self.at:
            return False
        if started and not self._unannounced(at):
            self.at = None
            return False
        return True

    def _unannounced(self, at: Tick) -> bool:
        assert self.at is not None
        if self.announced is None:
            return at == self.at
        promote = decision_id(CRITERION, GLOBAL, self.at)
        return at - self.at <= self.lookback and promote not in self.announced

    async def assess(self, source: PrometheusSource, launch: Launch) -> Decision | None:
        """Assess it; the promote decision, or None for a No-Go. Raises what the fetch
        raises (the next cycle then tries again)."""
        assert self.at is not None
        window = launch.config.plan.gonogo.window
        found = await assess_gonogo(source, launch, seconds(self.at), window)
        self.at, self.assessment = None, found
        _log.info(
            "gonogo", at=found.at, recommendation=found.recommendation, reasons=list(found.reasons)
        )
        return found.decision
