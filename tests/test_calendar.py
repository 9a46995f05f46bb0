"""The launch calendar in Europe/Warsaw (DESIGN §1): phases and freezes relative to T0 keep
their local time across DST changes, and "today" for the volume share is the Warsaw day.

freezegun is used only around synchronous, pure code (`launchguard calendar`, which reads
the clock once for its default `--at`, and the core functions); it hangs asyncio sleeps.

DST in Europe/Warsaw, 2026: 29 March 02:00 CET → 03:00 CEST (a 23 h day) and 25 October
03:00 CEST → 02:00 CET (a 25 h day).
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from launchguard.cli import main
from launchguard.config.domain import Launch
from launchguard.core import calendar, guardrail
from launchguard.core.actions import phase_at
from launchguard.core.engine import evaluate_span, grid
from launchguard.core.frames import frame_from_points, tick
from launchguard.inputs import time_or_now

from factories import launch

WARSAW = ZoneInfo("Europe/Warsaw")


def utc(text: str) -> float:
    """'2026-03-26 08:59:59' (UTC) → unix seconds."""
    return datetime.fromisoformat(text + "+00:00").timestamp()


def warsaw(text: str) -> float:
    """'2026-03-26 09:59:59' (Warsaw wall clock) → unix seconds."""
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW).timestamp()


SPRING = launch({"launch": {"t0": "2026-04-02T10:00:00"}})  # T-7 d falls before the change
AUTUMN = launch({"launch": {"t0": "2026-10-28T10:00:00"}})  # T-7 d falls before the change


def phase(the_launch: Launch, t: float) -> str | None:
    found = phase_at(the_launch.phases, t)
    return None if found is None else found.name


@pytest.mark.parametrize(
    ("the_launch", "when", "expected"),
    [
        # T0 2026-04-02 10:00 CEST; T-7 d = 26 March 10:00 CET = 09:00 UTC (not 08:00 UTC,
        # which 7 x 24 h before T0 would give).
        pytest.param(
            SPRING,
            utc("2026-03-26 08:30:00"),
            "pilot",
            id="spring: 08:30 UTC on T-7 is still pilot",
        ),
        pytest.param(
            SPRING,
            utc("2026-03-26 08:59:59"),
            "pilot",
            id="spring: one second before 10:00 CET is pilot",
        ),
        pytest.param(
            SPRING,
            utc("2026-03-26 09:00:00"),
            "canary",
            id="spring: canary starts at 10:00 CET on T-7",
        ),
        pytest.param(
            SPRING, utc("2026-04-02 07:59:59"), "canary", id="spring: canary until 10:00 CEST on T0"
        ),
        pytest.param(
            SPRING,
            utc("2026-04-02 08:00:00"),
            "full",
            id="spring: full from T0, 10:00 CEST = 08:00 UTC",
        ),
        pytest.param(
            SPRING,
            utc("2026-03-19 09:00:00"),
            "pilot",
            id="spring: pilot starts at 10:00 CET on T-14",
        ),
        pytest.param(
            SPRING, utc("2026-03-12 09:00:00"), "preflight", id="spring: preflight from T-21"
        ),
        pytest.param(
            SPRING, utc("2026-03-12 08:59:59"), None, id="spring: nothing before the calendar"
        ),
        # T0 2026-10-28 10:00 CET; T-7 d = 21 October 10:00 CEST = 08:00 UTC (not 09:00 UTC).
        pytest.param(
            AUTUMN,
            utc("2026-10-21 07:59:59"),
            "pilot",
            id="autumn: one second before 10:00 CEST is pilot",
        ),
        pytest.param(
            AUTUMN,
            utc("2026-10-21 08:00:00"),
            "canary",
            id="autumn: canary starts at 10:00 CEST on T-7",
        ),
        pytest.param(
            AUTUMN,
            utc("2026-10-21 08:30:00"),
            "canary",
            id="autumn: 08:30 UTC on T-7 is already canary",
        ),
        pytest.param(
            AUTUMN, utc("2026-10-28 08:59:59"), "canary", id="autumn: canary until 10:00 CET on T0"
        ),
        pytest.param(
            AUTUMN,
            utc("2026-10-28 09:00:00"),
            "full",
            id="autumn: full from T0, 10:00 CET = 09:00 UTC",
        ),
    ],
)
def test_phase_boundaries_keep_their_warsaw_wall_clock_time_across_dst(
    the_launch: Launch, when: float, expected: str | None
) -> None:
    assert phase(the_launch, when) == expected


def test_the_canary_week_lasts_one_hour_less_in_spring_and_one_more_in_autumn() -> None:
    def canary_hours(the_launch: Launch) -> float:
        span = calendar.phase_named(the_launch, "canary")
        assert span is not None and span.start is not None and span.end is not None
        return (span.end - span.start) / 3600

    assert canary_hours(SPRING) == 7 * 24 - 1
    assert canary_hours(AUTUMN) == 7 * 24 + 1


@pytest.mark.parametrize(
    ("when", "freezes"),
    [
        pytest.param(warsaw("2026-10-21 09:59:59"), [], id="no freeze before T-7 10:00"),
        pytest.param(warsaw("2026-10-21 10:00:00"), ["code_freeze"], id="code freeze from T-7"),
        pytest.param(
            warsaw("2026-10-25 10:00:00"),
            ["code_freeze", "config_freeze"],
            id="config freeze from T-3, the 25 h day",
        ),
        pytest.param(
            warsaw("2026-10-29 09:59:59"),
            ["code_freeze", "config_freeze"],
            id="config freeze until T+1",
        ),
        pytest.param(
            warsaw("2026-10-29 10:00:00"), ["code_freeze"], id="config freeze ends at T+1 10:00 CET"
        ),
        pytest.param(warsaw("2026-10-30 10:00:00"), [], id="code freeze ends at T+2 10:00 CET"),
    ],
)
def test_freeze_windows_are_t0_relative_in_warsaw_time(when: float, freezes: list[str]) -> None:
    assert [f.name for f in calendar.status(AUTUMN, when).freezes] == freezes


def run_calendar(config: Path) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["calendar", "--config", str(config), "--format", "json"]) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize(
    ("now_utc", "phase_name", "freezes", "next_change"),
    [
        pytest.param(
            "2026-03-26 08:59:45",
            "pilot",
            [],
            "2026-03-26T10:00:00+01:00",
            id="now just before canary",
        ),
        pytest.param(
            "2026-03-26 09:00:10",
            "canary",
            ["code_freeze"],
            "2026-03-30T10:00:00+02:00",
            id="now just after canary started",
        ),
        pytest.param(
            "2026-03-30 08:00:00",
            "canary",
            ["code_freeze", "config_freeze"],
            "2026-04-02T10:00:00+02:00",
            id="now on T-3 after the change to CEST",
        ),
    ],
)
def test_calendar_command_shows_the_phase_and_freezes_at_the_frozen_now(
    tmp_path: Path, now_utc: str, phase_name: str, freezes: list[str], next_change: str
) -> None:
    config = tmp_path / "launch.yaml"
    config.write_text('launch:\n  t0: "2026-04-02T10:00:00"\n')
    with freeze_time(now_utc):
        doc = run_calendar(config)
    assert doc["phase"]["name"] == phase_name
    assert [f["name"] for f in doc["freezes"]] == freezes
    assert doc["next_change"] == next_change
    assert doc["t0"] == "2026-04-02T10:00:00+02:00"
    assert doc["scheduled_gonogo"] == "2026-03-27T10:00:00+01:00"  # canary start + 24 h


# --- the Warsaw day of the volume share --------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "midnight"),
    [
        pytest.param(
            utc("2026-07-01 21:59:59"),
            utc("2026-06-30 22:00:00"),
            id="summer: 23:59:59 CEST is still the old day",
        ),
        pytest.param(
            utc("2026-07-01 22:00:00"),
            utc("2026-07-01 22:00:00"),
            id="summer: the day starts at 22:00 UTC",
        ),
        pytest.param(
            utc("2026-12-01 22:59:59"),
            utc("2026-11-30 23:00:00"),
            id="winter: 23:59:59 CET is still the old day",
        ),
        pytest.param(
            utc("2026-12-01 23:00:00"),
            utc("2026-12-01 23:00:00"),
            id="winter: the day starts at 23:00 UTC",
        ),
        pytest.param(
            utc("2026-03-29 21:59:59"),
            utc("2026-03-28 23:00:00"),
            id="the 23 h day of the spring change",
        ),
        pytest.param(
            utc("2026-10-25 22:59:59"),
            utc("2026-10-24 22:00:00"),
            id="the 25 h day of the autumn change",
        ),
    ],
)
def test_the_day_starts_at_warsaw_midnight(moment: float, midnight: float) -> None:
    with freeze_time("2031-01-01"):  # the answer never depends on the clock
        assert calendar.day_start(moment, "Europe/Warsaw") == midnight


def volume_frames(start: float, end: float, usd_per_step: float) -> dict[str, Any]:
    """A payout counter growing by `usd_per_step` every 30 s, a 100,000 USD daily target and
    a 30 % cap."""
    times = grid(start, end, 30.0)
    counter = [(t / 1000, usd_per_step * (k + 1)) for k, t in enumerate(times)]
    return {
        "payout_volume": frame_from_points(
            "payout_volume",
            ("network", "asset"),
            [({"network": "trc20", "asset": "usdt"}, counter)],
        ),
        "daily_target": frame_from_points(
            "daily_target", (), [({}, [(t / 1000, 100_000.0) for t in times])]
        ),
        "volume_cap": frame_from_points("volume_cap", (), [({}, [(t / 1000, 0.3) for t in times])]),
    }


@pytest.mark.parametrize(
    ("now_utc", "midnight_utc"),
    [
        pytest.param(
            "2026-10-25 23:00:10", "2026-10-25 23:00:00", id="winter midnight after the 25 h day"
        ),
        pytest.param(
            "2026-03-29 22:00:10", "2026-03-29 22:00:00", id="summer midnight after the 23 h day"
        ),
    ],
)
def test_the_volume_share_restarts_at_warsaw_midnight(now_utc: str, midnight_utc: str) -> None:
    the_launch = launch()
    with freeze_time(now_utc):
        at = time_or_now(None, "--at", the_launch.interval)  # the grid time a cycle evaluates
    assert at == utc(midnight_utc)
    # 120 USD per 30 s since two days before: the day before midnight paid 120 x 2 x 60 x
    # (hours of that day) USD, far above 30 % of 100,000; just after midnight nothing yet.
    frames = volume_frames(at - 2 * 86400, at + 60, 120.0)
    times = grid(at - 60, at + 60, 30.0)
    prepared = guardrail.prepare(the_launch, frames, times)
    assert prepared is not None
    paid = dict(zip([t / 1000 - at for t in times], prepared.paid, strict=True))
    day_hours = (at - calendar.day_start(at - 1, "Europe/Warsaw")) / 3600
    assert paid[-30.0] == pytest.approx(120.0 * 120 * day_hours - 120.0)
    assert paid[0.0] == 0.0 and paid[30.0] == 120.0
    states = [s.value for s in prepared.column()]
    assert states == ["fired", "fired", "clear", "clear", "clear"]


def test_volume_guardrail_opens_a_warning_with_the_share_and_the_cap_in_force() -> None:
    the_launch = launch({"evaluation": {"clear_for": "15m"}})
    midnight = utc("2026-07-01 22:00:00")
    frames = volume_frames(midnight, midnight + 3 * 3600, 120.0)  # 14,400 USD per hour
    out = evaluate_span(
        the_launch, frames, grid(midnight, midnight + 3 * 3600, 30.0), tick(midnight)
    )
    [d] = [d for d in out.decisions if d.kind == "volume_guardrail"]
    # 30 % of 100,000 = 30,000 USD: exceeded when paid > 30,000, i.e. after 250 steps.
    assert d.opened_at == tick(midnight + 251 * 30)
    detail = d.evidence.detail[0]
    assert (detail["cap"], detail["cap_source"]) == (0.3, "cap signal")
    assert detail["share"] == pytest.approx(30_120 / 100_000)
    assert detail["day_start"] == midnight


def test_without_a_cap_signal_the_calendar_phase_gives_the_cap() -> None:
    midnight = utc("2026-03-26 23:00:00")  # 27 March 00:00 CET, in the canary phase
    frames = volume_frames(midnight, midnight + 3 * 3600, 120.0)  # 14,400 USD per hour
    del frames["volume_cap"]
    times = grid(midnight + 2 * 3600, midnight + 2.5 * 3600, 1800.0)
    prepared = guardrail.prepare(SPRING, frames, times)
    assert prepared is not None
    first, second = (prepared.verdict(t) for t in times)
    assert (first.detail[0]["cap"], first.detail[0]["cap_source"]) == (0.3, "calendar phase canary")
    # 2 h: 28,800 USD = 28.8 % of the target, under the 30 % cap; 2.5 h: 36 %, over it.
    assert (first.detail[0]["paid_today_usd"], first.state.value) == (28_800.0, "clear")
    assert (second.detail[0]["paid_today_usd"], second.state.value) == (36_000.0, "fired")
    assert "36.0% of the daily target" in guardrail.summary(second)
