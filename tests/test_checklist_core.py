"""The checklist core (core/checklist.py), table-driven: an item's state at a time from its
span, its check's answer and the signed-off ids. Missing or invalid data is never done."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest

from launchguard.config.checklist import Check, ChecklistItem
from launchguard.core.checklist import (
    CheckAnswer,
    ItemState,
    checklist_at,
    item_status,
    readiness,
    readiness_line,
)

FROM, UNTIL = 1_000.0, 2_000.0
NETWORKS = ("erc20", "trc20")


def item(check: Check | None = None, id_: str = "t-2h.item") -> ChecklistItem:
    return ChecklistItem(id_, "T-2h", "DevOps Lead", {"en": "x"}, FROM, UNTIL, check)


def queue_check(every_network: bool = True) -> Check:
    return Check("sum by (network) (q)", ("network",), every_network, "<=", 0.0)


def answer(at: float, values: Mapping[str, float]) -> CheckAnswer:
    return CheckAnswer(at, tuple(({"network": n}, v) for n, v in values.items()))


ZERO = {"erc20": 0.0, "trc20": 0.0}
CASES = [
    ("a manual item before its moment is not yet due", None, 500.0, None, set(), "not_yet_due"),
    (
        "a manual item due and unsigned waits for its sign-off",
        None,
        1500.0,
        None,
        set(),
        "pending_signoff",
    ),
    ("a manual item signed off is done", None, 1500.0, None, {"t-2h.item"}, "done"),
    ("a manual item signed off after its span is done", None, 2500.0, None, {"t-2h.item"}, "done"),
    ("a manual item unsigned past its span is overdue", None, 2500.0, None, set(), "overdue"),
    (
        "an automated item before its moment is not yet due",
        queue_check(),
        999.0,
        None,
        set(),
        "not_yet_due",
    ),
    ("an automated item due but not fetched is due", queue_check(), 1500.0, None, set(), "due"),
    ("every network meeting the condition is done", queue_check(), 1500.0, ZERO, set(), "done"),
    (
        "one network above the threshold is failing",
        queue_check(),
        1500.0,
        {"erc20": 0.0, "trc20": 3.0},
        set(),
        "failing",
    ),
    ("an empty answer is unknown, never done", queue_check(), 1500.0, {}, set(), "unknown"),
    (
        "a network missing from the answer is unknown",
        queue_check(),
        1500.0,
        {"erc20": 0.0},
        set(),
        "unknown",
    ),
    (
        "a network missing is fine when not every network is expected",
        queue_check(False),
        1500.0,
        {"erc20": 0.0},
        set(),
        "done",
    ),
    (
        "a NaN value is unknown, never done",
        queue_check(),
        1500.0,
        {"erc20": 0.0, "trc20": math.nan},
        set(),
        "unknown",
    ),
    (
        "an infinite value is unknown",
        queue_check(),
        1500.0,
        {"erc20": math.inf, "trc20": 0.0},
        set(),
        "unknown",
    ),
    (
        "a failing scope wins over a missing one",
        queue_check(),
        1500.0,
        {"erc20": 2.0},
        set(),
        "failing",
    ),
    (
        "a sign-off does not make a failing automated item done",
        queue_check(),
        1500.0,
        {"erc20": 1.0, "trc20": 0.0},
        {"t-2h.item"},
        "failing",
    ),
    (
        "an automated item done at the end of its span stays done",
        queue_check(),
        2500.0,
        ZERO,
        set(),
        "done",
    ),
    (
        "an automated item failing at the end of its span is overdue",
        queue_check(),
        2500.0,
        {"erc20": 1.0, "trc20": 0.0},
        set(),
        "overdue",
    ),
    (
        "an automated item without data at the end of its span is overdue",
        queue_check(),
        2500.0,
        {},
        set(),
        "overdue",
    ),
    (
        "the end of the span itself is still due",
        queue_check(),
        UNTIL,
        {"erc20": 1.0, "trc20": 0.0},
        set(),
        "failing",
    ),
]


@pytest.mark.parametrize(
    ("check", "at", "values", "signed", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_item_state(
    check: Check | None,
    at: float,
    values: Mapping[str, float] | None,
    signed: set[str],
    expected: str,
) -> None:
    got = answer(min(at, UNTIL), values) if values is not None else None
    status = item_status(item(check), at, NETWORKS, got, signed)
    assert status.state is ItemState(expected)


def test_evidence_names_each_scope_with_its_value_and_verdict() -> None:
    status = item_status(
        item(queue_check()), 1500.0, NETWORKS, answer(1500.0, {"trc20": 4.0}), set()
    )
    assert [(dict(r.scope), r.value, r.ok) for r in status.evidence] == [
        ({"network": "trc20"}, 4.0, False),
        ({"network": "erc20"}, None, None),
    ]
    assert status.reason == "not <= 0 in network=trc20"
    assert status.evaluated_at == 1500.0


READINESS = [
    ("nothing due yet says so", 500.0, set(), "no checklist item due yet", True),
    (
        "a pending sign-off and a failing check are open",
        1500.0,
        set(),
        "0 of 2 due checklist items done; open: 1 failing, 1 pending signoff",
        False,
    ),
    (
        "a signed manual item leaves only the failing check open",
        1500.0,
        {"t-2h.manual"},
        "1 of 2 due checklist items done; open: 1 failing",
        False,
    ),
]


@pytest.mark.parametrize(
    ("at", "signed", "line", "ready"), [r[1:] for r in READINESS], ids=[r[0] for r in READINESS]
)
def test_readiness(at: float, signed: set[str], line: str, ready: bool) -> None:
    items = [item(None, "t-2h.manual"), item(queue_check(), "t-2h.queues")]
    answers = {"t-2h.queues": answer(at, {"erc20": 1.0, "trc20": 0.0})}
    statuses = checklist_at(items, at, NETWORKS, answers, signed)
    r = readiness(statuses)
    assert readiness_line(r) == line
    assert r.ready is ready


def test_no_answer_at_all_says_no_data_and_lists_every_expected_network() -> None:
    status = item_status(item(queue_check()), 1500.0, NETWORKS, answer(1500.0, {}), set())
    assert (status.state, status.reason) == (ItemState.UNKNOWN, "no data")
    assert [(dict(r.scope), r.value, r.ok) for r in status.evidence] == [
        ({"network": "erc20"}, None, None),
        ({"network": "trc20"}, None, None),
    ]
