"""The warroom page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright, no
browser download), served by a daemon running on its 1 s schedule against a real Prometheus.

Prometheus holds a backfilled launch-day history that ends half a minute ago (trc20 slow and
its queue growing: a partial rollback open since 30 min) and scrapes a live exporter, so a
test can open a SEV1 and clear it. The page must show the open decisions with their evidence,
their checklist and the RU and EN texts (each with its own units), a headline for the most
severe one and the criteria matrix above the fold on a wall screen and a phone, refresh by
itself when the SEV1 opens and resolves, log no console error, and leave screenshots at both
sizes in $LAUNCHGUARD_ARTIFACTS."""

from __future__ import annotations

import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog

from daemons import Exporter, RecordingSink, scrape_config, test_launch
from launchguard.daemon import Daemon
from launchguard.prometheus import PrometheusClient
from launchguard.server import create_app
from launchguard.web import warroom_routes
from warroom_browser import (
    COLUMNS,
    EN_UNITS,
    PHONE,
    RU_UNITS,
    WALL,
    assert_in_viewport,
    history,
    open_ids,
    open_sev1,
    opened,
    served,
    t0_in_five_days,
    warsaw_clock,
)

from conftest import MakePrometheus

pytestmark = [pytest.mark.prometheus, pytest.mark.chromium]
TOKEN = "page-token-for-tests"  # a tick is a warroom action: the page asks for the token


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


@pytest.fixture
async def warroom(
    make_prometheus: MakePrometheus, exporter: Exporter
) -> AsyncIterator[tuple[str, Daemon, PrometheusClient]]:
    prom = make_prometheus(history(time.time() - 30), config=scrape_config(exporter.target))
    the = test_launch(
        {
            "prometheus": {"url": prom.url},
            "evaluation": {"interval": "1s", "lookback": "1h", "clear_for": "3s"},
            # The 1 h start-up rebuild needs more than 80 % of the 1 s interval (the default
            # deadline) on a loaded 2-core machine; cycles still run every second.
            "daemon": {"cycle_timeout": "5s"},
            "launch": {"t0": t0_in_five_days()},
            "warroom": {
                "page_refresh": "1s",
                "grafana_url": "http://grafana.invalid:3000",
                "alertmanager_url": "http://alertmanager.invalid:9093",
                "sparkline_window": "1h",
            },
        }
    )
    async with PrometheusClient(the.prometheus) as client:
        daemon = Daemon(the, client, [RecordingSink()])
        app = create_app(daemon, the.config.server, TOKEN, extra_routes=warroom_routes(daemon))
        async with served(daemon, app) as base:
            yield base, daemon, client


async def test_the_rebuilt_partial_rollback_card_shows_evidence_checklist_and_both_languages(
    warroom: tuple[str, Daemon, PrometheusClient], browser: Browser
) -> None:
    base, _daemon, _client = warroom
    problems: list[str] = []
    async with opened(browser, base + "/", WALL, problems) as page:
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

        # The sparkline has its scale, in minutes: p95 of 240 s payouts (≤ the 300 s bucket
        # bound) before the slowdown, of 2000 s payouts (within the 1800-2400 s bucket) after.
        chart = card.locator("figure.chart")
        top = float(await chart.locator("text.scale.max").text_content() or "")
        low = float(await chart.locator("text.scale.min").text_content() or "")
        assert 1800 / 60 <= top <= 2400 / 60 and low <= 300 / 60
        assert re.fullmatch(r"\d\d:\d\d", await chart.locator("text.scale.to").text_content() or "")
        assert "(min)" in await chart.locator('figcaption [lang="en"]').inner_text()
        assert "(мин)" in await chart.locator('figcaption [lang="ru"]').inner_text()

        # The headline names the most severe open decision, in the launch's time zone.
        since = warsaw_clock(await card.locator("time").get_attribute("datetime") or "")
        headline = page.locator("#headline")
        assert await headline.locator('.line [lang="en"]').inner_text() == (
            f"ROLLBACK RECOMMENDED — network trc20 — since {since}"
        )
        assert await headline.locator('.line [lang="ru"]').inner_text() == (
            f"РЕКОМЕНДОВАН ROLLBACK — сеть trc20 — с {since}"  # noqa: RUF001
        )

        # The matrix: five criteria, per network where they are per network.
        cells = page.locator("#criteria-matrix td.cell")
        states = await cells.evaluate_all(
            "cs => cs.map(c => [c.dataset.criterion, c.dataset.network, c.dataset.state])"
        )
        assert ["passthrough_rollback", "trc20", "fired"] in states
        assert ["passthrough_rollback", "erc20", "clear"] in states
        assert ["sev1", "", "clear"] in states
        assert {c for c, _, _ in states} == {
            "passthrough_rollback",
            "payout_stall",
            "eod_unsettled",
            "webhook_rollback",
            "sev1",
        }
        assert {s for _, _, s in states} <= {"fired", "clear", "inconclusive"}

        # Units in the label's language; no empty heading or header cell anywhere.
        en_texts = await page.locator('body [lang="en"]').all_inner_texts()
        ru_texts = await page.locator('body [lang="ru"]').all_inner_texts()
        assert [t for t in en_texts if RU_UNITS.search(t)] == []
        assert [t for t in ru_texts if EN_UNITS.search(t)] == []
        since_en = await card.locator('.since [lang="en"]').inner_text()
        assert re.fullmatch(rf"since {since} · open for \d+ min( \d+ s)?", since_en), since_en
        empty = "es => es.filter(e => !e.textContent.trim()).map(e => e.outerHTML)"
        assert await page.locator("th, h1, h2, h3, h4, caption").evaluate_all(empty) == []
        breach = page.locator('article.decision.kind-slo_breach[data-criterion="passthrough_p95"]')
        assert await breach.count() == 1 and await breach.locator(".checklist").count() == 0
    assert problems == []


async def test_with_two_rollbacks_open_the_headline_matrix_and_cards_are_above_the_fold(
    warroom: tuple[str, Daemon, PrometheusClient],
    exporter: Exporter,
    browser: Browser,
    artifacts: Path,
) -> None:
    base, _daemon, client = warroom
    problems: list[str] = []
    async with opened(browser, base + "/", WALL, problems) as page:
        await page.locator('article.decision[data-criterion="passthrough_rollback"]').wait_for()
        await open_sev1(page, client, exporter)
        line = page.locator('#headline .line [lang="en"]')
        assert (await line.inner_text()).startswith("FULL ROLLBACK RECOMMENDED — all networks")
        assert "+2 more open" in await page.inner_text("#headline .detail")
        sev1 = page.locator('#criteria-matrix td[data-criterion="sev1"]')
        assert await sev1.get_attribute("data-state") == "fired"
        assert await sev1.get_attribute("colspan") == "2"
        for selector in (
            "#headline",
            "#criteria-matrix",
            "article.kind-full_rollback",
            "article.kind-partial_rollback",
        ):
            await assert_in_viewport(page, selector)
        # Every column in use: status beside the decisions, and in each rollback card the
        # texts, the checklist and the evidence side by side.
        lefts = await page.evaluate(COLUMNS)
        assert lefts["status"] < lefts["decisions"], lefts
        for card in lefts["cards"]:
            assert card[0] < card[1] < card[2], lefts
        await page.screenshot(path=str(artifacts / "warroom-wall-1920x1080.png"))

    async with opened(browser, base + "/", PHONE, problems) as phone:
        await phone.locator('article.decision[data-criterion="sev1"]').wait_for()
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "no horizontal scrolling on a phone"
        for selector in ("#headline", "#criteria-matrix"):
            await assert_in_viewport(phone, selector)
        await phone.screenshot(path=str(artifacts / "warroom-phone-390x844.png"))
        await phone.screenshot(
            path=str(artifacts / "warroom-phone-390x844-full.png"), full_page=True
        )
    assert problems == []
    assert (artifacts / "warroom-wall-1920x1080.png").stat().st_size > 10_000
    assert (artifacts / "warroom-phone-390x844.png").stat().st_size > 10_000


async def test_a_sev1_opens_and_resolves_without_a_reload_and_a_ticked_step_stays_ticked(
    warroom: tuple[str, Daemon, PrometheusClient],
    exporter: Exporter,
    browser: Browser,
    artifacts: Path,
) -> None:
    base, _daemon, client = warroom
    problems: list[str] = []
    async with opened(browser, base + "/", WALL, problems) as page:
        card = page.locator('article.decision[data-criterion="passthrough_rollback"]')
        await card.wait_for(timeout=10_000)

        # A ticked step (an action through the API, the token asked once) stays ticked.
        async def token(dialog: Dialog) -> None:
            await dialog.accept(TOKEN)

        page.on("dialog", token)
        await card.locator(".checklist li").nth(0).locator("input").check()

        # A SEV1 opens in the data: the page shows it without a reload.
        sev1_id = await open_sev1(page, client, exporter)
        sev1 = page.locator('article.decision[data-criterion="sev1"]')
        assert sev1_id in await open_ids(page)
        assert "Рекомендован полный rollback" in await sev1.inner_text()

        # It clears: after clear_for (3 s) the decision resolves and the page moves it.
        exporter.incidents.labels("sev1").set(0)
        resolved = page.locator(f'#resolved-decisions [data-decision-id="{sev1_id}"]')
        await resolved.wait_for(timeout=30_000)
        assert await sev1.count() == 0
        assert sev1_id not in await open_ids(page)
        box = card.locator(".checklist li").nth(0).locator("input")
        assert await box.is_checked(), "the tick survived the refreshes"
        heads = await page.locator("#resolved-decisions th").all_inner_texts()
        assert len(heads) == 6 and all(h.strip() for h in heads), heads
        lasted = page.locator("#resolved-decisions tbody tr td:last-child")
        assert EN_UNITS.search(await lasted.locator('[lang="en"]').first.inner_text())
        assert RU_UNITS.search(await lasted.locator('[lang="ru"]').first.inner_text())
        line = page.locator('#headline .line [lang="en"]')
        assert (await line.inner_text()).startswith("ROLLBACK RECOMMENDED — network trc20")
        await page.screenshot(path=str(artifacts / "warroom-wall-1920x1080-resolved.png"))
    assert problems == []
