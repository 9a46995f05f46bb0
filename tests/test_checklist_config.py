"""The checklist's config: moments placed on the Warsaw wall clock across DST, the due span's
boundaries, and bad items named by their field (exit 2 through `validate`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from launchguard.config.loader import ConfigError, default_text, parse
from launchguard.core.checklist import ItemState, item_status

from factories import launch


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


# DST starts in Warsaw on 2026-03-29 (02:00 CET → 03:00 CEST); ends on 2026-10-25.
SPANS = [
    ("T-7d before the spring change keeps 10:00 local, one hour earlier in UTC",
     "2026-03-31T10:00:00", "t-7d.gas-reserves", "2026-03-24T09:00:00", "2026-03-28T09:00:00"),
    ("T-2h on the day after the spring change is 08:00 local in CEST",
     "2026-03-31T10:00:00", "t-2h.payout-queues", "2026-03-31T06:00:00", "2026-03-31T07:30:00"),
    ("T-3d across the autumn change keeps 10:00 local, one hour later in UTC",
     "2026-10-27T10:00:00", "t-3d.cutoffs", "2026-10-24T08:00:00", "2026-10-26T09:00:00"),
    ("T+24h is named by the config and spans six days",
     "2026-12-01T10:00:00", "t+24h.daily-report", "2026-12-02T09:00:00", "2026-12-08T09:00:00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("t0", "item_id", "due_from", "due_until"), [s[1:] for s in SPANS], ids=[s[0] for s in SPANS]
)
def test_moments_are_placed_on_the_launch_zone_wall_clock(
    t0: str, item_id: str, due_from: str, due_until: str
) -> None:
    [item] = [i for i in launch({"launch": {"t0": t0}}).checklist if i.id == item_id]
    assert (item.due_from, item.due_until) == (utc(due_from), utc(due_until))


BOUNDARIES = [
    ("a second before its moment the item is not yet due", -1.0, "not_yet_due"),
    ("at its moment the item is due", 0.0, "pending_signoff"),
    ("at the end of its span the item is still due", 90 * 60.0, "pending_signoff"),
    ("a second after its span the unsigned item is overdue", 90 * 60.0 + 1, "overdue"),
]


@pytest.mark.parametrize(
    ("offset", "state"), [b[1:] for b in BOUNDARIES], ids=[b[0] for b in BOUNDARIES]
)
def test_the_due_span_boundaries(offset: float, state: str) -> None:
    the = launch({"launch": {"t0": "2026-03-31T10:00:00"}})
    [item] = [i for i in the.checklist if i.id == "t-2h.warroom"]
    status = item_status(item, utc("2026-03-31T06:00:00") + offset, the.networks, None, set())
    assert status.state is ItemState(state)


def test_without_t0_there_is_no_checklist() -> None:
    assert launch().checklist == ()


def moment(**check: Any) -> dict[str, Any]:
    item = {"id": "t-1h.x", "owner": "QA Lead", "text": {"en": "x"}, "check": check}
    return {"at": "-1h", "due_for": "1h", "items": [item]}


OK_CHECK = {"query": "sum({payout_queue_depth})", "comparison": "<=", "threshold": 0}
BAD = [
    ("an unknown placeholder is named", [moment(**{**OK_CHECK, "query": "sum({queue})"})],
     "checklist.moments.0.items.0.check.query", "unknown placeholder {queue}"),
    ("a PromQL syntax error is named", [moment(**{**OK_CHECK, "query": "sum(("})],
     "checklist.moments.0.items.0.check.query", "PromQL syntax error"),
    ("{window} without a window is named",
     [moment(**{**OK_CHECK, "query": "sum(rate({payout_completed}[{window}]))"})],
     "checklist.moments.0.items.0.check.window", "no window is set"),
    ("a repeated id is named", [moment(**OK_CHECK), moment(**OK_CHECK)],
     "checklist.moments", "t-1h.x repeated"),
    ("every_network without the network label is named",
     [moment(**{**OK_CHECK, "every_network": True})],
     "checklist.moments.0.items.0.check", "every_network needs 'network'"),
    ("an unknown comparison is named", [moment(**{**OK_CHECK, "comparison": "!="})],
     "checklist.moments.0.items.0.check.comparison", ""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("moments", "field", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_a_bad_item_is_named_by_its_field(
    moments: list[dict[str, Any]], field: str, message: str
) -> None:
    raw = yaml.safe_load(default_text())
    raw["checklist"]["moments"] = moments
    with pytest.raises(ConfigError) as caught:
        parse(raw, "<test>")
    assert any(p == field and message in m for p, m in caught.value.problems), caught.value
