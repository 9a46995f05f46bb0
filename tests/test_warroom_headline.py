"""The warroom page's headline and criteria matrix, rendered from status JSON (pure: no
daemon, no browser): the most severe open decision leads, the calm state says why it is
calm (clear, inconclusive, degraded or not evaluated yet), the matrix never shows a
criterion it has no verdict for as clear, and every card and table of every decision kind
renders without an empty heading or header cell and with each language's own units."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from launchguard.config.warroom import WarroomSettings
from launchguard.output.jsonout import decision_json
from launchguard.web.common import PageData
from launchguard.web.page import render_content
from warroom_samples import every_decision, resolved

SAMPLES = every_decision()
NETWORKS = ["erc20", "trc20"]
CRITERIA = ["passthrough_rollback", "payout_stall", "eod_unsettled", "webhook_rollback", "sev1"]


def verdicts(state: str = "clear", **states: str) -> list[dict[str, Any]]:
    """Every criterion per network (sev1 and webhook_rollback global) in `state`, with
    `states` overriding one cell each: `passthrough_rollback__trc20="fired"`, `sev1="…"`."""
    out = []
    for c in CRITERIA:
        scopes = [{}] if c in ("webhook_rollback", "sev1") else [{"network": n} for n in NETWORKS]
        for scope in scopes:
            key = c + (f"__{scope['network']}" if scope else "")
            out.append({"criterion": c, "scope": scope, "state": states.get(key, state)})
    return out


def status(
    decisions: list[str], criteria: list[dict[str, Any]], degraded: bool = False
) -> dict[str, Any]:
    shown = [decision_json(SAMPLES[c]) for c in decisions]
    return {
        "launch": {
            "phase": "canary",
            "volume_level": None,
            "timezone": "Europe/Warsaw",
            "networks": NETWORKS,
        },
        "freezes": [],
        "evaluation": {"at": None, "evaluated_to": None, "outcome": "ok", "error": None},
        "degraded": {"reason": "prometheus_unreachable", "since": "2026-11-22T10:00:00Z"}
        if degraded
        else None,
        "slos": [],
        "slo_details": [],
        "criteria": criteria,
        "decisions": shown,
    }


def render(st: dict[str, Any], resolved_ones: list[dict[str, Any]] | None = None) -> str:
    now = max([datetime.fromisoformat(d["opened_at"]).timestamp() for d in st["decisions"]] + [0])
    data = PageData(st, resolved_ones or [], WarroomSettings(), 30.0, now + 939.0)
    return render_content(data)


def headline(html: str) -> str:
    found = re.search(r'<section class="headline[^"]*".*?</section>', html, re.S)
    assert found, "no headline"
    return re.sub(r"<[^>]+>", "", found.group(0))


def local_clock(rfc: str) -> str:
    when = datetime.fromisoformat(rfc).astimezone(ZoneInfo("Europe/Warsaw"))
    return when.strftime("%H:%M")


@pytest.mark.parametrize(
    ("open_now", "leader", "expected"),
    [
        (["passthrough_rollback"], "passthrough_rollback", "ROLLBACK RECOMMENDED — network trc20"),
        (
            ["passthrough_p95", "sev1", "eod_unsettled"],
            "sev1",
            "FULL ROLLBACK RECOMMENDED — all networks (global)",
        ),
        (["passthrough_p95"], "passthrough_p95", "SLO BREACHED (warning) — network trc20"),
    ],
    ids=[
        "a partial rollback names its network",
        "a full rollback leads over a partial one and an SLO breach",
        "an SLO breach alone is the headline as a warning",
    ],
)
def test_the_headline_names_the_most_severe_open_decision(
    open_now: list[str], leader: str, expected: str
) -> None:
    text = headline(render(status(open_now, verdicts())))
    since = local_clock(decision_json(SAMPLES[leader])["opened_at"])
    assert f"{expected} — since {since}" in text
    assert f"{leader} · " in text or len(open_now) == 1


@pytest.mark.parametrize(
    ("criteria", "degraded", "calm", "detail"),
    [
        (verdicts(), False, True, "all 5 criteria clear"),
        (
            verdicts(sev1="inconclusive", eod_unsettled__erc20="inconclusive"),
            False,
            False,
            "2 criteria inconclusive",
        ),
        (verdicts(), True, False, "evaluation degraded"),
        ([], False, False, "no evaluation yet"),
    ],
    ids=[
        "all clear is calm",
        "inconclusive criteria are counted, not called clear",
        "degraded evaluation is not called calm",
        "before the first evaluation it says so",
    ],
)
def test_with_nothing_open_the_headline_says_why_it_is_calm(
    criteria: list[dict[str, Any]], degraded: bool, calm: bool, detail: str
) -> None:
    html = render(status([], criteria, degraded))
    text = headline(html)
    assert "NO ROLLBACK RECOMMENDED" in text and detail in text
    assert ('class="headline calm"' in html) is calm


def test_the_matrix_shows_each_network_and_spans_global_criteria() -> None:
    html = render(status(["passthrough_rollback"], verdicts(passthrough_rollback__trc20="fired")))
    cells = re.findall(
        r'<td class="cell (\w+)" data-criterion="(\w+)" data-network="(\w*)"'
        r' data-state="\w+"( colspan="2")?>(.*?)</td>',
        html,
    )
    shown = {(c, n): (s, span) for s, c, n, span, _ in cells}
    assert shown[("passthrough_rollback", "trc20")] == ("fired", "")
    assert shown[("passthrough_rollback", "erc20")] == ("clear", "")
    assert shown[("sev1", "")] == ("clear", ' colspan="2"')
    assert len(cells) == 3 * 2 + 2
    fired = next(body for s, c, n, _, body in cells if s == "fired")
    assert f'href="#d-{SAMPLES["passthrough_rollback"].id}"' in fired


def test_a_criterion_without_a_verdict_is_not_evaluated_never_clear() -> None:
    partial = [v for v in verdicts() if v["scope"].get("network") != "trc20"]
    html = render(status([], partial))
    assert re.search(
        r'data-criterion="payout_stall" data-network="trc20" data-state="not_evaluated"', html
    )


def test_no_decision_kind_renders_an_empty_heading_or_header_cell() -> None:
    non_sla = [c for c, d in SAMPLES.items() if d.kind != "sla_breach"]
    sla = [c for c, d in SAMPLES.items() if d.kind == "sla_breach"]
    done = [decision_json(resolved(SAMPLES[c])) for c in CRITERIA]
    html = render(status(non_sla + sla, verdicts()), done)
    empty = re.findall(r"<(h[1-4]|th|caption)[^>]*>\s*</\1>", html)
    assert empty == []
    breach = re.search(r'<article class="decision kind-slo_breach.*?</article>', html, re.S)
    assert breach and 'class="checklist"' not in breach.group(0)


def test_durations_are_written_in_each_language_s_own_units() -> None:
    done = [decision_json(resolved(SAMPLES["sev1"], after_minutes=15.65))]
    html = render(status(["passthrough_rollback"], verdicts()), done)
    ru_units = "открыто 15 мин 39 с"  # noqa: RUF001
    for lang, words in (("en", "open for 15 min 39 s"), ("ru", ru_units)):
        assert re.search(rf'<span lang="{lang}">[^<]*{words}</span>', html), lang
    assert re.search(r'<span lang="en">15 min 39 s</span>', html), "the resolved table"
    assert re.search(r'<span lang="ru">15 мин 39 с</span>', html)  # noqa: RUF001
    assert not re.search(r'<span lang="en">[^<]*\d (мин|с)\b', html)  # noqa: RUF001
    assert not re.search(r'<span lang="ru">[^<]*\d (min|s)\b', html)
