"""The checklist's I/O edge: each due automated item's check fetched with one request (a
one-point range at the item's check time, aggregated `by` its scope), all concurrently, and
the pure core (`core.checklist`) run on the answers."""

from __future__ import annotations

from collections.abc import Set

from launchguard.concurrency import gather_or_cancel
from launchguard.config.checklist import ChecklistItem
from launchguard.config.domain import Launch
from launchguard.core.checklist import CheckAnswer, ItemStatus, check_time, checklist_at
from launchguard.interfaces import PrometheusSource
from launchguard.prometheus import PrometheusBadQuery
from launchguard.signals import SignalQueryError


class CheckQueryError(SignalQueryError):
    """Prometheus rejected a checklist item's query: the config is wrong (exit 2)."""

    def __init__(self, item: str, query: str, message: str) -> None:
        Exception.__init__(
            self, f"checklist item {item!r}: Prometheus rejected {query!r}: {message}"
        )
        self.signal = item


async def _answer(source: PrometheusSource, item: ChecklistItem, at: float) -> CheckAnswer:
    assert item.check is not None
    try:
        result = await source.query_range(item.check.query, at, at, 1.0)
    except PrometheusBadQuery as exc:
        raise CheckQueryError(item.id, item.check.query, str(exc)) from exc
    # One point per series (a one-step range): its value is the answer at `at`.
    series = tuple((s.labels, s.points[-1][1]) for s in result.series if s.points)
    return CheckAnswer(at, series)


async def fetch_answers(
    source: PrometheusSource, launch: Launch, at: float
) -> dict[str, CheckAnswer]:
    """Item id → its check's answer, for every automated item due at `at` (unix seconds) or
    past due (evaluated at the end of its span). Raises the source's errors."""
    due = [(i, t) for i in launch.checklist if (t := check_time(i, at)) is not None]
    answers = await gather_or_cancel(_answer(source, item, t) for item, t in due)
    return {item.id: answer for (item, _), answer in zip(due, answers, strict=True)}


async def checklist_status(
    source: PrometheusSource, launch: Launch, at: float, signed: Set[str] = frozenset()
) -> tuple[ItemStatus, ...]:
    """Every item's state at `at`; `signed`: ids of the manual items signed off."""
    answers = await fetch_answers(source, launch, at)
    return checklist_at(launch.checklist, at, launch.networks, answers, signed)
