"""The warroom page at `/` (server-rendered, refreshed by a small script polling
`/warroom/content`), mounted into the daemon's app through `create_app(extra_routes=...)`.

    app = create_app(daemon, settings, token, extra_routes=warroom_routes(daemon))
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from launchguard.core.frames import seconds, tick
from launchguard.daemon.loop import Daemon
from launchguard.output.jsonout import decision_json
from launchguard.reports.timeline import launch_timeline, timeline_json
from launchguard.server import Api, status_json
from launchguard.web.common import PageData
from launchguard.web.page import render_content, render_page
from launchguard.web.series import SeriesCache, chart_operand

__all__ = ["WarroomPage", "warroom_routes"]


class WarroomPage:
    """The page's handlers over a running daemon's snapshot."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon
        self.settings = daemon.launch.config.warroom
        self.series = SeriesCache(daemon.launch, daemon.source, self.settings.sparkline_window)

    def _denied(self, request: Request) -> Response | None:
        """With `server.protect_reads`, the page needs the API's bearer token like the
        status endpoint does, with the same answers (a reverse proxy adds it for the
        warroom's screens): the check of the API that `create_app` mounts the page in."""
        api: Api = request.app.state.api
        return api.read_denied(request)

    async def data(self, request: Request) -> PageData:
        snap = self.daemon.snapshot
        status = status_json(self.daemon, snap, request.app.state.actions.state)
        resolved = sorted(snap.resolved, key=lambda d: d.resolved_at or 0, reverse=True)
        charted = {}
        for d in status["decisions"]:
            operand = chart_operand(d, self.daemon.launch)
            if operand is not None:
                charted[d["id"]] = operand
        end = seconds(snap.evaluated_to) if snap.evaluated_to is not None else time.time()
        series = await self.series.fetch(list(charted.values()), end) if charted else {}
        refresh = self.settings.page_refresh or self.daemon.launch.interval
        now = self.daemon.clock()
        since = tick(now - TIMELINE_SPAN)
        found = await request.app.state.actions.records([*snap.resolved, *snap.open], since)
        events = launch_timeline(self.daemon.launch, found, since, tick(now))
        return PageData(
            status,
            [decision_json(d) for d in resolved],
            self.settings,
            refresh,
            now,
            series,
            charted,
            timeline_json(events[-TIMELINE_EVENTS:])[::-1],
        )

    async def page(self, request: Request) -> Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        return HTMLResponse(render_page(await self.data(request)), headers=_NO_STORE)

    async def content(self, request: Request) -> Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        return HTMLResponse(render_content(await self.data(request)), headers=_NO_STORE)


_NO_STORE = {"Cache-Control": "no-store"}
TIMELINE_SPAN = 86400.0  # seconds of the timeline the page shows, at most …
TIMELINE_EVENTS = 30  # … and this many events (`launchguard timeline` lists them all)


def static_dir() -> Path:
    return Path(str(resources.files("launchguard.web").joinpath("static")))


def warroom_routes(daemon: Daemon) -> list[BaseRoute]:
    """`/`, `/warroom/content` and `/static/warroom/…`, for `create_app(extra_routes=…)`."""
    page = WarroomPage(daemon)
    return [
        Route("/", page.page),
        Route("/warroom/content", page.content),
        Mount("/static/warroom", StaticFiles(directory=static_dir()), name="warroom-static"),
    ]
