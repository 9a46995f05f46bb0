"""Support SLA in the pure core (DESIGN §2): due times, "late by", escalations, and the live
daemon's way of calling the core: consecutive short spans sharing one DecisionBook.

Times are minutes after ORIGIN. Ticket facts are the two helpdesk signals, read by the core
at the last time of each span.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from launchguard.core import sla
from launchguard.core.engine import evaluate_span, grid, new_book
from launchguard.core.frames import Frame, Frames, frame_from_points, tick

from factories import DEFAULT, launch, unix

HOUR = 60.0  # minutes


def tickets(
    at: float,
    created: Mapping[tuple[str, str], float],
    stages: Mapping[tuple[str, str], float] | None = None,
) -> Frames:
    """The two ticket signals with one point each at minute `at`: (ticket, priority) →
    registration minute, (ticket, stage) → stage minute (only stages reached by `at`)."""
    when = unix(at)

    def frame(name: str, scope: tuple[str, ...], rows: Mapping[tuple[str, str], float]) -> Frame:
        series = [
            ({scope[0]: a, scope[1]: b}, [(when, unix(m))]) for (a, b), m in rows.items() if m <= at
        ]
        return frame_from_points(name, scope, series)

    return {
        "ticket_created": frame("ticket_created", ("ticket", "priority"), created),
        "ticket_stage": frame("ticket_stage", ("ticket", "stage"), stages or {}),
    }


def span(a: float, b: float) -> list[int]:
    return grid(unix(a), unix(b), 30.0)


def lifecycle(frames: Frames, a: float, b: float) -> list[tuple[str, str, float, float | None]]:
    """(ticket, criterion, opened minute, resolved minute) of the SLA decisions of [a, b]."""
    out = evaluate_span(DEFAULT, frames, span(a, b), tick(unix(a)))
    return [
        (
            dict(d.scope)["ticket"],
            d.criterion,
            _minute(d.opened_at),
            None if d.resolved_at is None else _minute(d.resolved_at),
        )
        for d in out.decisions
        if d.kind == sla.KIND
    ]


def _minute(t: int) -> float:
    return (t / 1000 - unix(0)) / 60


CASES = [
    pytest.param(
        {("a", "p1"): 0.0},
        {},
        [("a", "sla_reaction", 60.0, None), ("a", "sla_workaround", 240.0, None)],
        id="a p1 without any answer misses reaction at 1h and workaround at 4h",
    ),
    pytest.param(
        {("a", "p1"): 0.0},
        {("a", "responded"): 60.0},
        [("a", "sla_workaround", 240.0, None)],
        id="a p1 answered exactly at its due time met its reaction target",
    ),
    pytest.param(
        {("a", "p1"): 0.0},
        {("a", "responded"): 60.5},
        [("a", "sla_reaction", 60.0, 60.5), ("a", "sla_workaround", 240.0, None)],
        id="a p1 answered 30 s late breached from the due time to the answer",
    ),
    pytest.param(
        {("a", "p1"): 0.0},
        {("a", "resolved"): 30.0},
        [],
        id="a resolved ticket has reached its reaction and workaround by then",
    ),
    pytest.param(
        {("a", "p2"): 0.0},
        {("a", "responded"): 239.0},
        [],
        id="a p2 answered at 3h59m does not breach",
    ),
    pytest.param(
        {("a", "p4"): -8 * 24 * HOUR},
        {},
        [("a", "sla_reaction", -5 * 24 * HOUR, None)],
        id="a p4 has only a reaction target",
    ),
    pytest.param(
        {("a", "p9"): 0.0},
        {},
        [],
        id="a priority without targets never breaches",
    ),
]


@pytest.mark.parametrize(("created", "stages", "expected"), CASES)
def test_breaches_open_at_the_due_time_and_resolve_at_the_stage_time(
    created: dict[tuple[str, str], float],
    stages: dict[tuple[str, str], float],
    expected: list[tuple[str, str, float, float | None]],
) -> None:
    assert lifecycle(tickets(300.0, created, stages), 0.0, 300.0) == expected


def test_the_live_daemon_keeps_one_book_and_learns_the_answer_in_a_later_cycle() -> None:
    book = new_book(DEFAULT)
    created = {("a", "p1"): 0.0}
    seen: list[tuple[str, float, float, float | None]] = []
    # One short span per 30 s cycle from minute 55 to 80; the answer comes at minute 70.5.
    for k in range(51):
        t = 55.0 + k * 0.5
        frames = tickets(t, created, {("a", "responded"): 70.5})
        out = evaluate_span(DEFAULT, frames, span(t - 1.0, t), tick(unix(t - 1.0)), book)
        for learnt, transition in out.transitions:
            d = transition.decision
            if d.criterion == "sla_reaction":
                resolved = None if d.resolved_at is None else _minute(d.resolved_at)
                seen.append((transition.event, _minute(learnt), _minute(d.opened_at), resolved))
    assert seen == [("opened", 60.0, 60.0, None), ("resolved", 70.5, 60.0, 70.5)]
    [closed] = [d for d in book.closed if d.criterion == "sla_reaction"]
    assert closed.evidence.detail[0]["late_by"] == 10.5 * 60


def test_an_open_breach_refreshes_its_late_by_each_cycle() -> None:
    book = new_book(DEFAULT)
    created = {("a", "p1"): 0.0}
    lates = []
    for t in (61.0, 90.0, 120.0):
        evaluate_span(DEFAULT, tickets(t, created), span(t - 0.5, t), tick(unix(t - 0.5)), book)
        [d] = [d for d in book.open.values() if d.criterion == "sla_reaction"]
        lates.append(d.evidence.detail[0]["late_by"])
    assert lates == [60.0, 30 * 60.0, 60 * 60.0]


def test_a_reprioritised_ticket_resolves_its_old_breach_and_opens_under_the_new_priority() -> None:
    book = new_book(DEFAULT)
    evaluate_span(DEFAULT, tickets(90.0, {("a", "p1"): 0.0}), span(89, 90), tick(unix(89)), book)
    assert [dict(k[1])["priority"] for k in book.open] == ["p1"]
    # Now a p3 (reaction 1 day): no breach any more; the p1 breach resolves at the span start.
    out = evaluate_span(
        DEFAULT, tickets(91.0, {("a", "p3"): 0.0}), span(90.5, 91), tick(unix(90.5)), book
    )
    assert book.open == {}
    [(learnt, resolved)] = [(t, c) for t, c in out.transitions if c.event == "resolved"]
    assert _minute(learnt) == 90.5 and resolved.decision.resolved_at == learnt


def test_a_ticket_with_stage_times_but_no_registration_is_inconclusive_never_a_breach() -> None:
    frames = tickets(300.0, {}, {("ghost", "responded"): 200.0})
    out = evaluate_span(DEFAULT, frames, span(0, 300), tick(unix(0)))
    assert [d for d in out.decisions if d.kind == sla.KIND] == []
    ghost = {s.criterion for s in out.inconclusive if dict(s.scope).get("ticket") == "ghost"}
    assert ghost == {"sla_reaction", "sla_workaround", "sla_resolution"}


@pytest.mark.parametrize(
    ("criterion", "priority", "expected"),
    [
        ("sla_reaction", "p1", ("support coordinator",)),
        ("sla_reaction", "p4", ("support coordinator",)),
        ("sla_workaround", "p1", ("CTO and R&D",)),
        ("sla_workaround", "p2", ("CTO and R&D",)),
        ("sla_workaround", "p3", ()),
        ("sla_resolution", "p2", ("CTO and R&D",)),
        ("sla_resolution", "p3", ()),
    ],
    ids=lambda v: str(v),
)
def test_escalations_follow_the_support_plan(
    criterion: str, priority: str, expected: Sequence[str]
) -> None:
    assert DEFAULT.config.support.escalation_targets(criterion, priority) == tuple(expected)


def test_targets_are_config_data_with_the_support_plans_values_as_defaults() -> None:
    targets = DEFAULT.config.support.targets
    hours = {p: (t.reaction, t.workaround, t.resolution) for p, t in targets.items()}
    h, d = 3600.0, 86400.0
    assert hours == {
        "p1": (h, 4 * h, d),
        "p2": (4 * h, d, 3 * d),
        "p3": (d, 3 * d, 7 * d),
        "p4": (3 * d, None, None),
    }
    shorter = launch({"support": {"targets": {"p1": {"reaction": "30m"}}}})
    frames = tickets(40.0, {("a", "p1"): 0.0})
    out = evaluate_span(shorter, frames, span(0, 40), tick(unix(0)))
    assert [(d.criterion, _minute(d.opened_at)) for d in out.decisions if d.kind == sla.KIND] == [
        ("sla_reaction", 30.0)
    ]
