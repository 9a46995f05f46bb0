"""Values outside their signal's domain on a real Prometheus (DESIGN §1): +Inf, -Inf, 1e308 and
negative samples make the criterion inconclusive, with the reason in `check`'s evidence, and
never open or resolve a decision (`backtest`); the daemon counts them per signal.

One day, healthy until T1; from T1 each hostile operand sits under data that would otherwise
fire its criterion (a high p95, unsettled sessions, failing webhooks). The sev1 gauge fires
at T1 (a real full rollback) and turns 1e308 30 minutes later: the decision must stay open.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from launchguard import names
from launchguard.cli import main
from launchguard.daemon import Daemon
from launchguard.harness.servers import PrometheusServer, backfill
from launchguard.prometheus import PrometheusClient
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.timeline import ValueAt

from factories import launch
from launchday import Network, Pair, const
from launchdays import HOUR, LENGTH, MINUTE, anchor, backtest, day, step_at, unix, writer_for

pytestmark = pytest.mark.prometheus

START = anchor()
T1 = START + 3 * HOUR
END = START + LENGTH
INF = float("inf")


def from_t1(before: float, after: float) -> ValueAt:
    return lambda t: after if t >= T1 else before


def hostile_day() -> Any:
    slow_trc20 = Network(
        "trc20", passthrough_seconds=step_at(T1, 240.0, 2000.0), queue=from_t1(10.0, -5.0)
    )
    pairs = [
        Pair("trc20", "t-inf", from_t1(0.0, 5.0), from_t1(START, INF)),
        Pair("erc20", "e-huge", from_t1(0.0, 5.0), from_t1(START, 1e308)),
    ]
    return day(
        START,
        networks=(Network("erc20"), slow_trc20),
        pairs=pairs,
        webhook_success_per_step=const(40.0),
        webhook_failure_per_step=from_t1(0.0, 10.0),
        dead_letter=from_t1(0.0, -INF),
        sev1_open=lambda t: 1e308 if t >= T1 + 30 * MINUTE else (1.0 if t >= T1 else 0.0),
    )


@pytest.fixture(scope="module")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    tmp = tmp_path_factory.mktemp("hostile")
    history = write_openmetrics(tmp / "history.om", writer_for(hostile_day()))
    backfill(history, tmp / "data")
    server = PrometheusServer(tmp / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def decided(prom: PrometheusServer) -> dict[str, Any]:
    return backtest(prom, START + HOUR, END)


@pytest.fixture(scope="module")
def checked(prom: PrometheusServer) -> dict[str, Any]:
    out = io.StringIO()
    at = str(int(T1 + 2 * HOUR))
    with contextlib.redirect_stdout(out):
        code = main(["check", "--prometheus", prom.url, "--at", at, "--format", "json"])
    assert code == 1, out.getvalue()  # the sev1 full rollback opened at T1 is still open
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


CASES = [
    pytest.param(
        "eod_unsettled",
        {"network": "trc20"},
        "+Inf is not a plausible unix time",
        id="a +Inf cut-off under unsettled sessions is inconclusive and raises nothing",
    ),
    pytest.param(
        "eod_unsettled",
        {"network": "erc20"},
        "1e+308 is not a plausible unix time",
        id="a cut-off of 1e308 under unsettled sessions is inconclusive",
    ),
    pytest.param(
        "passthrough_rollback",
        {"network": "trc20"},
        "-5 is not a count in [0, 9.007e+15]",
        id="a negative queue under a high p95 is inconclusive, never a rollback",
    ),
    pytest.param(
        "webhook_rollback",
        {},
        "-Inf is not a count in [0, 9.007e+15]",
        id="-Inf dead letters under failing webhooks are inconclusive, never a rollback",
    ),
    pytest.param(
        "sev1",
        {},
        "1e+308 is not a count in [0, 9.007e+15]",
        id="a sev1 gauge turning 1e308 is inconclusive and never resolves the open rollback",
    ),
]


@pytest.mark.parametrize(("criterion", "scope", "reason"), CASES)
def test_an_invalid_operand_is_inconclusive_with_its_reason_and_decides_nothing(
    decided: dict[str, Any],
    checked: dict[str, Any],
    criterion: str,
    scope: dict[str, str],
    reason: str,
) -> None:
    mine = [d for d in decided["decisions"] if (d["criterion"], d["scope"]) == (criterion, scope)]
    if criterion == "sev1":  # fired on valid data at T1, held open through the 1e308 hours
        assert [(unix(d["opened_at"]), d["resolved_at"]) for d in mine] == [(T1, None)]
    else:
        assert mine == []
    spans = [
        (unix(s["from"]), unix(s["to"]))
        for s in decided["inconclusive"]
        if (s["criterion"], s["scope"]) == (criterion, scope)
    ]
    assert any(a <= T1 + 30 * MINUTE and b >= END - MINUTE for a, b in spans), spans
    (verdict,) = [
        v for v in checked["criteria"] if (v["criterion"], v["scope"]) == (criterion, scope)
    ]
    assert verdict["state"] == "inconclusive"
    why = [o["invalid"] for o in verdict["evidence"]["observations"] if "invalid" in o]
    assert any(reason in w for w in why), verdict["evidence"]
    assert reason in verdict["evidence"]["summary"]


async def test_the_daemon_counts_invalid_samples_per_signal(prom: PrometheusServer) -> None:
    the = launch({"prometheus": {"url": prom.url}})
    async with PrometheusClient(the.prometheus) as client:
        daemon = Daemon(the, client)
        await daemon.start(T1 + 2 * HOUR)  # replays the 6 h lookback: T1 - 4 h … T1 + 2 h
    value = daemon.metrics.registry.get_sample_value
    per_signal = {s: value(names.INVALID_SAMPLES, {"signal": s}) for s in the.signals}
    # Grid times from T1 to T1 + 2 h: 241, from T1 + 30 min: 181; two pairs' cut-offs.
    expected = {"eod_cutoff": 482, "payout_queue": 241, "dead_letter": 241, "sev1_open": 181}
    assert {s: n for s, n in per_signal.items() if n} == expected
    assert [d.criterion for d in daemon.snapshot.open if d.criterion == "sev1"] == ["sev1"]
