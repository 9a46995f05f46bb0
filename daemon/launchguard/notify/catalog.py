"""The notification templates: one YAML file per language, text files for partner notices.

Templates are data (STYLE item 4): Python `string.Template` strings with `${name}`
placeholders, loaded once from the package. A missing key or an unfilled placeholder is an
error, never a silently shortened message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template
from typing import Any

import yaml

LANGUAGES = ("en", "ru")
"""The warroom's languages (launch plan §9), in the default order of the texts."""

PARTNER_NOTICES = ("partner_webhooks_degraded", "partner_webhooks_recovered")


class TemplateError(Exception):
    """A template is missing or names a placeholder it was not given."""


def _read(name: str) -> str:
    return resources.files("launchguard.notify").joinpath("templates", name).read_text("utf-8")


@dataclass(frozen=True)
class Catalog:
    """The templates of one language."""

    lang: str
    data: Mapping[str, Any]
    units: Mapping[str, str]

    def raw(self, *path: str) -> Any:
        node: Any = self.data
        for part in path:
            if not isinstance(node, Mapping) or part not in node:
                raise TemplateError(f"templates/{self.lang}.yaml: no key {'.'.join(path)}")
            node = node[part]
        return node

    def has(self, *path: str) -> bool:
        try:
            self.raw(*path)
        except TemplateError:
            return False
        return True

    def render(self, *path: str, **values: object) -> str:
        """The template at `path` with `values` filled in (every placeholder must be given)."""
        return fill(str(self.raw(*path)), f"{self.lang}.yaml: {'.'.join(path)}", values)

    def unit(self, name: str) -> str:
        return self.units.get(name, "count")


def fill(text: str, where: str, values: Mapping[str, object]) -> str:
    try:
        return Template(text).substitute({k: str(v) for k, v in values.items()})
    except KeyError as exc:
        raise TemplateError(f"{where}: placeholder ${{{exc.args[0]}}} has no value") from None
    except ValueError as exc:
        raise TemplateError(f"{where}: {exc}") from None


@cache
def catalog(lang: str) -> Catalog:
    """The templates of `lang` (one of LANGUAGES)."""
    if lang not in LANGUAGES:
        raise TemplateError(f"unknown language {lang!r} (one of {', '.join(LANGUAGES)})")
    data = yaml.safe_load(_read(f"{lang}.yaml"))
    units = yaml.safe_load(_read("units.yaml"))
    return Catalog(lang, data, units)


@cache
def partner_notice(name: str) -> str:
    """The English partner notice template `name` (one of PARTNER_NOTICES), as text."""
    if name not in PARTNER_NOTICES:
        raise TemplateError(f"unknown partner notice {name!r}")
    return _read(f"{name}.en.txt")
