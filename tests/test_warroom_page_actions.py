"""The warroom page's actions in headless Chromium, against a daemon on a real Prometheus with
a real journal: the token is asked once (a prompt) and kept for the tab; an acknowledgement,
a step tick and a §10 declaration made by clicking are journaled, shown on the card with who
and when and on the page's timeline (newest first), and still there after a reload.
Screenshots go to $LAUNCHGUARD_ARTIFACTS (docs/warroom.md shows them)."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog

from daemons import test_launch
from launchguard.daemon import Daemon
from launchguard.daemon.actionlog import ActionLog
from launchguard.prometheus import PrometheusClient
from launchguard.server import create_app
from launchguard.sinks.journal import JournalSink
from launchguard.sinks.journal_chain import Keyring, key_id
from launchguard.web import warroom_routes
from sink_factories import KEY, journal_records
from warroom_browser import WALL, history, opened, served, t0_in_five_days

from conftest import MakePrometheus

pytestmark = [pytest.mark.prometheus, pytest.mark.chromium]
TOKEN = "page-token-for-tests"
RING = Keyring(KEY.encode(), {key_id(KEY.encode()): KEY.encode()})


@pytest.fixture
async def warroom(
    make_prometheus: MakePrometheus, tmp_path: Path
) -> AsyncIterator[tuple[str, Path]]:
    """A running daemon (a trc20 partial rollback open) journaling to a file; (URL, file)."""
    prom = make_prometheus(history(time.time() - 30))
    the = test_launch(
        {
            "prometheus": {"url": prom.url},
            "evaluation": {"interval": "10s", "lookback": "1h"},
            "daemon": {"cycle_timeout": "8s"},
            "launch": {"t0": t0_in_five_days()},
            "warroom": {"page_refresh": "1s"},
        }
    )
    path = tmp_path / "journal.sqlite"
    async with PrometheusClient(the.prometheus) as client:
        sink = JournalSink(path, RING)
        daemon = Daemon(the, client, [sink])
        app = create_app(
            daemon,
            the.config.server,
            TOKEN,
            extra_routes=warroom_routes(daemon),
            actions=ActionLog(sink),
        )
        async with served(daemon, app) as base:
            yield base, path


async def test_ack_step_and_declaration_clicked_on_the_page_are_journaled_and_kept_on_reload(
    warroom: tuple[str, Path], browser: Browser
) -> None:
    base, path = warroom
    where = Path(os.environ.get("LAUNCHGUARD_ARTIFACTS") or path.parent)
    where.mkdir(parents=True, exist_ok=True)
    prompts: list[str] = []

    async def answer(dialog: Dialog) -> None:
        prompts.append(dialog.message)
        await dialog.accept(TOKEN if "token" in dialog.message else "Anna (on call)")

    problems: list[str] = []
    async with opened(browser, base + "/", WALL, problems) as page:
        page.on("dialog", answer)
        card = page.locator('article.decision[data-criterion="passthrough_rollback"]')
        await card.wait_for(timeout=10_000)
        records = journal_records(path)
        await card.locator('button[data-act="ack"]').click()
        log = card.locator(".act-log")
        await log.get_by_text("Anna (on call)").first.wait_for(timeout=10_000)
        assert "acknowledged" in await log.inner_text()
        await card.locator(".checklist input[data-step='0']").check()
        await log.get_by_text("step 1 done").wait_for(timeout=10_000)
        await card.locator("details.declare summary").click()
        form = card.locator("form.declare-form")
        await form.locator("input[name=rollback_of_rollback]").fill("lift safe-mode")
        await form.locator("button[type=submit]").click()
        await log.get_by_text("undo: lift safe-mode").wait_for(timeout=10_000)
        assert len(prompts) == 2  # the token and the name, once for the tab
        assert journal_records(path) == records + 3
        await page.screenshot(path=str(where / "warroom-actions.png"), full_page=True)

        await page.reload()
        card = page.locator('article.decision[data-criterion="passthrough_rollback"]')
        await card.wait_for(timeout=10_000)
        text = await card.locator(".act-log").inner_text()
        assert "acknowledged" in text and "step 1 done" in text
        assert "declared: partial_rollback: passthrough_rollback" in text
        assert await card.locator(".checklist input[data-step='0']").is_checked()
        assert not await card.locator(".checklist input[data-step='1']").is_checked()
        assert len(prompts) == 2  # still kept for the tab
        timeline = await page.locator("#timeline li").all_inner_texts()
        events = [t.split(" ")[3] for t in timeline]  # date, time, zone, event
        assert events[:3] == ["action_declare", "action_step", "action_ack"], timeline
        assert "decision_opened" in events

        # A manual checklist item signed off from its row is done from the next cycle.
        row = page.locator('#checklist tr[data-item="t-7d.dr-drill"]')
        await row.locator('button[data-act="signoff"]').click()
        done = '#checklist tr[data-item="t-7d.dr-drill"][data-state="done"]'
        await page.locator(done).wait_for(timeout=30_000)
        assert await page.locator(done).locator("button").count() == 0
    assert problems == []
