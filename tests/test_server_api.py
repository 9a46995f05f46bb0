"""The daemon's HTTP API: probes, status, decisions, acks, auth and bounded bodies.

The app runs in-process over httpx's ASGI transport, on a daemon fed by a fake source
(a sev1 incident open, so there is a decision to show and acknowledge)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from daemons import HEALTHY, FakeSource, test_launch
from launchguard import names
from launchguard.config.server import ServerSettings
from launchguard.daemon import Daemon
from launchguard.server import create_app

AT = 1_780_272_000.0
TOKEN = "s3cret-token-for-tests"
DECISION_KEYS = {"id", "kind", "criterion", "scope", "opened_at", "resolved_at", "actions"}


def daemon_with_sev1() -> tuple[Daemon, FakeSource]:
    the = test_launch({"evaluation": {"lookback": "5m"}})
    source = FakeSource(the, {**HEALTHY, "sev1_open": [({}, 1.0)]})
    return Daemon(the, source), source


async def client_for(
    daemon: Daemon, token: str | None = TOKEN, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(daemon, ServerSettings(**settings), token)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


@pytest.fixture
async def api() -> AsyncIterator[tuple[httpx.AsyncClient, Daemon]]:
    daemon, _ = daemon_with_sev1()
    await daemon.start(AT)
    async for client in client_for(daemon):
        yield client, daemon


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_readyz_is_503_until_the_first_successful_evaluation() -> None:
    daemon, source = daemon_with_sev1()
    async for client in client_for(daemon):
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 503
        source.fail = True
        await daemon.start(AT)
        assert (await client.get("/readyz")).status_code == 503
        source.fail = False
        await daemon.cycle(AT + 30)
        assert (await client.get("/readyz")).status_code == 200


async def test_status_shows_slos_open_decisions_with_evidence_and_the_last_evaluation(
    api: tuple[httpx.AsyncClient, Daemon],
) -> None:
    client, _ = api
    response = await client.get("/api/v1/status")
    assert response.status_code == 200
    doc = response.json()
    assert doc["ready"] is True and doc["degraded"] is None
    assert doc["evaluation"]["outcome"] == "ok"
    assert doc["evaluation"]["evaluated_to"] == "2026-06-01T00:00:00Z"
    assert doc["launch"]["volume_level"] == {"name": "canary", "ratio": 0.3}
    slos = {(s["slo"], s["scope"].get("network")): s for s in doc["slos"]}
    assert slos[("passthrough_p95", "trc20")]["value"] == 120.0
    assert slos[("passthrough_p95", "trc20")]["state"] == "met"
    [sev1] = [d for d in doc["decisions"] if d["criterion"] == "sev1"]
    assert set(sev1) == DECISION_KEYS | {"evidence"}
    assert sev1["kind"] == "full_rollback" and sev1["resolved_at"] is None
    assert sev1["evidence"]["observations"][0]["value"] == 1.0


CODE_FREEZE = {
    "name": "code_freeze",
    "from": "2026-05-29T08:00:00Z",  # T-7 d, 10:00 CEST
    "to": "2026-06-07T08:00:00Z",
    "active": True,
    "note": "hotfixes only, by procedure",
}
CONFIG_FREEZE = {
    "name": "config_freeze",
    "from": "2026-06-02T08:00:00Z",  # T-3 d, 10:00 CEST
    "to": "2026-06-06T08:00:00Z",
    "active": False,
    "note": "exception: per-tx cap / fee mode by the IC",
}


@pytest.mark.parametrize(
    ("t0", "freezes"),
    [
        pytest.param(None, [], id="without a T0 the status shows no freeze"),
        pytest.param(
            "2026-06-05T10:00:00",
            [CODE_FREEZE, CONFIG_FREEZE],
            id="inside the code freeze the config freeze is shown as still to come",
        ),
        pytest.param(
            "2026-05-30T12:00:00",
            [{**CODE_FREEZE, "from": "2026-05-23T10:00:00Z", "to": "2026-06-01T10:00:00Z"}],
            id="after T+1 the config freeze has ended and is left out",
        ),
    ],
)
async def test_status_shows_the_freezes_at_the_evaluation_time(
    t0: str | None, freezes: list[dict[str, Any]]
) -> None:
    the = test_launch({"evaluation": {"lookback": "5m"}, "launch": {"t0": t0}})
    daemon = Daemon(the, FakeSource(the, HEALTHY))
    await daemon.start(AT)  # 2026-06-01 02:00 CEST
    async for client in client_for(daemon):
        doc = (await client.get("/api/v1/status")).json()
        assert doc["freezes"] == freezes
        assert bool(doc["launch"]["phase"]) == (t0 is not None)  # shown next to the phase


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        pytest.param("", 200, None, id="open decisions by default"),
        pytest.param("?state=all&since=2026-05-31T00:00:00Z", 200, None, id="all since a time"),
        pytest.param("?state=closed", 400, "state: must be 'open' or 'all'", id="a bad state"),
        pytest.param("?since=yesterday", 400, "since: 'yesterday'", id="a bad since"),
        pytest.param("?since=nan", 400, "since: 'nan' is not a time", id="a since of nan"),
        pytest.param("?status=open", 400, "unknown parameter 'status'", id="an unknown parameter"),
        pytest.param(
            "?state=open&state=all",
            400,
            "state: given 2 times; give it once",
            id="a repeated parameter is named",
        ),
        pytest.param(
            "?since=1&state=all&since=2&since=3",
            400,
            "since: given 3 times",
            id="a parameter given three times is named",
        ),
    ],
)
async def test_decisions_endpoint_parameters(
    api: tuple[httpx.AsyncClient, Daemon], query: str, status: int, message: str | None
) -> None:
    client, _ = api
    response = await client.get(f"/api/v1/decisions{query}")
    assert response.status_code == status
    if message is not None:
        assert message in response.json()["error"]
    else:
        assert [d["criterion"] for d in response.json()["decisions"]] == ["sev1"]


async def test_decisions_since_after_a_resolution_leaves_it_out() -> None:
    daemon, source = daemon_with_sev1()
    await daemon.start(AT)
    source.values["sev1_open"] = [({}, 0.0)]
    await daemon.cycle(AT + 1800)  # clear from AT + 30 s on: resolved 15 min later
    async for client in client_for(daemon):
        every = (await client.get("/api/v1/decisions?state=all")).json()["decisions"]
        assert [d["resolved_at"] for d in every] == ["2026-06-01T00:15:30Z"]
        assert (await client.get("/api/v1/decisions")).json()["decisions"] == []
        later = await client.get("/api/v1/decisions?state=all&since=2026-06-01T00:16:00Z")
        assert later.json()["decisions"] == []


@pytest.mark.parametrize(
    ("headers", "token", "status"),
    [
        pytest.param({}, TOKEN, 401, id="no token is 401"),
        pytest.param(bearer("wrong-token"), TOKEN, 403, id="a wrong token is 403"),
        pytest.param({"Authorization": f"Basic {TOKEN}"}, TOKEN, 403, id="not bearer is 403"),
        pytest.param(bearer(), None, 403, id="no token configured refuses every ack"),
        pytest.param(bearer(), TOKEN, 200, id="the right token acknowledges"),
    ],
)
async def test_ack_needs_the_bearer_token(
    headers: dict[str, str], token: str | None, status: int
) -> None:
    daemon, _ = daemon_with_sev1()
    await daemon.start(AT)
    did = daemon.snapshot.open[0].id
    async for client in client_for(daemon, token):
        response = await client.post(
            f"/api/v1/decisions/{did}/ack", json={"by": "anna"}, headers=headers
        )
        assert response.status_code == status
        acks = (await client.get("/api/v1/status")).json()["acks"]
        assert (did in acks) == (status == 200)
        if status == 200:
            assert acks[did]["by"] == "anna"


async def test_ack_of_an_unknown_decision_is_404_and_a_bad_body_400(
    api: tuple[httpx.AsyncClient, Daemon],
) -> None:
    client, daemon = api
    assert (await client.post("/api/v1/decisions/nope/ack", headers=bearer())).status_code == 404
    did = daemon.snapshot.open[0].id
    bad = await client.post(f"/api/v1/decisions/{did}/ack", content=b"[1,", headers=bearer())
    assert bad.status_code == 400


async def test_bodies_over_the_limit_are_refused_with_413() -> None:
    daemon, _ = daemon_with_sev1()
    await daemon.start(AT)
    did = daemon.snapshot.open[0].id
    async for client in client_for(daemon, max_request_bytes=100):
        path = f"/api/v1/decisions/{did}/ack"
        declared = await client.post(path, content=b"x" * 101, headers=bearer())
        assert declared.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: streamed
            for _ in range(5):
                yield b"y" * 50

        streamed = await client.post(path, content=chunks(), headers=bearer())
        assert streamed.status_code == 413
        fits = await client.post(path, json={"by": "ok"}, headers=bearer())
        assert fits.status_code == 200


async def test_read_endpoints_can_be_protected_while_probes_stay_open() -> None:
    daemon, _ = daemon_with_sev1()
    await daemon.start(AT)
    async for client in client_for(daemon, protect_reads=True):
        for path in ("/api/v1/status", "/api/v1/decisions"):
            assert (await client.get(path)).status_code == 401
            assert (await client.get(path, headers=bearer())).status_code == 200
        for path in ("/metrics", "/healthz", "/readyz"):
            assert (await client.get(path)).status_code == 200


async def test_metrics_expose_the_names_of_names_py(api: tuple[httpx.AsyncClient, Daemon]) -> None:
    client, _ = api
    text = (await client.get("/metrics")).text
    for name in (
        names.SLO_VALUE,
        names.SLO_OBJECTIVE,
        names.CRITERION_STATE,
        names.DECISIONS_OPEN,
        names.EVALUATION_DURATION + "_bucket",
        names.CYCLES,
        names.QUERY_ERRORS,
        names.LAST_SUCCESS,
        names.EVALUATION_DEGRADED,
    ):
        assert f"\n{name}" in text, name
    assert (
        'launchguard_decisions_open{criterion="sev1",kind="full_rollback",network=""} 1.0' in text
    )
    assert 'launchguard_criterion_state{criterion="sev1",network="",state="fired"} 1.0' in text
    assert 'launchguard_slo_objective{slo="passthrough_p95"} 900.0' in text
    assert 'launchguard_cycles_total{outcome="ok"} 1.0' in text


async def test_extra_routes_are_mounted_for_the_warroom_page() -> None:
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def page(request: object) -> HTMLResponse:
        return HTMLResponse("<h1>warroom</h1>")

    daemon, _ = daemon_with_sev1()
    app = create_app(daemon, ServerSettings(), TOKEN, extra_routes=[Route("/", page)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        assert "warroom" in (await client.get("/")).text


@pytest.mark.parametrize(
    ("headers", "token", "status"),
    [
        pytest.param({}, TOKEN, 401, id="the page without a token is 401 like the API"),
        pytest.param(bearer("wrong-token"), TOKEN, 403, id="the page with a wrong token is 403"),
        pytest.param({"Authorization": f"Basic {TOKEN}"}, TOKEN, 403, id="not bearer is 403"),
        pytest.param(bearer(), None, 403, id="no token configured refuses the page with 403"),
        pytest.param(bearer(), TOKEN, 200, id="the page with the token is served"),
    ],
)
async def test_a_protected_warroom_page_answers_like_the_protected_api(
    headers: dict[str, str], token: str | None, status: int
) -> None:
    from launchguard.web import warroom_routes

    daemon, _ = daemon_with_sev1()
    await daemon.start(AT)
    settings = ServerSettings(protect_reads=True)
    app = create_app(daemon, settings, token, extra_routes=warroom_routes(daemon))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        for path in ("/", "/warroom/content", "/api/v1/status"):
            assert (await client.get(path, headers=headers)).status_code == status, path
