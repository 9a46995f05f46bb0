"""What the warroom page's modules share: the page data, the templates, the words."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import Any

from launchguard.config.warroom import WarroomSettings
from launchguard.notify import formatting as fmt
from launchguard.notify.catalog import Catalog, catalog

Json = Mapping[str, Any]
SeriesKey = tuple[str, tuple[tuple[str, str], ...]]
Points = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class PageData:
    status: Json  # the body of GET /api/v1/status
    resolved: Sequence[Json]  # resolved decisions (DESIGN §5 JSON), newest first
    settings: WarroomSettings
    refresh_seconds: float
    now: float  # unix seconds, for "open for …"
    series: Mapping[SeriesKey, Points] = field(default_factory=dict)
    charted: Mapping[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    timeline: Sequence[Json] = ()  # the timeline's latest events (timeline_json), newest first


@cache
def template(name: str) -> Template:
    text = resources.files("launchguard.web").joinpath("templates").joinpath(name)
    return Template(text.read_text("utf-8"))


def fill(name: str, **values: object) -> str:
    return template(name).substitute({k: str(v) for k, v in values.items()})


class Words:
    """The page's words in every configured language, as bilingual HTML."""

    def __init__(self, languages: Sequence[str], zone: str) -> None:
        self.languages = tuple(languages)
        self.zone = zone
        self.first = catalog(self.languages[0])

    def both(self, *path: str, **values: object) -> str:
        """`<span lang=ru>…</span> · <span lang=en>…</span>` (once when they are equal)."""
        return self.each(lambda cat: cat.render(*path, **values))

    def each(self, text: Callable[[Catalog], str]) -> str:
        """`text` in every language, each with its own words and units (once when equal)."""
        return self.join([(lang, text(catalog(lang))) for lang in self.languages])

    @staticmethod
    def join(shown: Sequence[tuple[str, str]]) -> str:
        """(language, text) pairs as bilingual HTML, once when the texts are equal."""
        if len({t for _, t in shown}) == 1:
            return escape(shown[0][1])
        sep = '<span class="sep"> · </span>'
        return sep.join(f'<span lang="{lang}">{escape(t)}</span>' for lang, t in shown)

    def duration(self, seconds: float) -> str:
        """A duration in each language's own units ('15 min 39 s' in English)."""
        return self.each(lambda cat: fmt.duration(seconds, cat))

    def value(self, name: str, raw: object) -> str:
        """A value in the unit of `name`: a duration in each language's units, anything
        else once, as English writes it (numbers, percentages and times need no words)."""
        if catalog("en").unit(name) == "duration":
            return self.each(lambda cat: fmt.value(name, raw, cat, self.zone))
        return escape(fmt.value(name, raw, catalog("en"), self.zone))

    def page(self, key: str, **values: object) -> str:
        return self.both("page", key, **values)

    def clock(self, unix: float, now: float) -> str:
        """'19:38' in the launch's zone, with the date when it is not the day of `now`."""
        shown, today = (fmt.local_time(t, self.zone) for t in (unix, now))
        return shown[11:16] if shown[:10] == today[:10] else shown[:16]

    def time(self, rfc: str | None) -> str:
        return escape(fmt.local_time(fmt.parse_time(rfc), self.zone)) if rfc else "—"


def scope_text(scope: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(scope.items())) or "global"
