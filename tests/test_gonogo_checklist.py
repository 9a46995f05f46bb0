"""The cutover checklist among the Go/No-Go's reasons (core/gonogo.assess): an item due at
the decision time in a state of `checklist.gonogo_blocking` (shipped: failing, overdue) is a
reason; without checklist items the Go/No-Go is as before. The window is the healthy one of
tests/test_gonogo_core.py, which promotes canary → full without a checklist."""

from __future__ import annotations

from typing import Any

import pytest

from launchguard.config.checklist import Check, ChecklistItem
from launchguard.core.checklist import ItemState, ItemStatus
from launchguard.core.gonogo import NO_GO, PROMOTE
from test_gonogo_core import decide, healthy, incidents

from factories import launch, merge

QUEUES = Check("sum by (network) (q)", ("network",), True, "<=", 0.0)


def status(state: ItemState, check: Check | None = None) -> ItemStatus:
    item = ChecklistItem("t-2h.queues", "T-2h", "DevOps Lead", {"en": "q"}, 0.0, 1.0, check)
    return ItemStatus(item, state, "not <= 0 in network=trc20")


CASES = [
    ("no checklist items promote as before", [], {}, None),
    ("a failing automated item is a No-Go reason", [status(ItemState.FAILING, QUEUES)], {},
     "checklist item t-2h.queues (T-2h, DevOps Lead) is failing: not <= 0 in network=trc20"),
    ("an overdue item is a No-Go reason", [status(ItemState.OVERDUE)], {},
     "checklist item t-2h.queues (T-2h, DevOps Lead) is overdue: not <= 0 in network=trc20"),
    ("an item awaiting sign-off does not block by default", [status(ItemState.PENDING_SIGNOFF)],
     {}, None),
    ("an unknown item does not block by default", [status(ItemState.UNKNOWN, QUEUES)], {}, None),
    ("a done item never blocks", [status(ItemState.DONE, QUEUES)],
     {"checklist": {"gonogo_blocking": ["failing", "overdue", "unknown", "pending_signoff"]}},
     None),
    ("an item awaiting sign-off blocks when the config lists the state",
     [status(ItemState.PENDING_SIGNOFF)],
     {"checklist": {"gonogo_blocking": ["pending_signoff"]}},
     "checklist item t-2h.queues (T-2h, DevOps Lead) is pending signoff: "
     "not <= 0 in network=trc20"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("statuses", "overrides", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_checklist_items_among_the_reasons(
    statuses: list[ItemStatus], overrides: dict[str, Any], reason: str | None
) -> None:
    result = decide(merge(healthy(), incidents()), launch(overrides), tuple(statuses))
    assert list(result.reasons) == ([] if reason is None else [reason])
    assert result.recommendation == (PROMOTE if reason is None else NO_GO)
    assert result.checklist == tuple(statuses)
