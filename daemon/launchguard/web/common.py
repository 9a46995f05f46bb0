"""What the warroom page's modules share: the page data, the templates, the words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from string import Template
from typing import Any

from launchguard.config.warroom import WarroomSettings
from launchguard.notify import formatting as fmt
from launchguard.notify.catalog import catalog

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
        shown = [(lang, catalog(lang).render(*path, **values)) for lang in self.languages]
        if len({text for _, text in shown}) == 1:
            return escape(shown[0][1])
        sep = '<span class="sep"> · </span>'
        return sep.join(f'<span lang="{lang}">{escape(t)}</span>' for lang, t in shown)

    def page(self, key: str, **values: object) -> str:
        return self.both("page", key, **values)

    def time(self, rfc: str | None) -> str:
        return escape(fmt.local_time(fmt.parse_time(rfc), self.zone)) if rfc else "—"


def scope_text(scope: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(scope.items())) or "global"
