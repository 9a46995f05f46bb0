"""Helpers of the warroom page tests (tests/test_warroom_page.py): the launch-day history the
page shows, opening a page in Debian's Chromium with its console watched, the live SEV1, and
what "visible without scrolling" and "units in the label's language" mean there."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Browser, ConsoleMessage, Page
from starlette.types import ASGIApp

from daemons import Exporter, day, eventually, writer_for
from launchguard.daemon import Daemon
from launchguard.daemon.service import bind, run_service
from launchguard.prometheus import PrometheusClient
from launchguard.sim.timeline import linear

from launchday import Network, const

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WALL, PHONE = {"width": 1920, "height": 1080}, {"width": 390, "height": 844}
MINUTE = 60.0


def t0_in_five_days() -> str:
    """Noon (Warsaw) five days from now: the code freeze is in force, the config freeze ahead."""
    day = datetime.fromtimestamp(time.time() + 5 * 86400, ZoneInfo("Europe/Warsaw"))
    return day.replace(hour=12, minute=0, second=0, microsecond=0, tzinfo=None).isoformat()


def history(end: float) -> object:
    """75 minutes ending at `end`: trc20 slow (2000 s) from 45 min before the end, its queue
    growing; erc20 healthy; the volume cap at canary (30 %)."""
    start = (end - 75 * MINUTE) // 30 * 30
    slow_from = start + 30 * MINUTE
    trc20 = Network(
        "trc20",
        passthrough_seconds=linear([(0.0, 240.0), (slow_from, 240.0), (slow_from + 1, 2000.0)]),
        queue=linear([(0.0, 10.0), (slow_from, 10.0), (slow_from + 3 * 3600, 10.0 + 3 * 180)]),
    )
    return writer_for(
        day(start, end=end, networks=(Network("erc20"), trc20), volume_cap=const(0.3))
    )


@asynccontextmanager
async def served(daemon: Daemon, app: ASGIApp) -> AsyncIterator[str]:
    """The daemon and its app running on a loopback port until the block ends; yields the
    base URL once /readyz answers 200 (the start-up rebuild is done)."""
    stop = asyncio.Event()
    sock = bind("127.0.0.1", 0)
    service = asyncio.create_task(run_service(daemon, app, sock, stop, handle_signals=False))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        async with httpx.AsyncClient(base_url=base, trust_env=False) as http:

            async def ready() -> bool:
                return (await http.get("/readyz")).status_code == 200

            await eventually(ready, 30, "/readyz to turn 200")
        yield base
    finally:
        stop.set()
        await asyncio.wait_for(service, 15)


@asynccontextmanager
async def opened(
    browser: Browser, url: str, viewport: dict[str, int], problems: list[str]
) -> AsyncIterator[Page]:
    """A page at `url`; console errors and page errors are added to `problems`."""
    page = await browser.new_page(viewport=viewport)

    def console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            problems.append(f"console: {msg.text}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    await page.goto(url)
    try:
        yield page
    finally:
        await page.close()


async def scraped(client: PrometheusClient) -> bool:
    result = await client.query_range("up", *(2 * [time.time()]), 1.0)
    return bool(result.series)


async def open_ids(page: Page) -> list[str]:
    text = await page.get_attribute("#content .generation", "data-open-ids") or ""
    return text.split()


async def open_sev1(page: Page, client: PrometheusClient, exporter: Exporter) -> str:
    """Set the live SEV1 gauge and wait for its card (no reload); its decision id."""
    await eventually(lambda: scraped(client), 30, "the first scrape")
    exporter.incidents.labels("sev1").set(1)
    sev1 = page.locator('article.decision[data-criterion="sev1"]')
    await sev1.wait_for(timeout=20_000)
    return await sev1.get_attribute("data-decision-id") or ""


BOXES = """sel => [...document.querySelectorAll(sel)].map(e => {
    const r = e.getBoundingClientRect();
    return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, seen: e.checkVisibility()};
})"""


COLUMNS = """() => {
    const left = e => Math.round(e.getBoundingClientRect().left);
    const cards = document.querySelectorAll(
        "article.kind-full_rollback, article.kind-partial_rollback");
    return {
        status: left(document.querySelector("#criteria-matrix")),
        decisions: left(document.querySelector("#open-decisions")),
        cards: [...cards].map(
            c => [".texts", ".checklist", ".evidence"].map(q => left(c.querySelector(q)))),
    };
}"""
"""Left edges at wall size: the status pane, the decisions pane, each rollback card's parts."""


async def assert_in_viewport(page: Page, selector: str) -> None:
    """Every element matching `selector` is rendered and visible without scrolling (measured
    in one script run, so a refresh of the content cannot swap the nodes in between)."""
    view = page.viewport_size
    assert view is not None
    assert await page.evaluate("[window.scrollX, window.scrollY]") == [0, 0]
    boxes = await page.evaluate(BOXES, selector)
    assert boxes, f"{selector}: not on the page"
    for box in boxes:
        assert box["seen"] and box["right"] > box["x"], (selector, "not rendered", box)
        assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
        assert box["right"] <= view["width"] and box["bottom"] <= view["height"], (
            selector,
            box,
            view,
        )


def warsaw_clock(rfc: str) -> str:
    """'19:38': how the page shows a time of today (Europe/Warsaw)."""
    when = datetime.fromisoformat(rfc.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Warsaw"))
    return when.strftime("%H:%M")


RU_UNITS = re.compile(r"\d (мин|ч|с|д)(\b|$)")  # noqa: RUF001
EN_UNITS = re.compile(r"\d (min|h|s|d)(\b|$)")
