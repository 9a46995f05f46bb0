"""Odd values of real series (DESIGN §1: missing data is never health and never a rollback),
through `launchguard backtest` on a real Prometheus: an operand that is NaN for an hour
while the others would fire makes the criterion inconclusive over that hour, never a
decision; once the operand is back the criterion is decided on data again.

Each day is healthy but for one criterion whose other operands are at firing values from
T1; its NaN operand spans NAN_FROM … NAN_TO.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from launchguard.sim.timeline import ValueAt

from conftest import MakePrometheus
from launchdays import (
    HOUR,
    LENGTH,
    MINUTE,
    anchor,
    backtest,
    day,
    network,
    ramp_from,
    rollbacks,
    step_at,
    unix,
    writer_for,
)

pytestmark = pytest.mark.prometheus

START = anchor()
T1 = START + 3 * HOUR
NAN_FROM, NAN_TO = T1 - 30 * MINUTE, T1 + HOUR
FROM, TO = START + HOUR, START + LENGTH


def nan_between(value: ValueAt) -> ValueAt:
    """`value`, but NaN over [NAN_FROM, NAN_TO)."""
    return lambda t: math.nan if NAN_FROM <= t < NAN_TO else value(t)


CASES = [
    pytest.param(
        {
            "networks": (
                network("erc20"),
                network(
                    "trc20",
                    passthrough_seconds=step_at(T1, 240.0, 2000.0),
                    queue=nan_between(ramp_from(T1, 10.0, 1.0)),
                ),
            )
        },
        "passthrough_rollback",
        {"network": "trc20"},
        id="a NaN queue under a high p95 is inconclusive, then the rollback opens on data",
    ),
    pytest.param(
        {
            "webhook_success_per_step": step_at(T1, 50.0, 40.0),
            "webhook_failure_per_step": step_at(T1, 0.0, 10.0),
            "dead_letter": nan_between(ramp_from(T1, 0.0, 3.0)),
        },
        "webhook_rollback",
        {},
        id="NaN dead letters under failing webhooks are inconclusive, then it rolls back",
    ),
    pytest.param(
        {"sev1_open": nan_between(step_at(T1, 0.0, 1.0))},
        "sev1",
        {},
        id="a NaN sev1 gauge is inconclusive, then the open sev1 rolls back",
    ),
]


@pytest.mark.parametrize(("changes", "criterion", "scope"), CASES)
def test_a_nan_operand_is_inconclusive_and_never_decides(
    make_prometheus: MakePrometheus, changes: dict[str, Any], criterion: str, scope: dict[str, str]
) -> None:
    doc = backtest(make_prometheus(writer_for(day(START, **changes))), FROM, TO)
    mine = [d for d in rollbacks(doc) if d["criterion"] == criterion and d["scope"] == scope]
    # Nothing is decided while the operand is NaN (it was healthy before T1).
    assert all(unix(d["opened_at"]) >= NAN_TO for d in mine), mine
    # The NaN hour is reported inconclusive for that criterion and scope.
    spans = [s for s in doc["inconclusive"] if s["criterion"] == criterion and s["scope"] == scope]
    assert any(unix(s["from"]) <= T1 and unix(s["to"]) >= NAN_TO - MINUTE for s in spans), spans
    # With the operand back, the firing data decides: the rollback opens, within the
    # criterion's own look-back (the 30-minute queue growth at most) after the NaN ends.
    assert len(mine) == 1
    assert NAN_TO <= unix(mine[0]["opened_at"]) <= NAN_TO + 31 * MINUTE
    # And no other rollback was read out of the NaN.
    others = [d for d in rollbacks(doc) if d["criterion"] not in (criterion, "all_networks")]
    assert others == []
