"""The warroom webhook's JSON body: the decision (DESIGN §5), its texts in each configured
language, the partner notice, links, and a Slack/Mattermost `text` field."""

from __future__ import annotations

from typing import Any

from launchguard.config.warroom import WarroomSettings
from launchguard.core.decisions import Decision
from launchguard.core.frames import Tick
from launchguard.interfaces import Degraded
from launchguard.notify import degraded_texts, texts
from launchguard.notify.catalog import catalog
from launchguard.notify.render import NotificationText
from launchguard.output.jsonout import decision_json, degraded_json
from launchguard.output.timefmt import rfc3339

VERSION = 1


def links(settings: WarroomSettings) -> dict[str, str]:
    """The configured links: the warroom page, Grafana dashboards, Alertmanager."""
    out: dict[str, str] = {}
    if settings.page_url:
        out["warroom"] = settings.page_url
    if settings.grafana_url:
        for title, path in settings.grafana_dashboards.items():
            out[f"grafana {title}"] = settings.grafana_url.rstrip("/") + path
    if settings.alertmanager_url:
        out["alertmanager"] = settings.alertmanager_url
    return out


def text_json(t: NotificationText) -> dict[str, Any]:
    return {
        "title": t.title,
        "summary": t.summary,
        "rule": t.rule,
        "evidence": list(t.evidence),
        "actions": list(t.actions),
        "procedure": t.procedure,
        "description": t.description,
    }


def decision_message(
    event: str, decision: Decision, at: Tick, settings: WarroomSettings, zone: str
) -> dict[str, Any]:
    """The body for a decision that `event` ('opened' or 'resolved') at cycle time `at`."""
    d = decision_json(decision)
    by_lang = {lang: texts(d, lang, zone) for lang in settings.languages}
    notice = next((t.partner_notice for t in by_lang.values() if t.partner_notice), None)
    if notice is None and "en" not in by_lang:
        notice = texts(d, "en", zone).partner_notice
    found = links(settings)
    blocks = []
    for t in by_lang.values():
        lines = [f"*{t.title}*", t.summary]
        if decision.resolved_at is None:
            lines += [f"- {a}" for a in t.actions]
        blocks.append("\n".join(lines))
    if notice:
        heading = catalog(settings.languages[0]).raw("chat", "partner_notice")
        blocks.append(f"{heading}\n```\n{notice}\n```")
    if found:
        blocks.append(" · ".join(found.values()))
    return {
        "version": VERSION,
        "event": event,
        "event_id": f"{d['id']}:{event}",
        "at": rfc3339(at),
        "decision": d,
        "texts": {lang: text_json(t) for lang, t in by_lang.items()},
        "partner_notice": notice,
        "links": found,
        "text": "\n\n".join(blocks),
    }


def degraded_message(
    event: str, degraded: Degraded, at: Tick, settings: WarroomSettings, zone: str
) -> dict[str, Any]:
    """The body when evaluation becomes degraded (`event` 'degraded') or recovers."""
    resolved = event == "recovered"
    by_lang = {
        lang: degraded_texts(degraded, lang, zone, resolved=resolved) for lang in settings.languages
    }
    found = links(settings)
    blocks = [f"*{title}*\n{summary}" for title, summary in by_lang.values()]
    if found:
        blocks.append(" · ".join(found.values()))
    return {
        "version": VERSION,
        "event": event,
        "event_id": f"degraded@{rfc3339(degraded.since)}:{event}",
        "at": rfc3339(at),
        "degraded": degraded_json(degraded),
        "texts": {lang: {"title": t, "summary": s} for lang, (t, s) in by_lang.items()},
        "links": found,
        "text": "\n\n".join(blocks),
    }
