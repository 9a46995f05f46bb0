"""Freeze windows next to the phase (docs/phases.md): the pure calendar answers which freezes
are in force at an evaluation time and which are still to come, and the warroom page shows
them. The status API's `freezes` is tested in test_server_api.py, `check`'s in
test_check_freezes.py.

Shipped freezes: code_freeze T-7 d…T+2 d, config_freeze T-3 d…T+1 d, wall-clock in
Europe/Warsaw, start inclusive and end exclusive. DST in 2026: 29 March 02:00 CET → 03:00
CEST, 25 October 03:00 CEST → 02:00 CET.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from launchguard.config.domain import Launch
from launchguard.config.warroom import WarroomSettings
from launchguard.core.calendar import freezes_ahead
from launchguard.web.common import PageData
from launchguard.web.page import render_content

from factories import launch

WINTER = launch({"launch": {"t0": "2026-12-01T10:00:00"}})  # no DST change near T0
SPRING = launch({"launch": {"t0": "2026-04-02T10:00:00"}})  # T-7 d is CET, T-3 d CEST
AUTUMN = launch({"launch": {"t0": "2026-10-24T10:00:00"}})  # T+1 d and T+2 d are CET
NO_T0 = launch()
CODE, CONFIG = "code_freeze", "config_freeze"


def utc(text: str) -> float:
    """'2026-11-24 08:59:59' (UTC) → unix seconds."""
    return datetime.fromisoformat(text + "+00:00").timestamp()


@pytest.mark.parametrize(
    ("the_launch", "at", "expected"),
    [
        # T0 1 December 10:00 CET = 09:00 UTC.
        pytest.param(
            WINTER,
            utc("2026-11-24 08:59:59"),
            [(CODE, False), (CONFIG, False)],
            id="one second before T-7 both freezes are still to come",
        ),
        pytest.param(
            WINTER,
            utc("2026-11-24 09:00:00"),
            [(CODE, True), (CONFIG, False)],
            id="the code freeze is in force from T-7 exactly",
        ),
        pytest.param(
            WINTER,
            utc("2026-11-28 08:59:59"),
            [(CODE, True), (CONFIG, False)],
            id="one second before T-3 the config freeze is still to come",
        ),
        pytest.param(
            WINTER,
            utc("2026-11-28 09:00:00"),
            [(CODE, True), (CONFIG, True)],
            id="the config freeze is in force from T-3 exactly",
        ),
        pytest.param(
            WINTER,
            utc("2026-12-02 08:59:59"),
            [(CODE, True), (CONFIG, True)],
            id="one second before T+1 both freezes are in force",
        ),
        pytest.param(
            WINTER,
            utc("2026-12-02 09:00:00"),
            [(CODE, True)],
            id="the config freeze has ended at T+1 exactly and is no longer shown",
        ),
        pytest.param(
            WINTER,
            utc("2026-12-03 08:59:59"),
            [(CODE, True)],
            id="one second before T+2 the code freeze is still in force",
        ),
        pytest.param(WINTER, utc("2026-12-03 09:00:00"), [], id="at T+2 exactly no freeze is left"),
        pytest.param(WINTER, utc("2027-01-01 00:00:00"), [], id="long after T0 nothing is shown"),
        # Spring: T-7 = 26 March 10:00 CET = 09:00 UTC (7 x 24 h would say 08:00 UTC);
        # T-3 = 30 March 10:00 CEST = 08:00 UTC; T+2 = 4 April 10:00 CEST = 08:00 UTC.
        pytest.param(
            SPRING,
            utc("2026-03-26 08:00:00"),
            [(CODE, False), (CONFIG, False)],
            id="spring: seven times 24 h before T0 the code freeze has not started",
        ),
        pytest.param(
            SPRING,
            utc("2026-03-26 09:00:00"),
            [(CODE, True), (CONFIG, False)],
            id="spring: the code freeze starts at 10:00 CET on T-7",
        ),
        pytest.param(
            SPRING,
            utc("2026-03-30 07:59:59"),
            [(CODE, True), (CONFIG, False)],
            id="spring: the config freeze is still to come just before 10:00 CEST on T-3",
        ),
        pytest.param(
            SPRING,
            utc("2026-03-30 08:00:00"),
            [(CODE, True), (CONFIG, True)],
            id="spring: the config freeze starts at 10:00 CEST on T-3",
        ),
        pytest.param(
            SPRING,
            utc("2026-04-04 07:59:59"),
            [(CODE, True)],
            id="spring: the code freeze holds until 10:00 CEST on T+2",
        ),
        pytest.param(
            SPRING, utc("2026-04-04 08:00:00"), [], id="spring: the code freeze ends at T+2"
        ),
        # Autumn: T0 24 October 10:00 CEST; T+1 = 25 October 10:00 CET = 09:00 UTC (the 25 h
        # day); T+2 = 26 October 10:00 CET = 09:00 UTC.
        pytest.param(
            AUTUMN,
            utc("2026-10-25 08:59:59"),
            [(CODE, True), (CONFIG, True)],
            id="autumn: the config freeze holds past 24 h after T0 on the 25 h day",
        ),
        pytest.param(
            AUTUMN,
            utc("2026-10-25 09:00:00"),
            [(CODE, True)],
            id="autumn: the config freeze ends at 10:00 CET on T+1",
        ),
        pytest.param(
            AUTUMN,
            utc("2026-10-26 08:59:59"),
            [(CODE, True)],
            id="autumn: the code freeze holds until 10:00 CET on T+2",
        ),
        pytest.param(
            AUTUMN, utc("2026-10-26 09:00:00"), [], id="autumn: the code freeze ends at T+2"
        ),
        pytest.param(NO_T0, utc("2026-11-28 09:00:00"), [], id="without a T0 there is no freeze"),
    ],
)
def test_freezes_in_force_and_to_come_at_the_evaluation_time(
    the_launch: Launch, at: float, expected: list[tuple[str, bool]]
) -> None:
    assert [(f.name, f.active) for f in freezes_ahead(the_launch.freezes, at)] == expected


def test_freezes_are_ordered_by_start_and_keep_their_times_and_notes() -> None:
    the = launch(
        {
            "launch": {
                "t0": "2026-12-01T10:00:00",
                "freezes": [
                    {"name": "late", "start": "1d", "end": "3d"},
                    {"name": "early", "start": "-2d", "end": "-1d", "note": "db migration"},
                ],
            }
        }
    )
    [early, late] = freezes_ahead(the.freezes, utc("2026-11-29 09:00:00"))
    assert (early.name, early.active, early.note) == ("early", True, "db migration")
    assert (early.start, early.end) == (utc("2026-11-29 09:00:00"), utc("2026-11-30 09:00:00"))
    assert (late.name, late.active) == ("late", False)


# --- the warroom tile (pure rendering of the status JSON) ------------------------------------


def status_with(freezes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "launch": {"phase": "canary", "volume_level": None, "timezone": "Europe/Warsaw"},
        "freezes": freezes,
        "evaluation": {"evaluated_to": None, "outcome": "none"},
        "degraded": None,
        "slos": [],
        "slo_details": [],
        "criteria": [],
        "decisions": [],
        "acks": {},
    }


CODE_ACTIVE = {
    "name": CODE,
    "from": "2026-11-24T09:00:00Z",
    "to": "2026-12-03T09:00:00Z",
    "active": True,
    "note": "hotfixes only, by procedure",
}
CONFIG_UPCOMING = {
    "name": CONFIG,
    "from": "2026-11-28T09:00:00Z",
    "to": "2026-12-02T09:00:00Z",
    "active": False,
    "note": "",
}


@pytest.mark.parametrize(
    ("freezes", "shown"),
    [
        pytest.param(
            [CODE_ACTIVE, CONFIG_UPCOMING],
            [
                'class="freeze active" data-freeze="code_freeze"',
                "code_freeze до 2026-12-03 10:00:00 CET",
                "code_freeze until 2026-12-03 10:00:00 CET",
                'class="freeze upcoming" data-freeze="config_freeze"',
                "config_freeze \u0441 2026-11-28 10:00:00 CET",  # Cyrillic "s": from
                "config_freeze from 2026-11-28 10:00:00 CET",
            ],
            id="the tile shows until when a freeze holds and from when one comes, Warsaw time",
        ),
        pytest.param([], ['id="freezes"><span class="none">'], id="no freeze shows none"),
    ],
)
def test_the_warroom_tile_next_to_the_phase_lists_the_freezes(
    freezes: list[dict[str, Any]], shown: list[str]
) -> None:
    data = PageData(status_with(freezes), [], WarroomSettings(), 30.0, 0.0)
    html = render_content(data)
    for text in shown:
        assert text in html
    assert html.index('id="phase"') < html.index('id="freezes"') < html.index('id="volume"')
