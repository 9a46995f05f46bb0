"""`compare` of tests/expected.py: a wrong expectation is reported as a readable table naming
the row.

Each case is an expected-decisions file (the `NAME.expected.yaml` format, as YAML text) and
what a backtest decided (offsets from the scenario start, seconds); the table is parsed back
into rows (status, criterion, scope, expected, actual) and compared whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
import yaml

from expected import Actual, Expected, compare

H, M = 3600.0, 60.0
TRC20 = {"network": "trc20"}
PASSTHROUGH = """
tolerance: 1m
decisions:
  - {criterion: passthrough_rollback, scope: {network: trc20}, opened: 2h45m30s, resolved: 4h15m}
"""
STALL_SPAN = """
inconclusive:
  - {criterion: payout_stall, scope: {network: trc20}, from: 2h, to: 2h30m}
"""
Row = tuple[str, str, str, str, str]
Span = tuple[str, dict[str, str], float, float]


@dataclass(frozen=True)
class Case:
    id: str
    expected: str
    actual: Sequence[Actual]
    rows: Sequence[Row]  # empty: everything matched, no table
    spans: Sequence[Span] = ()


def passthrough(opened: float, resolved: float | None, scope: dict[str, str] = TRC20) -> Actual:
    return Actual("passthrough_rollback", scope, opened, resolved)


ON_TIME = passthrough(2 * H + 45.5 * M, 4 * H + 15 * M)
WANT = "2h45m30s → 4h15m (±1m)"
SPAN = "inconclusive 2h … 2h30m"

CASES = [
    Case(
        "a rollback within the tolerance matches and gives no table",
        PASSTHROUGH,
        [passthrough(2 * H + 46 * M, 4 * H + 14 * M)],
        [],
    ),
    Case(
        "a rollback that never opened is missing, with its expected times and tolerance",
        PASSTHROUGH,
        [],
        [("MISSING", "passthrough_rollback", "network=trc20", WANT, "-")],
    ),
    Case(
        "a rollback nobody expected is unexpected, with its actual times",
        PASSTHROUGH,
        [ON_TIME, Actual("sev1", {}, 3 * H + 10 * M, 4 * H + 5 * M)],
        [
            ("ok", "passthrough_rollback", "network=trc20", WANT, "2h45m30s → 4h15m"),
            ("UNEXPECTED", "sev1", "global", "-", "3h10m → 4h5m"),
        ],
    ),
    Case(
        "a rollback opened two minutes late is both missing and unexpected",
        PASSTHROUGH,
        [passthrough(2 * H + 47.5 * M, 4 * H + 15 * M)],
        [
            ("MISSING", "passthrough_rollback", "network=trc20", WANT, "-"),
            ("UNEXPECTED", "passthrough_rollback", "network=trc20", "-", "2h47m30s → 4h15m"),
        ],
    ),
    Case(
        "a decision's own tolerance overrides the file's, so two minutes late matches",
        PASSTHROUGH.replace("resolved: 4h15m}", "resolved: 4h15m, tolerance: 3m}"),
        [passthrough(2 * H + 47.5 * M, 4 * H + 15 * M)],
        [],
    ),
    Case(
        "a rollback still open at the end when it should have resolved is a mismatch",
        PASSTHROUGH,
        [passthrough(2 * H + 45.5 * M, None)],
        [
            ("MISSING", "passthrough_rollback", "network=trc20", WANT, "-"),
            ("UNEXPECTED", "passthrough_rollback", "network=trc20", "-", "2h45m30s → open"),
        ],
    ),
    Case(
        "the same criterion on another network does not count for the expected one",
        PASSTHROUGH,
        [passthrough(2 * H + 45.5 * M, 4 * H + 15 * M, {"network": "erc20"})],
        [
            ("MISSING", "passthrough_rollback", "network=trc20", WANT, "-"),
            ("UNEXPECTED", "passthrough_rollback", "network=erc20", "-", "2h45m30s → 4h15m"),
        ],
    ),
    Case(
        "an expected inconclusive stretch only partly reported is not covered",
        STALL_SPAN,
        [],
        [("NOT COVERED", "payout_stall", "network=trc20", SPAN, "2h10m … 2h30m")],
        [("payout_stall", TRC20, 2 * H + 10 * M, 2 * H + 30 * M)],
    ),
    Case(
        "an inconclusive stretch inside a reported one is covered",
        STALL_SPAN,
        [],
        [],
        [("payout_stall", TRC20, 1 * H + 55 * M, 2 * H + 40 * M)],
    ),
]


def rows(table: list[str]) -> list[Row]:
    """The table's rows without its header, each split on its column gaps (2+ spaces)."""
    head, *body = table
    assert re.split(r"\s{2,}", head.strip()) == ["criterion", "scope", "expected", "actual"]
    out: list[Row] = []
    for line in body:
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) == 5, line
        out.append((cells[0], cells[1], cells[2], cells[3], cells[4]))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_compare_names_each_mismatched_row(case: Case) -> None:
    expected = Expected.model_validate(yaml.safe_load(case.expected))
    table = compare(expected, case.actual, case.spans)
    if not case.rows:
        assert table == []
    else:
        assert rows(table) == list(case.rows), "\n".join(table)
