"""Load the launch config: shipped defaults, then the user's YAML file, then environment.

Precedence, lowest first: `defaults/launch.yaml`, the file (deep-merged over the defaults),
`LAUNCHGUARD_<SECTION>__<FIELD>` environment variables (every section), and
`LAUNCHGUARD_PROMETHEUS_URL`. A problem with a value an environment variable set names
that variable as its source.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

from launchguard.config.checks import Problem, problems
from launchguard.config.domain import Launch, to_domain
from launchguard.config.models import LaunchConfig
from launchguard.config.urls import url_problem

DEFAULTS = "defaults/launch.yaml"
CONFIG_ENV = "LAUNCHGUARD_CONFIG"
URL_ENV = "LAUNCHGUARD_PROMETHEUS_URL"


class ConfigError(Exception):
    """The config cannot be used; `problems` lists each one with its field path.

    `sources` names, by field path, where a problem's value came from when that is not
    `source` (an environment variable overriding the file)."""

    def __init__(
        self, source: str, found: list[Problem], sources: Mapping[str, str] | None = None
    ) -> None:
        self.source = source
        self.problems = found
        self.sources = dict(sources or {})
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [
            f"{self.source_of(path)}: {path}: {msg}" if path else f"{self.source}: {msg}"
            for path, msg in self.problems
        ]

    def source_of(self, path: str) -> str:
        """The environment variable that set `path` (or a field above it), else `source`."""
        for field, variable in self.sources.items():
            if path == field or path.startswith(field + "."):
                return variable
        return self.source


ENV_PREFIX, ENV_NESTING = "LAUNCHGUARD_", "__"
ENV_SECTIONS = tuple(name for name in LaunchConfig.model_fields if name != "version")
"""Every section of the config takes `LAUNCHGUARD_<SECTION>__<FIELD>` variables."""


class _EnvSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_NESTING, extra="ignore"
    )


_EnvOverrides: type[BaseSettings] = create_model(
    "_EnvOverrides",
    __base__=_EnvSettings,
    **{name: (dict[str, Any], {}) for name in ENV_SECTIONS},  # type: ignore[call-overload]
)
"""Environment overrides, parsed by pydantic-settings into nested sections."""


def env_fields(env: Mapping[str, str]) -> dict[str, str]:
    """Field path (`evaluation.interval`) → the variable setting it, for every
    `LAUNCHGUARD_<SECTION>__<FIELD>` variable of a section (names are not case-sensitive)."""
    found = {}
    for name in env:
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or ENV_NESTING not in upper:
            continue
        parts = upper.removeprefix(ENV_PREFIX).lower().split(ENV_NESTING)
        if parts[0] in ENV_SECTIONS and all(parts):
            found[".".join(parts)] = name
    return found


def default_text() -> str:
    """The shipped default config, as YAML text."""
    return resources.files("launchguard.config").joinpath(DEFAULTS).read_text(encoding="utf-8")


def resolve_path(path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    """`--config FILE`, else `LAUNCHGUARD_CONFIG`, else None (the shipped defaults)."""
    if path is not None:
        return Path(path)
    value = env.get(CONFIG_ENV)
    return Path(value) if value else None


def load(path: str | os.PathLike[str] | None = None) -> Launch:
    """Load, validate and map the config; raise `ConfigError` naming every problem.

    Environment overrides are read from the process environment.
    """
    env = os.environ
    file = resolve_path(path, env)
    source = str(file) if file is not None else f"<shipped {DEFAULTS}>"
    raw = _parse_yaml(default_text(), f"<shipped {DEFAULTS}>")
    if file is not None:
        raw = deep_merge(raw, _read(file))
    raw = deep_merge(raw, _env_overrides(env))
    return to_domain(parse(raw, source, env_fields(env)))


def parse(
    raw: Mapping[str, Any], source: str, sources: Mapping[str, str] | None = None
) -> LaunchConfig:
    """Validate a raw mapping into the schema; raise `ConfigError` with every problem.
    `sources`: field path → where its value came from, when not `source` (`env_fields`)."""
    try:
        config = LaunchConfig.model_validate(raw)
    except ValidationError as exc:
        found = [_pydantic_problem(err) for err in exc.errors()]
        raise ConfigError(source, found, sources) from None
    found = problems(config)
    if found:
        raise ConfigError(source, found, sources)
    return config


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`: mappings merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(file), [("", "no such file")]) from None
    except OSError as exc:
        raise ConfigError(str(file), [("", f"cannot read: {exc.strerror}")]) from None
    return _parse_yaml(text, str(file))


def _parse_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(source, [("", f"YAML syntax error: {where}{problem}")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(source, [("", "the top level must be a mapping of sections")])
    return data


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    overrides = _EnvOverrides().model_dump(exclude_defaults=True)
    if env.get(URL_ENV):
        if (problem := url_problem(env[URL_ENV])) is not None:
            raise ConfigError(URL_ENV, [("", problem)])
        overrides = deep_merge(overrides, {"prometheus": {"url": env[URL_ENV]}})
    return overrides


def _pydantic_problem(err: Mapping[str, Any]) -> Problem:
    path = ".".join(str(part) for part in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return path, "unknown key"
    if kind == "missing":
        return path, "required field is missing"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return path, msg
