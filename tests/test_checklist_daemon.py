"""The checklist in the daemon's cycle: evaluated at the cycle's grid time after each cycle
that evaluated; when only the checklist's queries fail, the cycle is still ok and the
previous checklist stays with its own time. The source answers the signals with constants
(tests/daemons.FakeSource) and can refuse every query that is not a signal's."""

from __future__ import annotations

from daemons import HEALTHY, FakeSource, test_launch
from launchguard.core.checklist import ItemState
from launchguard.core.frames import tick
from launchguard.daemon import Daemon
from launchguard.prometheus import PrometheusUnreachable, QueryResult

AT = 1_780_272_000.0  # 2026-06-01 00:00 UTC, 02:00 CEST
T0 = "2026-06-01T02:20:00"  # AT is T-20m


class ChecksFailing(FakeSource):
    """Answers the signals; refuses the checklist's queries while `checks_fail` is set."""

    checks_fail = False

    async def query_range(self, expr: str, start: float, end: float, step: float) -> QueryResult:
        if self.checks_fail and expr not in self.by_query:
            raise PrometheusUnreachable("checklist query refused")
        return await super().query_range(expr, start, end, step)


async def test_a_failing_checklist_query_keeps_the_previous_checklist_and_the_cycle_ok() -> None:
    the = test_launch({"evaluation": {"lookback": "5m"}, "launch": {"t0": T0}})
    source = ChecksFailing(the, HEALTHY)
    daemon = Daemon(the, source)
    await daemon.start(AT)
    first = daemon.snapshot
    assert first.checklist_at == tick(AT)
    states = {s.item.id: s.state for s in first.checklist}
    # The fake answers no checklist query with a series: automated items are unknown.
    assert states["t-30m.webhooks"] is ItemState.UNKNOWN
    assert states["t-30m.canary-routes"] is ItemState.PENDING_SIGNOFF

    source.checks_fail = True
    await daemon.cycle(AT + 30)
    second = daemon.snapshot
    assert second.last_outcome == "ok"
    assert second.evaluated_to == tick(AT + 30)
    assert (second.checklist_at, second.checklist) == (first.checklist_at, first.checklist)

    source.checks_fail = False
    await daemon.cycle(AT + 60)
    assert daemon.snapshot.checklist_at == tick(AT + 60)
