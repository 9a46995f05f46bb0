"""Support SLA breaches (DESIGN §2) proven through `launchguard backtest --format json` on a
real Prometheus serving backfilled helpdesk series (METRICS.md).

The history runs from START - 8.5 days to END = START + 6 h on a 60 s grid; the backtest
covers START … END at 30 s steps. Registration times are deliberately off the grid: a
breach opens at its due time (registration + target), not at an evaluation time, and
resolves at the stage's timestamp.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from launchguard.harness.servers import PrometheusServer
from launchguard.sim.tickets import Ticket, write
from launchguard.sim.timeline import grid

from components import HistoryWriter, serve_prometheus
from launchdays import HOUR, MINUTE, anchor, backtest, rfc

pytestmark = pytest.mark.prometheus

DAY = 24 * HOUR
START = anchor()
END = START + 6 * HOUR


def at(offset: float) -> float:
    return START + offset


TICKETS = (
    Ticket("p1-silent", "p1", at(10 * MINUTE + 7)),
    Ticket("p1-no-workaround", "p1", at(20 * MINUTE), {"responded": at(50 * MINUTE)}),
    Ticket("p2-answered-3h59", "p2", at(30 * MINUTE), {"responded": at(30 * MINUTE + 239 * 60)}),
    Ticket("p2-answered-4h01", "p2", at(40 * MINUTE), {"responded": at(40 * MINUTE + 241 * 60)}),
    Ticket("p4-silent-8-days", "p4", at(-8 * DAY)),
    Ticket("p1-resolved-fast", "p1", at(-2 * DAY), {"resolved": at(-2 * DAY + 30 * MINUTE)}),
    Ticket(
        "p1-late-workaround",
        "p1",
        at(-30 * MINUTE),
        {"responded": at(-20 * MINUTE), "workaround": at(4 * HOUR)},
    ),
    # Answered late, resolved, then no longer exported (helpdesk exporters drop closed tickets).
    Ticket(
        "p1-late-then-dropped",
        "p1",
        at(5 * MINUTE),
        {"responded": at(2 * HOUR), "resolved": at(3 * HOUR)},
        dropped=at(3 * HOUR + 10 * MINUTE),
    ),
)


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    times = grid(START - 8.5 * DAY, END, 60.0)
    history: HistoryWriter = lambda w: write(TICKETS, times, w)  # noqa: E731
    with serve_prometheus(history, tmp_path_factory.mktemp("sla")) as server:
        yield server


@pytest.fixture(scope="module")
def decisions(prometheus: PrometheusServer) -> list[dict[str, Any]]:
    doc = backtest(prometheus, START, END)
    found = [d for d in doc["decisions"] if d["kind"] == "sla_breach"]
    assert found == sorted(found, key=lambda d: d["opened_at"])
    return found


def of_ticket(decisions: list[dict[str, Any]], ticket: str) -> dict[str, dict[str, Any]]:
    return {d["criterion"]: d for d in decisions if d["scope"].get("ticket") == ticket}


def detail(d: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = d["evidence"]["detail"][0]
    return found


def test_a_p1_with_no_response_breaches_at_one_hour_and_escalates_to_the_coordinator(
    decisions: list[dict[str, Any]],
) -> None:
    reaction = of_ticket(decisions, "p1-silent")["sla_reaction"]
    assert reaction["scope"] == {"ticket": "p1-silent", "priority": "p1"}
    assert reaction["opened_at"] == rfc(at(10 * MINUTE + 7) + HOUR)
    assert reaction["resolved_at"] is None
    assert detail(reaction)["escalate_to"] == ["support coordinator"]
    assert [a["step"] for a in reaction["actions"]] == ["escalate"]
    assert "support coordinator" in reaction["actions"][0]["text"]
    assert detail(reaction)["late_by"] == pytest.approx(END - (at(10 * MINUTE + 7) + HOUR))


def test_a_p1_without_workaround_escalates_to_cto_and_rnd_at_four_hours(
    decisions: list[dict[str, Any]],
) -> None:
    for ticket, created in (
        ("p1-silent", at(10 * MINUTE + 7)),
        ("p1-no-workaround", at(20 * MINUTE)),
    ):
        workaround = of_ticket(decisions, ticket)["sla_workaround"]
        assert workaround["opened_at"] == rfc(created + 4 * HOUR)
        assert workaround["resolved_at"] is None
        assert detail(workaround)["escalate_to"] == ["CTO and R&D"]
        assert "CTO and R&D" in workaround["actions"][0]["text"]
        assert "Escalate to CTO and R&D" in workaround["evidence"]["summary"] or (
            "escalate to CTO and R&D" in workaround["evidence"]["summary"]
        )
    # Answered within 30 minutes: no reaction breach, and 24 h for resolution are not over.
    assert set(of_ticket(decisions, "p1-no-workaround")) == {"sla_workaround"}


def test_a_p2_answered_at_3h59m_does_not_breach_and_one_at_4h01m_breaches_for_a_minute(
    decisions: list[dict[str, Any]],
) -> None:
    assert of_ticket(decisions, "p2-answered-3h59") == {}
    late = of_ticket(decisions, "p2-answered-4h01")
    assert set(late) == {"sla_reaction"}
    created = at(40 * MINUTE)
    assert late["sla_reaction"]["opened_at"] == rfc(created + 4 * HOUR)
    assert late["sla_reaction"]["resolved_at"] == rfc(created + 241 * MINUTE)
    assert detail(late["sla_reaction"])["late_by"] == 60
    assert detail(late["sla_reaction"])["reached"] == created + 241 * MINUTE
    assert "late by 1m" in late["sla_reaction"]["evidence"]["summary"]


def test_a_p4_has_only_a_reaction_target_even_when_eight_days_old(
    decisions: list[dict[str, Any]],
) -> None:
    p4 = of_ticket(decisions, "p4-silent-8-days")
    assert set(p4) == {"sla_reaction"}
    # Opened before the backtest's start: shown with its true opened_at, the due time.
    assert p4["sla_reaction"]["opened_at"] == rfc(at(-8 * DAY) + 3 * DAY)
    assert p4["sla_reaction"]["resolved_at"] is None


def test_a_late_workaround_resolves_when_reached_and_keeps_its_lateness(
    decisions: list[dict[str, Any]],
) -> None:
    late = of_ticket(decisions, "p1-late-workaround")
    assert set(late) == {"sla_workaround"}
    d = late["sla_workaround"]
    assert (d["opened_at"], d["resolved_at"]) == (
        rfc(at(-30 * MINUTE) + 4 * HOUR),
        rfc(at(4 * HOUR)),
    )
    assert detail(d)["late_by"] == 30 * MINUTE


def test_tickets_met_before_the_range_and_unbreached_stages_open_nothing(
    decisions: list[dict[str, Any]],
) -> None:
    assert of_ticket(decisions, "p1-resolved-fast") == {}
    # Exactly the breaches derived above, no others.
    assert sorted((d["scope"]["ticket"], d["criterion"]) for d in decisions) == sorted(
        [
            ("p1-silent", "sla_reaction"),
            ("p1-silent", "sla_workaround"),
            ("p1-no-workaround", "sla_workaround"),
            ("p2-answered-4h01", "sla_reaction"),
            ("p4-silent-8-days", "sla_reaction"),
            ("p1-late-workaround", "sla_workaround"),
            ("p1-late-then-dropped", "sla_reaction"),
        ]
    )


def test_a_ticket_no_longer_exported_after_it_closed_keeps_its_breach(
    decisions: list[dict[str, Any]],
) -> None:
    late = of_ticket(decisions, "p1-late-then-dropped")
    # Resolved at 3 h: the workaround counts as reached then, before its 4 h due time.
    assert set(late) == {"sla_reaction"}
    d = late["sla_reaction"]
    assert (d["opened_at"], d["resolved_at"]) == (rfc(at(65 * MINUTE)), rfc(at(2 * HOUR)))
    assert detail(d)["late_by"] == 55 * MINUTE


def test_replaying_the_same_history_yields_the_same_ids(
    prometheus: PrometheusServer, decisions: list[dict[str, Any]]
) -> None:
    again = [d for d in backtest(prometheus, START, END)["decisions"] if d["kind"] == "sla_breach"]
    assert [d["id"] for d in again] == [d["id"] for d in decisions]
    # A later start still shows the true opened_at of breaches open across it.
    later = [
        d
        for d in backtest(prometheus, START + 5 * HOUR, END)["decisions"]
        if d["kind"] == "sla_breach"
    ]
    by_id = {d["id"]: d for d in decisions}
    assert later and all(by_id[d["id"]]["opened_at"] == d["opened_at"] for d in later)
    # p2-answered-4h01 was resolved at START + 4h41m, before the later start.
    assert "p2-answered-4h01" not in {d["scope"]["ticket"] for d in later}
