"""The launch rules of DESIGN §1, proven from `launchguard backtest --format json` output
on every backend (a real Prometheus, a real VictoriaMetrics: the `make_backend` fixture of
tests/backends.py) serving a backfilled launch day.

Times: the day starts at START; incidents start at T1 = START + 3 h. The backtest covers
START + 1 h … the end of the day, at 30 s steps. Expected times are derived from the rules
and the scenario in each test, with a tolerance where Prometheus' rate windows blur them.
"""

from __future__ import annotations

from typing import Any

import pytest

from backends import MakeBackend
from launchday import Pair, const
from launchdays import (
    HOUR,
    LENGTH,
    MINUTE,
    anchor,
    backtest,
    day,
    network,
    of_kind,
    ramp_from,
    rollbacks,
    settled_pairs,
    step_at,
    unix,
    writer_for,
)

START = anchor()
T1 = START + 3 * HOUR
FROM, TO = START + HOUR, START + LENGTH


def scoped(decisions: list[dict[str, Any]], criterion: str) -> dict[str, dict[str, Any]]:
    return {d["scope"].get("network", ""): d for d in decisions if d["criterion"] == criterion}


def test_passthrough_rollback_fires_on_the_slow_network_only_and_resolves_15_min_after_clear(
    make_backend: MakeBackend,
) -> None:
    # trc20: p95 ~2,370 s from T1 for 2 h, queue growing from T1 and dropping to 5 at T2.
    t2 = T1 + HOUR
    slow = network(
        "trc20",
        passthrough_seconds=step_at(T1, 240.0, 2000.0, T1 + 2 * HOUR),
        queue=piecewise_queue(t2),
    )
    prom = make_backend(writer_for(day(START, networks=(network("erc20"), slow))))
    doc = backtest(prom, FROM, TO)
    found = scoped(rollbacks(doc), "passthrough_rollback")
    assert set(found) == {"trc20"}
    decision = found["trc20"]
    assert decision["kind"] == "partial_rollback"
    # Two windows above 1,800 s: the earlier window is entirely slow 15 min after T1.
    opened = unix(decision["opened_at"])
    assert T1 + 15 * MINUTE <= opened <= T1 + 17 * MINUTE
    # The queue stops growing at T2 (its sample at T2 is below the value 30 min before):
    # clear from T2 on, resolved at the first evaluation 15 minutes later.
    assert unix(decision["resolved_at"]) == t2 + 15 * MINUTE
    steps = [a["step"] for a in decision["actions"]]
    assert steps == ["freeze_payouts", "volume_step_down"]
    p95 = [o for o in decision["evidence"]["observations"] if o["signal"] == "passthrough_p95"]
    assert len(p95) == 2 and all(o["value"] > 1800 for o in p95)
    assert {o["offset"] for o in p95} == {"0s", "15m"}


def piecewise_queue(t2: float) -> Any:
    grow = ramp_from(T1, 10.0, 2.0)
    return lambda t: grow(t) if t < t2 else 5.0


def test_high_p95_with_a_draining_queue_does_not_roll_back(make_backend: MakeBackend) -> None:
    slow = network(
        "trc20", passthrough_seconds=step_at(T1, 240.0, 2000.0), queue=ramp_from(T1, 300.0, -2.0)
    )
    prom = make_backend(writer_for(day(START, networks=(network("erc20"), slow))))
    doc = backtest(prom, FROM, TO)
    assert rollbacks(doc) == []
    breach = scoped(of_kind(doc, "slo_breach"), "passthrough_p95")
    assert "trc20" in breach  # the data was slow: the SLO breach shows it, as a warning


def test_payout_stall_fires_when_completions_stop_and_the_queue_grows(
    make_backend: MakeBackend,
) -> None:
    stalled = network(
        "trc20", completed_per_step=step_at(T1, 20.0, 0.0), queue=ramp_from(T1, 10.0, 1.0)
    )
    prom = make_backend(writer_for(day(START, networks=(network("erc20"), stalled))))
    doc = backtest(prom, FROM, TO)
    found = scoped(rollbacks(doc), "payout_stall")
    assert set(found) == {"trc20"}
    # increase(completed[30m]) is 0 once the whole 30-minute window is after the last payout.
    assert T1 + 28 * MINUTE <= unix(found["trc20"]["opened_at"]) <= T1 + 31 * MINUTE
    # With nothing completing there is no p95: pass-through is inconclusive, never fired.
    assert "trc20" not in scoped(rollbacks(doc), "passthrough_rollback")
    spans = [s for s in doc["inconclusive"] if s["criterion"] == "passthrough_rollback"]
    assert any(s["scope"] == {"network": "trc20"} for s in spans)


def test_eod_unsettled_fires_for_a_stuck_pair_past_90_min_and_not_for_an_improving_one(
    make_backend: MakeBackend,
) -> None:
    stuck = Pair("trc20", "t-stuck", step_at(T1, 0.0, 5.0), const(T1))
    improving = Pair(
        "erc20",
        "e-improving",
        lambda t: 0.0 if t < T1 else max(0.0, 12.0 - (t - T1) // 600),
        const(T1),
    )
    prom = make_backend(writer_for(day(START, pairs=[*settled_pairs(START), stuck, improving])))
    doc = backtest(prom, FROM, TO)
    found = scoped(rollbacks(doc), "eod_unsettled")
    assert set(found) == {"trc20"}
    assert unix(found["trc20"]["opened_at"]) == T1 + 90 * MINUTE
    assert found["trc20"]["evidence"]["detail"] == [{"pair": "t-stuck"}]
    assert [a["step"] for a in found["trc20"]["actions"]] == ["eod_off", "volume_step_down"]


@pytest.mark.parametrize(
    ("dead_letter", "expect_rollback"),
    [
        pytest.param(
            ramp_from(T1, 0.0, 3.0), True, id="failing webhooks with dead letters growing roll back"
        ),
        pytest.param(
            const(40.0), False, id="failing webhooks with flat dead letters do not roll back"
        ),
    ],
)
def test_webhook_rollback_needs_dead_letters_growing(
    make_backend: MakeBackend, dead_letter: Any, expect_rollback: bool
) -> None:
    failing = day(
        START,
        webhook_success_per_step=step_at(T1, 50.0, 40.0, T1 + HOUR),
        webhook_failure_per_step=step_at(T1, 0.0, 10.0, T1 + HOUR),
        dead_letter=dead_letter,
    )
    doc = backtest(make_backend(writer_for(failing)), FROM, TO)
    found = [d for d in rollbacks(doc) if d["criterion"] == "webhook_rollback"]
    assert len(found) == int(expect_rollback)
    if expect_rollback:
        assert found[0]["scope"] == {} and found[0]["kind"] == "partial_rollback"
        assert T1 <= unix(found[0]["opened_at"]) <= T1 + 5 * MINUTE
    # Either way the success SLO (>= 99 %) was breached: a warning, not a rollback.
    assert any(d["criterion"] == "webhook_success" for d in of_kind(doc, "slo_breach"))


def test_sev1_opens_a_full_rollback(make_backend: MakeBackend) -> None:
    doc = backtest(
        make_backend(writer_for(day(START, sev1_open=step_at(T1, 0.0, 1.0, T1 + HOUR)))),
        FROM,
        TO,
    )
    found = [d for d in rollbacks(doc) if d["criterion"] == "sev1"]
    assert len(found) == 1
    assert found[0]["kind"] == "full_rollback" and found[0]["scope"] == {}
    assert unix(found[0]["opened_at"]) == T1
    assert unix(found[0]["resolved_at"]) == T1 + HOUR + 15 * MINUTE
    assert [a["step"] for a in found[0]["actions"]] == [
        "safe_mode_all_networks",
        "volume_step_down",
    ]


def test_partial_rollbacks_on_both_networks_escalate_to_a_full_rollback(
    make_backend: MakeBackend,
) -> None:
    nets = tuple(
        network(
            name,
            completed_per_step=step_at(at, 20.0, 0.0, T1 + 2 * HOUR),
            queue=ramp_from(at, 10.0, 1.0),
        )
        for name, at in (("erc20", T1), ("trc20", T1 + 10 * MINUTE))
    )
    doc = backtest(make_backend(writer_for(day(START, networks=nets))), FROM, TO)
    stalls = scoped(rollbacks(doc), "payout_stall")
    assert set(stalls) == {"erc20", "trc20"}
    full = [d for d in rollbacks(doc) if d["criterion"] == "all_networks"]
    assert len(full) == 1
    assert full[0]["kind"] == "full_rollback" and full[0]["scope"] == {}
    # It opens when the second network's partial rollback opens, and resolves as soon as
    # one network has no partial rollback open.
    assert full[0]["opened_at"] == max(d["opened_at"] for d in stalls.values())
    assert full[0]["resolved_at"] == min(d["resolved_at"] for d in stalls.values())


def test_a_30_minute_hole_in_the_data_is_inconclusive_and_never_a_rollback(
    make_backend: MakeBackend,
) -> None:
    # p95 is high all day and the queue is flat: no rollback. Read as zero, the queue
    # would "grow" after the hole and the pass-through criterion would fire.
    nets = tuple(
        network(n, passthrough_seconds=const(2000.0), queue=const(50.0)) for n in ("erc20", "trc20")
    )
    hole = (T1, T1 + 30 * MINUTE)
    doc = backtest(make_backend(writer_for(day(START, networks=nets, gaps=[hole]))), FROM, TO)
    assert rollbacks(doc) == []
    spans = [s for s in doc["inconclusive"] if s["criterion"] == "passthrough_rollback"]
    for name in ("erc20", "trc20"):
        mine = [s for s in spans if s["scope"] == {"network": name}]
        assert any(
            unix(s["from"]) <= T1 + 10 * MINUTE and unix(s["to"]) >= T1 + 30 * MINUTE for s in mine
        ), mine


def test_a_repeated_backtest_yields_identical_ids(make_backend: MakeBackend) -> None:
    doc_day = day(
        START,
        sev1_open=step_at(T1, 0.0, 1.0, T1 + HOUR),
        networks=(
            network("erc20"),
            network(
                "trc20", completed_per_step=step_at(T1, 20.0, 0.0), queue=ramp_from(T1, 10.0, 1.0)
            ),
        ),
    )
    prom = make_backend(writer_for(doc_day))
    first, second = backtest(prom, FROM, TO), backtest(prom, FROM, TO)
    assert first["decisions"] and first["decisions"] == second["decisions"]
    # A later start inside the lookback replays the same history: same ids and opened_at.
    later = backtest(prom, T1 + 40 * MINUTE, TO)
    ids = {d["id"]: d["opened_at"] for d in first["decisions"]}
    for d in later["decisions"]:
        if d["opened_at"] < rfc_of(T1 + 40 * MINUTE):
            assert ids.get(d["id"]) == d["opened_at"]
    assert any(d["opened_at"] < rfc_of(T1 + 40 * MINUTE) for d in later["decisions"])


def rfc_of(t: float) -> str:
    from launchdays import rfc

    return rfc(t)
