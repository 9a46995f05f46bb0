"""Ranges that run past the data (DESIGN §5 `evaluated_to`) and ticket facts kept after their
series disappear (DESIGN §2), through the CLI on a real Prometheus.

One 4-hour launch day from START to END (the last sample of every series), with a SEV1 from
START + 1 h to START + 1 h 30 min and another open from START + 3 h 30 min to the end, and
helpdesk series on a 60 s grid up to END. Each range command is run with its end at END and
6 h later: the later one lists exactly the same decisions and breaches, evaluated to END, and
names the 6 h without data. With no data at all, commands exit 4 and say so.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from launchguard.cli import main
from launchguard.harness.servers import PrometheusServer
from launchguard.sim import tickets
from launchguard.sim.openmetrics import OpenMetricsWriter
from launchguard.sim.timeline import grid

import launchday
from components import serve_prometheus
from launchdays import HOUR, MINUTE, anchor, day, rfc, step_at

pytestmark = pytest.mark.prometheus

START = anchor()
END = START + 4 * HOUR
LATER = END + 6 * HOUR
FROM = START + 30 * MINUTE
WARSAW = ZoneInfo("Europe/Warsaw")

TICKETS = (
    # Answered 55 min late, resolved, then dropped by the exporter: its breach stays.
    tickets.Ticket(
        "dropped",
        "p1",
        START + 5 * MINUTE,
        {"responded": START + 2 * HOUR, "resolved": START + 2 * HOUR + 30 * MINUTE},
        dropped=START + 2 * HOUR + 40 * MINUTE,
    ),
    tickets.Ticket("silent", "p1", START + 2 * HOUR),  # reaction due at START + 3 h, open
    tickets.Ticket("after-the-data", "p1", END - 20 * MINUTE),  # due 40 min after the data
)


def sev1(t: float) -> float:
    first = step_at(START + HOUR, 0.0, 1.0, START + 90 * MINUTE)(t)
    return max(first, step_at(START + 3.5 * HOUR, 0.0, 1.0)(t))


def history(w: OpenMetricsWriter) -> None:
    launchday.write(day(START, end=END, sev1_open=sev1), w)
    tickets.write(TICKETS, grid(START - HOUR, END, 60.0), w)


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    with serve_prometheus(history, tmp_path_factory.mktemp("past")) as server:
        yield server


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    with PrometheusServer(tmp_path_factory.mktemp("empty") / "data") as server:
        yield server


def run(server: PrometheusServer, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([argv[0], *argv[1:], "--prometheus", server.url])
    return code, out.getvalue(), err.getvalue()


def json_of(server: PrometheusServer, *argv: str) -> dict[str, Any]:
    code, out, err = run(server, *argv, "--format", "json")
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return doc


def local(t: float) -> str:
    return datetime.fromtimestamp(t, WARSAW).isoformat(timespec="seconds")


def month_of(t: float) -> tuple[str, float, float]:
    at = datetime.fromtimestamp(t, WARSAW)
    start = datetime(at.year, at.month, 1, tzinfo=WARSAW)
    end = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=WARSAW)
    return f"{at.year:04d}-{at.month:02d}", start.timestamp(), end.timestamp()


def backtest(server: PrometheusServer, end: float) -> dict[str, Any]:
    return json_of(server, "backtest", "--start", str(int(FROM)), "--end", str(int(end)))


def test_a_backtest_past_the_data_lists_what_it_lists_at_the_last_sample(
    prometheus: PrometheusServer,
) -> None:
    at_end, past = backtest(prometheus, END), backtest(prometheus, LATER)
    assert past["decisions"] == at_end["decisions"]
    assert past["inconclusive"] == at_end["inconclusive"]
    assert at_end["evaluated_to"] == past["evaluated_to"] == rfc(END)
    assert at_end["data_end"] == past["data_end"] == rfc(END)
    assert at_end["without_data"] is None
    assert past["without_data"] == {"from": rfc(END), "to": rfc(LATER)}
    found = {(d["criterion"], d["scope"].get("ticket", "")): d for d in past["decisions"]}
    # The dropped ticket keeps its breach; the one due after the data has none.
    dropped = found[("sla_reaction", "dropped")]
    assert (dropped["opened_at"], dropped["resolved_at"]) == (
        rfc(START + 65 * MINUTE),
        rfc(START + 2 * HOUR),
    )
    assert found[("sla_reaction", "silent")]["resolved_at"] is None
    assert ("sla_reaction", "after-the-data") not in found
    sev1s = sorted(
        (d["opened_at"], d["resolved_at"]) for d in past["decisions"] if d["criterion"] == "sev1"
    )
    assert len(sev1s) == 2 and sev1s[1][1] is None  # the second SEV1 is open at the data's end


def test_the_backtest_table_says_where_the_data_ends(prometheus: PrometheusServer) -> None:
    code, out, _ = run(prometheus, "backtest", "--start", str(int(FROM)), "--end", str(int(LATER)))
    assert code == 0
    assert "the data ends at" in out and "no data from there to" in out


def report(server: PrometheusServer, end: float) -> dict[str, Any]:
    argv = ("report", "--kind", "daily", "--start", str(int(FROM)), "--end", str(int(end)))
    return json_of(server, *argv)


def test_a_report_past_the_data_lists_what_it_lists_at_the_last_sample(
    prometheus: PrometheusServer,
) -> None:
    at_end, past = report(prometheus, END), report(prometheus, LATER)
    for key in ("decisions", "sla_breaches", "at_end", "figures", "evaluated_to", "data_end"):
        assert past[key] == at_end[key], key
    assert past["evaluated_to"] == local(END)
    assert (at_end["to"], past["to"]) == (local(END), local(LATER))
    assert past["without_data"] == {"from": local(END), "to": local(LATER)}
    breaches = {d["scope"]["ticket"] for d in past["sla_breaches"]["decisions"]}
    assert breaches == {"dropped", "silent"}
    states = {s["slo"]: s["state"] for s in past["at_end"]["slos"]}
    assert states["passthrough_p95"] == "met" and states["webhook_success"] == "met"


def test_the_report_header_names_the_range_and_the_data_end_apart(
    prometheus: PrometheusServer,
) -> None:
    argv = ("report", "--kind", "daily", "--start", str(int(FROM)), "--end", str(int(LATER)))
    code, out, _ = run(prometheus, *argv)
    assert code == 0
    head = out.splitlines()[:4]
    assert "Data until" in head[2] and "no data from" in head[2], head
    assert "evaluated to T" in out or "No T0" in out


def sla_report(server: PrometheusServer, at: float) -> dict[str, Any]:
    return json_of(server, "sla", "report", "--month", month_of(END)[0], "--at", str(int(at)))


def test_the_sla_report_past_the_data_counts_the_same_breaches(
    prometheus: PrometheusServer,
) -> None:
    at_end, past = sla_report(prometheus, END), sla_report(prometheus, LATER)
    for key in ("tickets", "by_priority", "breaches", "escalations", "evaluated_to"):
        assert past[key] == at_end[key], key
    assert past["evaluated_to"] == local(END)
    assert past["without_data"] == {"from": local(END), "to": local(LATER)}
    _, start, end = month_of(END)
    # Reaction breaches due in the month: the dropped ticket's and the silent one's.
    due = [START + 65 * MINUTE, START + 3 * HOUR]
    assert past["breaches"]["by_stage"]["reaction"].get("p1", 0) == sum(
        1 for t in due if start <= t < end
    )


def gonogo(server: PrometheusServer, at: float) -> dict[str, Any]:
    window = f"{int(at - START)}s"  # the same window start, START, either way
    return json_of(server, "gonogo", "--at", str(int(at)), "--window", window)


def test_a_gonogo_past_the_data_decides_as_at_the_last_sample(
    prometheus: PrometheusServer,
) -> None:
    at_end, past = gonogo(prometheus, END), gonogo(prometheus, LATER)
    for key in ("recommendation", "reasons", "slos", "rollback_decisions", "blockers", "at"):
        assert past[key] == at_end[key], key
    assert past["evaluated_to"] == rfc(END)
    assert past["without_data"] == {"from": rfc(END), "to": rfc(LATER)}


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(("sla", "report", "--month", month_of(END)[0]), id="sla report of this month"),
        pytest.param(("gonogo",), id="gonogo now"),
        pytest.param(("report", "--kind", "warroom", "--start", str(int(END))), id="report"),
        pytest.param(
            ("backtest", "--start", str(int(FROM)), "--end", str(int(END))), id="backtest"
        ),
    ],
)
def test_with_no_data_a_command_says_so_and_exits_4(
    empty: PrometheusServer, argv: tuple[str, ...]
) -> None:
    code, out, err = run(empty, *argv)
    assert (code, out) == (4, "")
    assert err.startswith("launchguard: no data: Prometheus has no sample of"), err
    assert len(err.strip().splitlines()) == 1
