"""The warroom page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright, no
browser download), served by a daemon running on its 1 s schedule against a real Prometheus.

Prometheus holds a backfilled launch-day history that ends half a minute ago (trc20 slow and
its queue growing: a partial rollback open since 30 min) and scrapes a live exporter, so the
test can open a SEV1 and clear it. The page must show the open decisions with their evidence,
their checklist and the RU and EN texts, refresh by itself when the SEV1 opens and resolves,
log no console error, and leave screenshots at wall-screen and phone sizes."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import ConsoleMessage, Page, async_playwright

from daemons import Exporter, RecordingSink, day, eventually, scrape_config, test_launch, writer_for
from launchguard.daemon import Daemon
from launchguard.daemon.service import bind, run_service
from launchguard.prometheus import PrometheusClient
from launchguard.server import create_app
from launchguard.sim.launchday import Network, const
from launchguard.sim.timeline import linear
from launchguard.web import warroom_routes

from conftest import MakePrometheus

pytestmark = [pytest.mark.prometheus, pytest.mark.chromium]

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


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Screenshots go to $LAUNCHGUARD_ARTIFACTS (CI keeps them) or the test's tmp_path."""
    where = Path(os.environ.get("LAUNCHGUARD_ARTIFACTS") or tmp_path / "artifacts")
    where.mkdir(parents=True, exist_ok=True)
    return where


@pytest.fixture
def exporter() -> Iterator[Exporter]:
    e = Exporter()
    yield e
    e.stop()


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


@pytest.fixture
async def warroom(
    make_prometheus: MakePrometheus, exporter: Exporter
) -> AsyncIterator[tuple[str, Daemon, PrometheusClient]]:
    prom = make_prometheus(history(time.time() - 30), config=scrape_config(exporter.target))
    the = test_launch(
        {
            "prometheus": {"url": prom.url},
            "evaluation": {"interval": "1s", "lookback": "1h", "clear_for": "3s"},
            "launch": {"t0": t0_in_five_days()},
            "warroom": {
                "page_refresh": "1s",
                "grafana_url": "http://grafana.invalid:3000",
                "alertmanager_url": "http://alertmanager.invalid:9093",
                "sparkline_window": "45m",
            },
        }
    )
    stop = asyncio.Event()
    sock = bind("127.0.0.1", 0)
    async with PrometheusClient(the.prometheus) as client:
        daemon = Daemon(the, client, [RecordingSink()])
        app = create_app(daemon, the.config.server, None, extra_routes=warroom_routes(daemon))
        service = asyncio.create_task(run_service(daemon, app, sock, stop, handle_signals=False))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        try:
            async with httpx.AsyncClient(base_url=base, trust_env=False) as http:

                async def ready() -> bool:
                    return (await http.get("/readyz")).status_code == 200

                await eventually(ready, 30, "/readyz to turn 200")
            yield base, daemon, client
        finally:
            stop.set()
            await asyncio.wait_for(service, 15)


async def scraped(client: PrometheusClient) -> bool:
    result = await client.query_range("up", *(2 * [time.time()]), 1.0)
    return bool(result.series)


async def open_ids(page: Page) -> list[str]:
    text = await page.get_attribute("#content .generation", "data-open-ids") or ""
    return text.split()


async def test_the_warroom_page_shows_evidence_checklist_both_languages_and_refreshes(
    warroom: tuple[str, Daemon, PrometheusClient], exporter: Exporter, artifacts: Path
) -> None:
    base, _daemon, client = warroom
    problems: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport=WALL)

            def console(msg: ConsoleMessage) -> None:
                if msg.type == "error":
                    problems.append(f"console: {msg.text}")

            page.on("console", console)
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            await page.goto(base + "/")

            # The partial rollback rebuilt from the history, with everything the warroom needs.
            card = page.locator('article.decision[data-criterion="passthrough_rollback"]')
            await card.wait_for(timeout=10_000)
            assert "network=trc20" in await card.locator("h3").inner_text()
            ru = card.locator('section.text[lang="ru"]')
            en = card.locator('section.text[lang="en"]')
            assert "Рекомендован частичный rollback" in await ru.inner_text()
            assert "Partial rollback recommended" in await en.inner_text()
            checklist = card.locator(".checklist li")
            assert await checklist.count() == 2
            first = await checklist.nth(0).inner_text()
            assert "Safe-mode: заморозка выплат в сети trc20." in first
            assert "Safe-mode: freeze payouts on trc20." in first
            assert "canary (30 %) → pilot (10 %)" in await checklist.nth(1).inner_text()
            windows = card.locator("table.window")
            assert await windows.count() == 3  # now, 15 and 30 minutes ago
            now_table = await card.locator('table.window[data-offset="0s"]').inner_text()
            assert "passthrough_p95" in now_table and "payout_queue" in now_table
            assert await card.locator("svg.sparkline polyline").count() >= 1
            assert "canary (30 %)" in await page.inner_text("#volume")
            assert "canary" in await page.inner_text("#phase")
            freezes = page.locator("#freezes .freeze")
            assert await freezes.evaluate_all("s => s.map(e => e.className)") == [
                "freeze active",
                "freeze upcoming",
            ]
            assert "code_freeze until" in await freezes.nth(0).inner_text()
            assert "config_freeze from" in await freezes.nth(1).inner_text()
            assert "yes" in await page.inner_text("#prometheus")
            assert "trc20" in await page.inner_text("#slos")
            links = await page.locator("header.top nav a").all_inner_texts()
            assert "Alertmanager" in links and any("Executive" in x for x in links)

            # A ticked step stays ticked across refreshes.
            await checklist.nth(0).locator("input").check()

            # A SEV1 opens in the data: the page shows it without a reload.
            await eventually(lambda: scraped(client), 30, "the first scrape")
            exporter.incidents.labels("sev1").set(1)
            sev1 = page.locator('article.decision[data-criterion="sev1"]')
            await sev1.wait_for(timeout=20_000)
            sev1_id = await sev1.get_attribute("data-decision-id")
            assert sev1_id in await open_ids(page)
            assert "Рекомендован полный rollback" in await sev1.inner_text()
            await page.screenshot(path=str(artifacts / "warroom-wall-1920x1080.png"))
            phone = await browser.new_page(viewport=PHONE)
            phone.on("console", console)
            await phone.goto(base + "/")
            await phone.locator('article.decision[data-criterion="sev1"]').wait_for()
            width = await phone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], "no horizontal scrolling on a phone"
            await phone.screenshot(path=str(artifacts / "warroom-phone-390x844.png"))
            await phone.screenshot(
                path=str(artifacts / "warroom-phone-390x844-full.png"), full_page=True
            )
            await phone.close()

            # It clears: after clear_for (3 s) the decision resolves and the page moves it.
            exporter.incidents.labels("sev1").set(0)
            resolved = page.locator(f'#resolved-decisions [data-decision-id="{sev1_id}"]')
            await resolved.wait_for(timeout=30_000)
            assert await sev1.count() == 0
            assert sev1_id not in await open_ids(page)
            box = card.locator(".checklist li").nth(0).locator("input")
            assert await box.is_checked(), "the tick survived the refreshes"
            await page.screenshot(path=str(artifacts / "warroom-wall-1920x1080-resolved.png"))
        finally:
            await browser.close()
    assert problems == []
    assert (artifacts / "warroom-wall-1920x1080.png").stat().st_size > 10_000
    assert (artifacts / "warroom-phone-390x844.png").stat().st_size > 10_000
