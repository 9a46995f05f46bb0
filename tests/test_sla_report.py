"""`launchguard sla report --month YYYY-MM` (the support plan's monthly KPI report) on a real
Prometheus holding a month of helpdesk series: tickets by priority, reaction and resolution
times (median, nearest-rank p95), breaches by stage whose due time fell in the month, and
escalations. The month is two months before now, in Europe/Warsaw.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from launchguard.cli import main
from launchguard.harness.servers import PrometheusServer
from launchguard.sim.tickets import Ticket, write
from launchguard.sim.timeline import grid

from components import HistoryWriter, serve_prometheus

pytestmark = pytest.mark.prometheus

WARSAW = ZoneInfo("Europe/Warsaw")
H, D = 3600.0, 86400.0


def month_two_back() -> tuple[str, float, float]:
    today = datetime.now(WARSAW)
    year, month = today.year, today.month - 2
    if month < 1:
        year, month = year - 1, month + 12
    start = datetime(year, month, 1, tzinfo=WARSAW)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=WARSAW)
    return f"{year:04d}-{month:02d}", start.timestamp(), end.timestamp()


MONTH, MS, ME = month_two_back()

TICKETS = [
    Ticket(
        "A",
        "p1",
        MS + 2 * D,
        {
            "responded": MS + 2 * D + 0.5 * H,
            "workaround": MS + 2 * D + H,
            "resolved": MS + 2 * D + 10 * H,
        },
    ),
    Ticket(
        "B",
        "p1",
        MS + 3 * D,
        {
            "responded": MS + 3 * D + 2 * H,
            "workaround": MS + 3 * D + 3 * H,
            "resolved": MS + 3 * D + 20 * H,
        },
    ),
    Ticket("C", "p1", ME - 30 * H),  # nobody answers: reaction, workaround, resolution missed
    Ticket("H", "p1", ME - 20 * 60),  # reaction due in the next month
    Ticket(
        "D",
        "p2",
        MS + 5 * D,
        {"responded": MS + 5 * D + H, "workaround": MS + 5 * D + 2 * H, "resolved": MS + 7 * D},
    ),
    # Registered the month before, its reaction due (and missed) in the month.
    Ticket(
        "G",
        "p2",
        MS - 2 * H,
        {"responded": MS + 5 * H, "workaround": MS + 10 * H, "resolved": MS + D},
    ),
    Ticket(
        "E",
        "p3",
        MS + 6 * D,
        {"responded": MS + 8 * D, "workaround": MS + 8.5 * D, "resolved": MS + 11 * D},
    ),
    # 00:10 Warsaw on the 1st (still the previous month in UTC).
    Ticket(
        "I",
        "p3",
        MS + 600,
        {"responded": MS + 600 + H, "workaround": MS + 600 + D, "resolved": MS + 600 + 2 * D},
    ),
    Ticket("F", "p4", MS + H, {"responded": MS + H + 4 * D}),
]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    # The report reads the timestamps once, at the month's end: the last two hours suffice.
    times = grid(ME - 2 * H, ME + 600, 60.0)
    history: HistoryWriter = lambda w: write(TICKETS, times, w)  # noqa: E731
    with serve_prometheus(
        history, tmp_path_factory.mktemp("sla-month"), retention="400d"
    ) as server:
        yield server


def sla_report(prometheus: PrometheusServer, fmt: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            ["sla", "report", "--month", MONTH, "--prometheus", prometheus.url, "--format", fmt]
        )
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def doc(prometheus: PrometheusServer) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(sla_report(prometheus, "json"))
    return result


def row(doc: dict[str, Any], priority: str) -> dict[str, Any]:
    [found] = [r for r in doc["by_priority"] if r["priority"] == priority]
    return found


def test_the_month_is_the_warsaw_calendar_month(doc: dict[str, Any]) -> None:
    assert doc["month"] == MONTH and doc["timezone"] == "Europe/Warsaw"
    assert datetime.fromisoformat(doc["from"]).timestamp() == MS
    assert datetime.fromisoformat(doc["to"]).timestamp() == ME
    assert datetime.fromisoformat(doc["read_at"]).timestamp() < ME


@pytest.mark.parametrize(
    ("priority", "tickets", "reaction", "resolution"),
    [
        pytest.param(
            "p1",
            4,
            (2, 4500.0, 7200.0),
            (2, 54000.0, 72000.0),
            id="p1: four registered, two answered and resolved",
        ),
        pytest.param(
            "p2",
            1,
            (1, H, H),
            (1, 2 * D, 2 * D),
            id="p2: a ticket registered the month before is not counted",
        ),
        pytest.param(
            "p3",
            2,
            (2, (H + 2 * D) / 2, 2 * D),
            (2, 3.5 * D, 5 * D),
            id="p3: one registered at 00:10 Warsaw on the 1st counts",
        ),
        pytest.param(
            "p4",
            1,
            (1, 4 * D, 4 * D),
            (0, None, None),
            id="p4: answered after four days, never resolved",
        ),
    ],
)
def test_tickets_and_stage_times_by_priority(
    doc: dict[str, Any],
    priority: str,
    tickets: int,
    reaction: tuple[int, float, float],
    resolution: tuple[int, float | None, float | None],
) -> None:
    r = row(doc, priority)
    assert r["tickets"] == tickets
    assert (
        r["reaction"]["reached"],
        r["reaction"]["median_seconds"],
        r["reaction"]["p95_seconds"],
    ) == reaction
    assert (
        r["resolution"]["reached"],
        r["resolution"]["median_seconds"],
        r["resolution"]["p95_seconds"],
    ) == resolution
    assert doc["tickets"] == 8


def test_breaches_due_in_the_month_by_stage_and_their_escalations(doc: dict[str, Any]) -> None:
    assert doc["breaches"]["by_stage"] == {
        "reaction": {"p1": 2, "p2": 1, "p3": 1, "p4": 1},
        "workaround": {"p1": 1},
        "resolution": {"p1": 1},
    }
    assert (doc["breaches"]["total"], doc["breaches"]["open"]) == (7, 3)
    assert doc["escalations"] == {"CTO and R&D": 2, "support coordinator": 5}


def test_the_markdown_report_shows_the_same_figures(prometheus: PrometheusServer) -> None:
    text = sla_report(prometheus, "markdown")
    assert text.startswith(f"# Support SLA report {MONTH}\n")
    assert "| p1 | 4 | 1h15m / 2h (2) | 15h / 20h (2) |" in text
    assert "| p4 | 1 | 4d / 4d (1) | — / — (0) |" in text
    assert "| reaction | 2 | 1 | 1 | 1 | 5 |" in text
    assert "| workaround | 1 | 0 | 0 | 0 | 1 |" in text
    assert "- CTO and R&D: 2" in text and "- support coordinator: 5" in text


def test_a_month_that_has_not_started_is_a_usage_error() -> None:
    future = time.gmtime(time.time() + 70 * D)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["sla", "report", "--month", f"{future.tm_year:04d}-{future.tm_mon:02d}"])
    assert code == 2
    assert "--month" in err.getvalue()
