"""The daemon's HTTP API (Starlette, served by uvicorn in the daemon's event loop).

`/metrics`, `/healthz` and `/readyz` are always open (scrapers and probes). The read API
(`/api/v1/status`, `/api/v1/decisions`) needs the bearer token only with
`server.protect_reads`; `POST /api/v1/decisions/{id}/ack` always needs it. The token is
read from the environment variable `server.token_env` names; without it, acks are refused.
Request bodies above `server.max_request_bytes` get 413; slow clients and repeated query
parameters are refused by `httpguard`.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from launchguard.config.durations import format_duration
from launchguard.config.server import ServerSettings
from launchguard.core.frames import tick
from launchguard.daemon.loop import Daemon
from launchguard.daemon.snapshot import Snapshot
from launchguard.httpguard import RequestGuard, error
from launchguard.inputs import UsageError, parse_time
from launchguard.output import jsonout
from launchguard.output.timefmt import rfc3339

_log = structlog.get_logger("launchguard.server")
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MAX_ACK_FIELD = 500  # characters of `by` and `note` kept


@dataclass(frozen=True)
class Ack:
    decision_id: str
    at: float  # unix seconds
    by: str
    note: str


class Api:
    """The handlers, over a daemon's snapshot; `token` None refuses every ack."""

    def __init__(self, daemon: Daemon, settings: ServerSettings, token: str | None) -> None:
        self.daemon = daemon
        self.settings = settings
        self.token = token
        self.acks: dict[str, Ack] = {}

    def denied(self, request: Request) -> Response | None:
        """None when the request carries `Authorization: Bearer <token>`; else its answer:
        401 (with `WWW-Authenticate`) without the header, 403 for another token or scheme,
        or when no token is configured. The one bearer check of the API and the page."""
        header = request.headers.get("authorization", "")
        if not header:
            return error(401, "bearer token required", {"WWW-Authenticate": "Bearer"})
        if self.token is None:
            return error(403, f"no API token configured (set ${self.settings.token_env})")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            return error(403, "invalid bearer token")
        return None

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
        return JSONResponse(status_json(self.daemon, self.daemon.snapshot, self.acks))

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

    async def ack(self, request: Request) -> Response:
        denied = self.denied(request)
        if denied is not None:
            return denied
        did = request.path_params["id"]
        snap = self.daemon.snapshot
        if not any(d.id == did for d in (*snap.open, *snap.resolved)):
            return error(404, f"no decision with id {did!r}")
        raw = await request.body()
        try:
            body: Any = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return error(400, "body: not JSON")
        if not isinstance(body, dict) or not all(
            isinstance(body.get(k, ""), str) for k in ("by", "note")
        ):
            return error(400, 'body: expected {"by": "...", "note": "..."} (both optional)')
        ack = Ack(
            did,
            time.time(),
            body.get("by", "")[:MAX_ACK_FIELD],
            body.get("note", "")[:MAX_ACK_FIELD],
        )
        self.acks[did] = ack
        _log.info("decision acknowledged", decision_id=did, by=ack.by)
        return JSONResponse(ack_json(ack))


def ack_json(ack: Ack) -> dict[str, Any]:
    return {
        "decision_id": ack.decision_id,
        "at": rfc3339(tick(ack.at)),
        "by": ack.by,
        "note": ack.note,
    }


def status_json(daemon: Daemon, snap: Snapshot, acks: dict[str, Ack]) -> dict[str, Any]:
    """The body of GET /api/v1/status."""
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
        "acks": {did: ack_json(a) for did, a in acks.items()},
    }


def create_app(
    daemon: Daemon,
    settings: ServerSettings,
    token: str | None,
    *,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The API app. `extra_routes` are mounted first (e.g. the warroom page at `/`)."""
    api = Api(daemon, settings, token)
    routes: list[BaseRoute] = [
        *extra_routes,
        Route("/metrics", api.metrics),
        Route("/healthz", api.healthz),
        Route("/readyz", api.readyz),
        Route("/api/v1/status", api.status),
        Route("/api/v1/decisions", api.decisions),
        Route("/api/v1/decisions/{id}/ack", api.ack, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.api = api
    app.add_middleware(
        RequestGuard, max_bytes=settings.max_request_bytes, body_timeout=settings.body_timeout
    )
    return app
