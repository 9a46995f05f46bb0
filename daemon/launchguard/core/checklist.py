"""The cutover checklist at a time (seed 002 §8), pure: items with their due spans, the
values their automated checks answered, and the ids of the manual items signed off in.

States: an item before its moment is `not_yet_due`. A manual item is `pending_signoff`
while due and unsigned, `done` once signed, `overdue` when its span ends unsigned. An
automated item is evaluated at the time asked, or at the end of its span once that has
passed: `done` when every answered scope meets the condition (and every expected network
answered), `failing` when a scope does not, `unknown` when data is missing or invalid
(never `done`); past its span anything but `done` is `overdue`. An automated item whose
check was not fetched is `due`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from enum import StrEnum

from launchguard.config.checklist import Check, ChecklistItem


class ItemState(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    DONE = "done"
    FAILING = "failing"
    UNKNOWN = "unknown"
    PENDING_SIGNOFF = "pending_signoff"
    OVERDUE = "overdue"


OPEN_STATES = (
    ItemState.DUE,
    ItemState.FAILING,
    ItemState.UNKNOWN,
    ItemState.PENDING_SIGNOFF,
    ItemState.OVERDUE,
)
"""Due (or past due) and not done, in the order a readiness line lists them."""

_COMPARE: Mapping[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class CheckAnswer:
    """What a check's query answered at `at` (unix seconds): each series' labels and value."""

    at: float
    series: tuple[tuple[Mapping[str, str], float], ...]


@dataclass(frozen=True)
class ScopeResult:
    """One scope of a check's evidence; `value` None: no data there; `ok` None: unknown."""

    scope: Mapping[str, str]
    value: float | None
    ok: bool | None


@dataclass(frozen=True)
class ItemStatus:
    item: ChecklistItem
    state: ItemState
    reason: str  # one line for people, English
    evaluated_at: float | None = None  # when the check was evaluated (unix seconds)
    evidence: tuple[ScopeResult, ...] = ()


def check_time(item: ChecklistItem, at: float) -> float | None:
    """When an automated item's check is evaluated for the state at `at` (unix seconds):
    `at` while the item is due, the end of its span once past; None before it is due."""
    if item.check is None or at < item.due_from:
        return None
    return min(at, item.due_until)


def evaluate_check(
    check: Check, networks: Sequence[str], answer: CheckAnswer
) -> tuple[ItemState, tuple[ScopeResult, ...], str]:
    """done / failing / unknown from one answer, with the evidence per scope and why."""
    compare = _COMPARE[check.comparison]
    evidence = []
    for labels, value in answer.series:
        scope = {k: labels.get(k, "") for k in check.scope}
        if math.isfinite(value):
            evidence.append(ScopeResult(scope, value, compare(value, check.threshold)))
        else:  # NaN or ±Inf: invalid, counted as no data
            evidence.append(ScopeResult(scope, None, None))
    if check.every_network:
        seen = {r.scope.get("network") for r in evidence}
        evidence += [ScopeResult({"network": n}, None, None) for n in networks if n not in seen]
    condition = f"{check.comparison} {check.threshold:g}"
    failing = [r for r in evidence if r.ok is False]
    unknown = [r for r in evidence if r.ok is None]
    if failing:
        return ItemState.FAILING, tuple(evidence), f"not {condition} in {_scopes(failing)}"
    if not answer.series:
        return ItemState.UNKNOWN, tuple(evidence), "no data"
    if unknown:
        return ItemState.UNKNOWN, tuple(evidence), f"no valid data in {_scopes(unknown)}"
    return ItemState.DONE, tuple(evidence), f"{condition} in {_scopes(evidence)}"


def item_status(
    item: ChecklistItem,
    at: float,
    networks: Sequence[str],
    answer: CheckAnswer | None,
    signed: Set[str],
) -> ItemStatus:
    """The item's state at `at` (unix seconds); `answer` is its check's answer at
    `check_time(item, at)` (None: not fetched), `signed` the ids of the signed-off items."""
    if at < item.due_from:
        return ItemStatus(item, ItemState.NOT_YET_DUE, "not yet due")
    past = at > item.due_until
    if item.check is None:
        if item.id in signed:
            return ItemStatus(item, ItemState.DONE, "signed off")
        if past:
            return ItemStatus(item, ItemState.OVERDUE, "not signed off by the end of its span")
        return ItemStatus(item, ItemState.PENDING_SIGNOFF, "waiting for the owner's sign-off")
    if answer is None:
        state = ItemState.OVERDUE if past else ItemState.DUE
        return ItemStatus(item, state, "check not evaluated")
    state, evidence, why = evaluate_check(item.check, networks, answer)
    if past and state is not ItemState.DONE:
        return ItemStatus(item, ItemState.OVERDUE, f"{state}: {why}", answer.at, evidence)
    return ItemStatus(item, state, why, answer.at, evidence)


def checklist_at(
    items: Sequence[ChecklistItem],
    at: float,
    networks: Sequence[str],
    answers: Mapping[str, CheckAnswer],
    signed: Set[str] = frozenset(),
) -> tuple[ItemStatus, ...]:
    """Every item's state at `at`; `answers` by item id, `signed` the signed-off item ids
    (the warroom's sign-off actions feed it)."""
    return tuple(item_status(i, at, networks, answers.get(i.id), signed) for i in items)


@dataclass(frozen=True)
class Readiness:
    """Counts of the items by state, and the items due or overdue and not done."""

    counts: Mapping[str, int]
    open: tuple[ItemStatus, ...]

    @property
    def ready(self) -> bool:
        """No item due or overdue that is not done."""
        return not self.open


def readiness(statuses: Sequence[ItemStatus]) -> Readiness:
    counts = {state.value: 0 for state in ItemState}
    for s in statuses:
        counts[s.state.value] += 1
    open_ = tuple(s for s in statuses if s.state in OPEN_STATES)
    return Readiness(counts, open_)


def readiness_line(r: Readiness) -> str:
    """'3 of 5 due items done; open: 1 failing, 1 overdue' (English, one line)."""
    due = sum(n for state, n in r.counts.items() if state != ItemState.NOT_YET_DUE)
    done = r.counts[ItemState.DONE]
    if due == 0:
        return "no checklist item due yet"
    head = f"{done} of {due} due checklist items done"
    if r.ready:
        return head
    parts = [f"{r.counts[s]} {s.replace('_', ' ')}" for s in OPEN_STATES if r.counts[s]]
    return f"{head}; open: {', '.join(parts)}"


def _scopes(results: Sequence[ScopeResult]) -> str:
    return ", ".join(
        ",".join(f"{k}={v}" for k, v in sorted(r.scope.items())) or "global" for r in results
    )
