# ruff: noqa: RUF001 (Russian text: its Cyrillic letters are meant)
"""Notification texts from the template files: every kind and criterion of the shipped config
has English and Russian texts, every placeholder is filled, the partner notice comes with the
webhook rollback only."""

from __future__ import annotations

import re

import pytest

from launchguard.config.models import ROLLBACK_CRITERIA
from launchguard.config.support import SLA_CRITERIA
from launchguard.core.frames import tick
from launchguard.interfaces import Degraded
from launchguard.notify import LANGUAGES, TemplateError, degraded_texts, texts
from launchguard.notify.catalog import catalog, fill
from launchguard.notify.render import NotificationText
from warroom_samples import every_decision, resolved

from factories import DEFAULT

SAMPLES = every_decision()
LEFTOVER = re.compile(r"\$\{?\w")
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def _all_text(t: NotificationText) -> list[str]:
    return [t.title, t.summary, t.headline, t.rule, t.description, *t.evidence, *t.actions]


def test_the_samples_cover_every_criterion_and_kind_of_the_shipped_config() -> None:
    expected = {*ROLLBACK_CRITERIA, "all_networks", *DEFAULT.slos, *SLA_CRITERIA}
    expected |= {"volume_guardrail", "gonogo"}
    assert set(SAMPLES) == expected
    kinds = {d.kind for d in SAMPLES.values()}
    assert kinds == {
        "partial_rollback",
        "full_rollback",
        "slo_breach",
        "sla_breach",
        "volume_guardrail",
        "promote",
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_criterion_and_kind_has_its_own_template_in_each_language(lang: str) -> None:
    cat = catalog(lang)
    for criterion, d in SAMPLES.items():
        assert cat.has("criteria", criterion, "summary"), f"{lang}: {criterion} summary"
        assert cat.has("criteria", criterion, "rule"), f"{lang}: {criterion} rule"
        assert cat.has("kinds", d.kind), f"{lang}: kind {d.kind}"
        for a in d.actions:
            assert cat.has("actions", a.step), f"{lang}: action {a.step}"


@pytest.mark.parametrize(
    ("criterion", "state"),
    [(c, s) for c in SAMPLES for s in ("open", "resolved")],
    ids=[f"{c} {s} renders in English and Russian" for c in SAMPLES for s in ("open", "resolved")],
)
def test_texts_render_with_every_placeholder_filled(criterion: str, state: str) -> None:
    d = SAMPLES[criterion] if state == "open" else resolved(SAMPLES[criterion])
    en, ru = texts(d, "en"), texts(d, "ru")
    for t in (en, ru):
        for line in _all_text(t):
            assert not LEFTOVER.search(line), f"{t.lang}: unfilled placeholder in {line!r}"
    assert len(en.actions) == len(ru.actions) == len(d.actions)
    assert not CYRILLIC.search(en.description)
    assert CYRILLIC.search(ru.summary) or (criterion == "gonogo" and CYRILLIC.search(ru.rule))
    assert ("ОТКРЫТО" in ru.title) == (state == "open")
    assert ("RESOLVED" in en.title) == (state == "resolved")


def test_the_russian_rollback_texts_follow_the_launch_plan_wording() -> None:
    passthrough = texts(SAMPLES["passthrough_rollback"], "ru")
    assert "p95 pass-through > 30 мин 2 окна подряд" in passthrough.summary
    assert passthrough.procedure is not None
    assert "объявить rollback в warroom" in passthrough.procedure
    assert "снизить объём до предыдущего уровня" in passthrough.procedure
    assert "Safe-mode: заморозка выплат в сети trc20." in passthrough.actions
    webhook = texts(SAMPLES["webhook_rollback"], "ru")
    assert "webhooks success < 98 % за 15 мин окно и dead-letter растёт" in webhook.summary
    eod = texts(SAMPLES["eod_unsettled"], "ru")
    assert "спустя 1 ч 30 мин после cut-off без улучшения" in eod.summary
    assert "Safe-mode: EOD off в сети trc20." in eod.actions
    assert "компрометация, БД, тотальная деградация RPC" in texts(SAMPLES["sev1"], "ru").rule


def test_the_evidence_lists_each_operand_with_its_window() -> None:
    en = texts(SAMPLES["passthrough_rollback"], "en")
    assert "passthrough_p95: 33 min 20 s (15 min ago)" in en.evidence
    assert "payout_queue: 10 (30 min ago)" in en.evidence
    assert "payout_queue: 20 (now)" in en.evidence
    assert "Thresholds: p95_threshold 30 min" in en.evidence
    ru = texts(SAMPLES["webhook_success"], "ru")
    assert "webhook_success: 97,3 % (сейчас)" in ru.evidence


def test_only_the_webhook_rollback_carries_the_english_partner_notice_with_replay() -> None:
    with_notice = {c for c, d in SAMPLES.items() if texts(d, "ru").partner_notice}
    assert with_notice == {"webhook_rollback"}
    notice = texts(SAMPLES["webhook_rollback"], "ru").partner_notice
    assert notice is not None and not CYRILLIC.search(notice)
    assert "Replay" in notice and "2026-06-01T02:00:00Z" in notice
    after = texts(resolved(SAMPLES["webhook_rollback"]), "en").partner_notice
    assert after is not None and "back to normal" in after and "to 2026-06-01T02:20:00Z" in after


def test_times_are_shown_in_the_launch_zone() -> None:
    en = texts(SAMPLES["sev1"], "en")
    assert en.evidence[0] == "Evidence at 2026-06-01 04:00:00 CEST:"  # 02:00 UTC in summer


@pytest.mark.parametrize("reason", ["prometheus_unreachable", "inconclusive", "something_new"])
def test_degraded_evaluation_has_texts_in_both_languages(reason: str) -> None:
    d = Degraded(reason, tick(1_780_279_200), "detail here")
    for lang in LANGUAGES:
        title, summary = degraded_texts(d, lang)
        assert "detail here" in summary and not LEFTOVER.search(title + summary)
    assert CYRILLIC.search(degraded_texts(d, "ru")[1])


def test_a_template_naming_an_unknown_placeholder_is_an_error_naming_it() -> None:
    with pytest.raises(TemplateError, match=r"\$\{nope\}"):
        fill("value ${nope}", "test", {})


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(TemplateError, match="unknown language 'pl'"):
        texts(SAMPLES["sev1"], "pl")
