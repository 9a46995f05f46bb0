"""Warroom actions through the HTTP API with a real journal file: acknowledged, declared,
ticked, noted and new attempts are signed records (`audit verify` passes, a changed one is
caught), they survive a restart (read back from the journal), and every bad request is a
4xx that journals and shows nothing.

The app runs in-process over httpx's ASGI transport, on a daemon fed by a fake source with a
SEV1 open (a full rollback to act on)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from daemons import HEALTHY, FakeSource, test_launch
from launchguard.cli import main
from launchguard.config.server import ServerSettings
from launchguard.daemon import Daemon
from launchguard.daemon.actionlog import ActionLog
from launchguard.server import create_app
from launchguard.sinks.journal import JournalSink
from launchguard.sinks.journal_chain import Keyring, key_id
from sink_factories import KEY, journal_records

AT = 1_780_272_000.0
TOKEN, IC = "operator-token-for-tests", "launch-ic-token-for-tests"
RING = Keyring(KEY.encode(), {key_id(KEY.encode()): KEY.encode()})
DECLARATION = {
    "by": "Irena (Launch IC)",
    "what": "full rollback: safe-mode on every network, volume one level down",
    "scope": "all networks",
    "when": "2026-06-01T00:05:00Z",
    "rollback_of_rollback": "lift safe-mode network by network once SEV1 is closed",
}


@asynccontextmanager
async def warroom_api(
    path: Path, **launch: str
) -> AsyncIterator[tuple[httpx.AsyncClient, str, Daemon]]:
    """A started daemon with a SEV1 open, its app journaling to `path`; yields the client,
    the SEV1 decision's id and the daemon. Leaving it closes the journal (a restart opens it
    anew). `launch`: settings of the config's `launch` section (e.g. t0)."""
    the = test_launch(
        {
            "evaluation": {"lookback": "5m"},
            "warroom": {"declare_roles": ["ic"]},
            "launch": launch,
        }
    )
    sink = JournalSink(path, RING)
    daemon = Daemon(the, FakeSource(the, {**HEALTHY, "sev1_open": [({}, 1.0)]}), [sink])
    await daemon.start(AT)
    app = create_app(
        daemon,
        ServerSettings(max_request_bytes=4096),
        TOKEN,
        actions=ActionLog(sink),
        role_tokens={"ic": IC},
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api"
        ) as client:
            [sev1] = [d for d in daemon.snapshot.open if d.criterion == "sev1"]
            yield client, sev1.id, daemon
    finally:
        await daemon.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def warroom_of(client: httpx.AsyncClient) -> dict[str, Any]:
    status: dict[str, Any] = (await client.get("/api/v1/status")).json()
    return {"warroom": status["warroom"], "acks": status["acks"]}


async def test_actions_are_signed_survive_a_restart_and_a_changed_one_fails_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.sqlite"
    async with warroom_api(path) as (client, did, _):
        base = f"/api/v1/decisions/{did}"
        calls = [
            (f"{base}/ack", TOKEN, {"by": "anna", "note": "looking"}),
            (f"{base}/declare", IC, DECLARATION),
            (f"{base}/steps", TOKEN, {"step": 0, "by": "boris"}),
            (f"{base}/notes", TOKEN, {"text": "RPC provider confirms the outage"}),
            ("/api/v1/attempts", IC, {"by": "Irena (Launch IC)", "note": "after RCA"}),
        ]
        for url, token, body in calls:
            response = await client.post(url, json=body, headers=bearer(token))
            assert response.status_code == 200, response.text
        before = await warroom_of(client)
    shown = before["warroom"]["decisions"][did]
    assert before["acks"][did]["by"] == "anna" and before["acks"][did]["role"] == "operator"
    [declared] = shown["declarations"]
    assert declared["role"] == "ic" and declared["when"] == "2026-06-01T00:05:00Z"
    assert declared["rollback_of_rollback"] == DECLARATION["rollback_of_rollback"]
    assert shown["steps"]["0"]["by"] == "boris" and shown["steps"]["0"]["done"] is True
    assert shown["notes"][0]["by"] == "operator"  # no `by`: the token's role
    assert before["warroom"]["attempts"][0]["note"] == "after RCA"

    async with warroom_api(path) as (client, _, _):  # a restart: read back from the journal
        assert await warroom_of(client) == before

    monkeypatch.setenv("LAUNCHGUARD_JOURNAL_KEY", KEY)
    monkeypatch.delenv("LAUNCHGUARD_CONFIG", raising=False)
    assert main(["audit", "verify", "--journal", str(path)]) == 0
    out = tmp_path / "export.jsonl"
    export = ["audit", "export", "--journal", str(path), "--out", str(out)]
    assert main([*export, "--start", "2026-01-01T00:00:00Z", "--end", "2036-01-01T00:00:00Z"]) == 0
    events = [line for line in out.read_text().splitlines() if '"event":"declare"' in line]
    assert len(events) == 1 and "Irena (Launch IC)" in events[0]
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE records SET record = replace(record, 'Irena', 'Ivan ') WHERE event = ?",
            ("declare",),
        )
    assert main(["audit", "verify", "--journal", str(path)]) == 1


LONG = "x" * 501


@pytest.mark.parametrize(
    ("action", "token", "body", "status", "says"),
    [
        pytest.param(
            "ack", None, {}, 401, "bearer token required", id="an ack without a token is 401"
        ),
        pytest.param("ack", "wrong", {}, 403, "invalid bearer token", id="a wrong token is 403"),
        pytest.param(
            "declare",
            TOKEN,
            DECLARATION,
            403,
            "needs the token of ic",
            id="a declaration with the operator's token is 403",
        ),
        pytest.param(
            "attempts",
            TOKEN,
            {"by": "x"},
            403,
            "needs the token of ic",
            id="a new attempt with the operator's token is 403",
        ),
        pytest.param(
            "unknown/ack",
            TOKEN,
            {},
            404,
            "no decision with id 'unknown'",
            id="an unknown decision is 404",
        ),
        pytest.param(
            "steps",
            TOKEN,
            {"step": 9},
            400,
            "step 9 is out of range (0..",
            id="a step past the action plan is 400",
        ),
        pytest.param(
            "steps", TOKEN, {"step": -1}, 400, "out of range", id="a negative step is 400"
        ),
        pytest.param(
            "steps", TOKEN, {"step": "0"}, 400, "must be an integer", id="a step as text is 400"
        ),
        pytest.param(
            "steps",
            TOKEN,
            {"step": True},
            400,
            "'step' must be an integer",
            id="a step as a boolean is 400",
        ),
        pytest.param(
            "declare",
            IC,
            {**DECLARATION, "what": ""},
            400,
            "'what' is required",
            id="a declaration without what is 400",
        ),
        pytest.param(
            "declare",
            IC,
            {**DECLARATION, "when": "soon"},
            400,
            "when",
            id="a declaration at no time is 400",
        ),
        pytest.param("notes", TOKEN, {}, 400, "'text' is required", id="an empty note is 400"),
        pytest.param(
            "notes",
            TOKEN,
            {"text": LONG},
            400,
            "501 characters; at most 500",
            id="an oversized field is 400",
        ),
        pytest.param(
            "ack",
            TOKEN,
            {"by": "a", "colour": "red"},
            400,
            "unknown field 'colour'",
            id="an unknown field is 400",
        ),
        pytest.param(
            "ack", TOKEN, b"{not json", 400, "body: not JSON", id="a non-JSON body is 400"
        ),
        pytest.param(
            "ack", TOKEN, b"[1, 2]", 400, "expected a JSON object", id="a JSON array is 400"
        ),
        pytest.param(
            "notes",
            TOKEN,
            {"text": "y" * 5000},
            413,
            "",
            id="a body over server.max_request_bytes is 413",
        ),
    ],
)
async def test_a_bad_request_is_refused_and_changes_nothing(
    tmp_path: Path, action: str, token: str | None, body: Any, status: int, says: str
) -> None:
    path = tmp_path / "journal.sqlite"
    async with warroom_api(path) as (client, did, _):
        before, records = await warroom_of(client), journal_records(path)
        url = "/api/v1/attempts" if action == "attempts" else f"/api/v1/decisions/{did}/{action}"
        url = url.replace(f"{did}/unknown", "unknown")
        content = body if isinstance(body, bytes) else None
        response = await client.post(
            url,
            json=None if content is not None else body,
            content=content,
            headers=bearer(token) if token else {},
        )
        assert response.status_code == status, response.text
        assert says in response.text
        assert await warroom_of(client) == before
        assert journal_records(path) == records


async def test_a_manual_checklist_item_is_signed_off_once_and_that_survives_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.sqlite"
    t0 = "2026-06-07T12:00:00"  # the T-7d items are due at the evaluation time
    async with warroom_api(path, t0=t0) as (client, _, daemon):
        url = "/api/v1/checklist/{}/signoff"
        done = await client.post(
            url.format("t-7d.dr-drill"), json={"by": "Olek (DevOps Lead)"}, headers=bearer(TOKEN)
        )
        assert done.status_code == 200, done.text
        assert done.json()["item"] == "t-7d.dr-drill"
        refusals = [
            ("t-7d.dr-drill", 409, "already signed off"),
            ("t-7d.gas-reserves", 409, "checked automatically"),
            ("no.such-item", 404, "no checklist item with id 'no.such-item'"),
        ]
        for item, status, says in refusals:
            response = await client.post(url.format(item), json={}, headers=bearer(TOKEN))
            assert (response.status_code, says in response.text) == (status, True), item
        signed = (await warroom_of(client))["warroom"]["signoffs"]
        assert list(signed) == ["t-7d.dr-drill"] and signed["t-7d.dr-drill"]["by"].startswith(
            "Olek"
        )
        assert journal_records(path) >= 2  # the SEV1's opening and the sign-off
        await daemon.cycle(AT + 30)  # the checklist evaluated with the warroom's sign-offs
        states = {s.item.id: s.state.value for s in daemon.snapshot.checklist}
        assert (states["t-7d.dr-drill"], states["t-7d.gonogo-preliminary"]) == (
            "done",
            "pending_signoff",
        )
    async with warroom_api(path, t0=t0) as (client, _, _):  # restart: still signed off
        assert list((await warroom_of(client))["warroom"]["signoffs"]) == ["t-7d.dr-drill"]
