"""The warroom actions over HTTP (docs/daemon.md): acknowledge, declare the rollback, tick a
step, note (`POST /api/v1/decisions/{id}/ack|declare|steps|notes`) and declare a new attempt
(`POST /api/v1/attempts`). Each needs a bearer token: `server.token_env`'s (role `operator`)
or one of `warroom.role_tokens` (checked by `server.Api.role_of`); a declaration needs a
role of `warroom.declare_roles` when that list is set. An action is journaled before it is
answered and shown; a bad request (unknown decision, resolved decision for a declaration or
a step, bad body, step out of range, missing or wrong token) gets a 4xx and changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from launchguard.config.warroom import WarroomSettings
from launchguard.core.frames import tick
from launchguard.core.warroom import (
    ACK,
    DECLARE,
    NEW_ATTEMPT,
    NOTE,
    ON_OPEN_ONLY,
    SIGNOFF,
    STEP,
    ActionError,
    WarroomAction,
    check_body,
)
from launchguard.daemon.actionlog import ActionLog
from launchguard.daemon.loop import Daemon
from launchguard.errors import one_line
from launchguard.httpguard import error
from launchguard.inputs import UsageError, parse_time
from launchguard.output.timefmt import rfc3339
from launchguard.reports.timeline import launch_timeline, timeline_json
from launchguard.sinks.journal_actions import action_json

_log = structlog.get_logger("launchguard.warroom_api")


class ActionsApi:
    """The action handlers over a daemon's snapshot and an `ActionLog`."""

    def __init__(
        self,
        daemon: Daemon,
        log: ActionLog,
        role_of: Callable[[Request], str | Response],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`role_of`: the API's bearer check (`server.Api.role_of`)."""
        self.daemon, self.log, self.role_of = daemon, log, role_of
        self.settings: WarroomSettings = daemon.launch.config.warroom
        self.clock = clock

    async def ack(self, request: Request) -> Response:
        return await self._act(request, ACK)

    async def declare(self, request: Request) -> Response:
        return await self._act(request, DECLARE)

    async def step(self, request: Request) -> Response:
        return await self._act(request, STEP)

    async def note(self, request: Request) -> Response:
        return await self._act(request, NOTE)

    async def attempt(self, request: Request) -> Response:
        return await self._act(request, NEW_ATTEMPT)

    async def signoff(self, request: Request) -> Response:
        return await self._act(request, SIGNOFF)

    async def _act(self, request: Request, kind: str) -> Response:
        role = self.role_of(request)
        if isinstance(role, Response):
            return role
        needs = self.settings.declare_roles
        if kind in (DECLARE, NEW_ATTEMPT) and needs and role not in needs:
            return error(403, f"{kind}: needs the token of {' or '.join(needs)} (this is {role})")
        did = str(request.path_params.get("id", ""))
        steps: int | None = None
        item = str(request.path_params.get("item", ""))
        if kind == SIGNOFF:
            refused = self._unsignable(item)
            if refused is not None:
                return refused
        elif kind != NEW_ATTEMPT:
            snap = self.daemon.snapshot
            found = [d for d in (*snap.open, *snap.resolved) if d.id == did]
            if not found:
                return error(404, f"no decision with id {did!r}")
            if kind in ON_OPEN_ONLY and not found[0].is_open:
                return error(409, f"{kind}: decision {did} is resolved")
            steps = len(found[0].actions)
        raw = await request.body()
        try:
            body: Any = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return error(400, "body: not JSON")
        try:
            fields = check_body(kind, body, steps)
            if "when" in fields:  # the declaration's time, stored in RFC 3339 like the rest
                fields["when"] = rfc3339(tick(parse_time(fields["when"], "when")))
        except (ActionError, UsageError) as exc:
            return error(400, str(exc))
        except (OverflowError, ValueError, OSError):
            return error(400, f"body: 'when' {body.get('when')!r} is not a time")
        if kind == SIGNOFF:
            fields["item"] = item
        by = str(fields.pop("by", "") or role)
        action = WarroomAction(kind, did, tick(self.clock()), by, role, fields)
        try:
            await self.log.record(action)
        except (sqlite3.Error, OSError) as exc:
            _log.error("action_not_journaled", kind=kind, error=one_line(exc))
            return error(503, f"the journal cannot be written, nothing recorded: {one_line(exc)}")
        _log.info("warroom action", kind=kind, decision_id=did, by=by, role=role)
        return JSONResponse(action_json(action))

    def _unsignable(self, item: str) -> Response | None:
        """404 for an item the checklist does not have, 409 for an automated one (its check
        decides) or one already signed off."""
        found = [i for i in self.daemon.launch.checklist if i.id == item]
        if not found:
            return error(404, f"no checklist item with id {item!r}")
        if found[0].check is not None:
            return error(409, f"signoff: {item} is checked automatically, not signed off")
        if item in self.log.state.signoffs:
            return error(409, f"signoff: {item} is already signed off")
        return None


class TimelineApi:
    """`GET /api/v1/timeline?since=T`: the launch's timeline (docs/journal.md), from T (RFC
    3339 or unix seconds; default: all) to now."""

    def __init__(
        self, daemon: Daemon, log: ActionLog, read_denied: Callable[[Request], Response | None]
    ) -> None:
        self.daemon, self.log, self.read_denied = daemon, log, read_denied

    async def timeline(self, request: Request) -> Response:
        denied = self.read_denied(request)
        if denied is not None:
            return denied
        unknown = sorted(set(request.query_params) - {"since"})
        if unknown:
            return error(400, f"unknown parameter {unknown[0]!r} (use since)")
        since: int | None = None
        if "since" in request.query_params:
            text = request.query_params["since"]
            try:
                since = tick(parse_time(text, "since"))
            except UsageError as exc:
                return error(400, str(exc))
            except (OverflowError, ValueError):  # inf, nan
                return error(400, f"since: {text!r} is not a time")
        snap = self.daemon.snapshot
        found = await self.log.records([*snap.resolved, *snap.open], since)
        events = launch_timeline(self.daemon.launch, found, since)
        return JSONResponse({"events": timeline_json(events)})


def action_routes(api: ActionsApi) -> list[BaseRoute]:
    post = ["POST"]
    return [
        Route("/api/v1/decisions/{id}/ack", api.ack, methods=post),
        Route("/api/v1/decisions/{id}/declare", api.declare, methods=post),
        Route("/api/v1/decisions/{id}/steps", api.step, methods=post),
        Route("/api/v1/decisions/{id}/notes", api.note, methods=post),
        Route("/api/v1/attempts", api.attempt, methods=post),
        Route("/api/v1/checklist/{item}/signoff", api.signoff, methods=post),
    ]
