"""The daemon's HTTP API (Starlette, served by uvicorn in the daemon's event loop).

`/metrics`, `/healthz` and `/readyz` are always open (scrapers and probes). The read API
(`/api/v1/status`, `/api/v1/decisions`) needs the bearer token only with
`server.protect_reads`; the warroom actions (`warroom_api`: ack, declare, steps, notes,
attempts) always need it. The token is read from the environment variable `server.token_env`
names; without any token, actions are refused.
Request bodies above `server.max_request_bytes` get 413; slow clients and repeated query
parameters are refused by `httpguard`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from launchguard.config.durations import format_duration
from launchguard.config.server import ServerSettings
from launchguard.core.frames import tick
from launchguard.core.warroom import WarroomState
from launchguard.daemon.actionlog import ActionLog, acks_json, state_json
from launchguard.daemon.loop import Daemon
from launchguard.daemon.snapshot import Snapshot
from launchguard.httpguard import RequestGuard, error
from launchguard.inputs import UsageError, parse_time
from launchguard.output import jsonout
from launchguard.output.checklist import readiness_json
from launchguard.output.checklist import status_json as item_json
from launchguard.output.timefmt import rfc3339
from launchguard.warroom_api import ActionsApi, TimelineApi, action_routes

_log = structlog.get_logger("launchguard.server")
OPERATOR = "operator"
"""The role of `server.token_env`'s token."""
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Api:
    """The read handlers, over a daemon's snapshot and the warroom's actions."""

    def __init__(
        self,
        daemon: Daemon,
        settings: ServerSettings,
        token: str | None,
        actions: ActionLog,
        role_tokens: Mapping[str, str] | None = None,
    ) -> None:
        self.daemon = daemon
        self.settings = settings
        self.actions = actions
        # role → token: `token` is the operator's; `role_tokens` the warroom roles' (config)
        self.tokens = {**({OPERATOR: token} if token else {}), **(role_tokens or {})}

    def role_of(self, request: Request) -> str | Response:
        """The role whose token the request bears (`Authorization: Bearer <token>`); else
        its answer: 401 (with `WWW-Authenticate`) without the header, 403 for another token
        or scheme, or when no token is configured. The one bearer check of the API, the
        warroom actions and the page."""
        header = request.headers.get("authorization", "")
        if not header:
            return error(401, "bearer token required", {"WWW-Authenticate": "Bearer"})
        if not self.tokens:
            return error(403, f"no API token configured (set ${self.settings.token_env})")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer":
            for role, token in self.tokens.items():
                if hmac.compare_digest(given.strip().encode(), token.encode()):
                    return role
        return error(403, "invalid bearer token")

    def denied(self, request: Request) -> Response | None:
        """None when `role_of` finds a role; else its 401/403."""
        role = self.role_of(request)
        return role if isinstance(role, Response) else None

    def read_denied(self, request: Request) -> Response | None:
        """`denied` with `server.protect_reads`; reads are open otherwise."""
        return self.denied(request) if self.settings.protect_reads else None

    async def metrics(self, request: Request) -> Response:
        return Response(self.daemon.metrics.exposition(), media_type=METRICS_TYPE)

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(self, request: Request) -> Response:
        snap = self.daemon.snapshot
        if snap.ready:
            return PlainTextResponse("ready\n")
        return PlainTextResponse(f"not ready: {snap.not_ready_reason}\n", status_code=503)

    async def status(self, request: Request) -> Response:
        denied = self.read_denied(request)
        if denied is not None:
            return denied
        return JSONResponse(status_json(self.daemon, self.daemon.snapshot, self.actions.state))

    async def decisions(self, request: Request) -> Response:
        denied = self.read_denied(request)
        if denied is not None:
            return denied
        params = request.query_params
        unknown = sorted(set(params) - {"state", "since"})
        if unknown:
            return error(400, f"unknown parameter {unknown[0]!r} (use state, since)")
        state = params.get("state", "open")
        if state not in ("open", "all"):
            return error(400, f"state: must be 'open' or 'all', got {state!r}")
        since: int | None = None
        if "since" in params:
            try:
                since = tick(parse_time(params["since"], "since"))
            except UsageError as exc:
                return error(400, str(exc))
            except (OverflowError, ValueError):  # inf, nan
                return error(400, f"since: {params['since']!r} is not a time")
        snap = self.daemon.snapshot
        chosen = list(snap.open) if state == "open" else [*snap.resolved, *snap.open]
        if since is not None:
            chosen = [d for d in chosen if d.resolved_at is None or d.resolved_at >= since]
        chosen.sort(key=lambda d: (d.opened_at, d.criterion, d.scope))
        return JSONResponse({"decisions": [jsonout.decision_json(d) for d in chosen]})


def status_json(
    daemon: Daemon, snap: Snapshot, actions: WarroomState | None = None
) -> dict[str, Any]:
    """The body of GET /api/v1/status; `actions`: the warroom's (None: none)."""
    actions = actions if actions is not None else WarroomState()
    degraded = snap.degraded
    level = snap.level
    return {
        "ready": snap.ready,
        "launch": {
            "phase": snap.phase,
            "volume_level": {"name": level.name, "ratio": level.ratio} if level else None,
            "timezone": daemon.launch.timezone,
            "networks": list(daemon.launch.networks),
        },
        "freezes": [jsonout.freeze_json(f) for f in snap.freezes],
        "evaluation": {
            "interval": format_duration(daemon.launch.interval),
            "at": rfc3339(snap.last_cycle_at) if snap.last_cycle_at is not None else None,
            "evaluated_to": rfc3339(snap.evaluated_to) if snap.evaluated_to is not None else None,
            "duration_seconds": round(snap.last_duration, 6),
            "outcome": snap.last_outcome,
            "error": snap.last_error or None,
            "last_success": rfc3339(tick(snap.last_success)) if snap.last_success else None,
        },
        "degraded": None if degraded is None else jsonout.degraded_json(degraded),
        "slos": [jsonout.slo_json(r) for r in snap.slos],
        "slo_details": [jsonout.slo_json(r) for r in snap.slo_details],
        "criteria": [
            {"criterion": v.criterion, "scope": dict(v.scope), "state": v.state.value}
            for v in snap.verdicts
        ],
        "decisions": [jsonout.decision_json(d) for d in snap.open],
        "gonogo": None
        if snap.gonogo is None
        else {
            "at": rfc3339(tick(snap.gonogo.at)),
            "recommendation": snap.gonogo.recommendation,
            "reasons": list(snap.gonogo.reasons),
            "decision_id": snap.gonogo.decision.id if snap.gonogo.decision else None,
        },
        "acks": acks_json(actions),
        "warroom": state_json(actions),
        "checklist": None
        if snap.checklist_at is None
        else {
            "at": rfc3339(snap.checklist_at),
            **readiness_json(snap.checklist),
            "items": [item_json(s) for s in snap.checklist],
        },
    }


def create_app(
    daemon: Daemon,
    settings: ServerSettings,
    token: str | None,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    actions: ActionLog | None = None,
    role_tokens: Mapping[str, str] | None = None,
) -> Starlette:
    """The API app. `extra_routes` are mounted first (e.g. the warroom page at `/`);
    `actions` the warroom's (default: in memory only); `role_tokens` role → token of the
    warroom roles besides `token` (role `operator`)."""
    actions = actions if actions is not None else ActionLog()
    daemon.signed_off = actions.signed_off  # the checklist's sign-offs are warroom actions
    api = Api(daemon, settings, token, actions, role_tokens)
    acts = ActionsApi(daemon, actions, api.role_of)
    timeline = TimelineApi(daemon, actions, api.read_denied)
    routes: list[BaseRoute] = [
        *extra_routes,
        Route("/metrics", api.metrics),
        Route("/healthz", api.healthz),
        Route("/readyz", api.readyz),
        Route("/api/v1/status", api.status),
        Route("/api/v1/decisions", api.decisions),
        Route("/api/v1/timeline", timeline.timeline),
        *action_routes(acts),
    ]
    app = Starlette(routes=routes)
    app.state.api = api
    app.state.actions = actions
    app.add_middleware(
        RequestGuard, max_bytes=settings.max_request_bytes, body_timeout=settings.body_timeout
    )
    return app
