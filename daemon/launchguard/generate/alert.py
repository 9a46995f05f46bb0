"""One alerting rule as data, with the labels and annotations every generated alert has:
`severity`, `summary`, `description` and `runbook_url` (docs/runbooks/<alert>.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate.queries import window

Rule = dict[str, Any]


@dataclass(frozen=True)
class Alert:
    """An alerting rule before it becomes YAML. `for_` and `keep_firing_for` in seconds."""

    name: str
    expr: str
    severity: str
    summary: str
    description: str
    for_: float = 0.0
    keep_firing_for: float = 0.0
    labels: dict[str, str] = field(default_factory=dict)

    def rule(self, config: LaunchConfig) -> Rule:
        out: Rule = {"alert": self.name, "expr": self.expr}
        if self.for_ > 0:
            out["for"] = window(self.for_)
        if self.keep_firing_for > 0:
            out["keep_firing_for"] = window(self.keep_firing_for)
        out["labels"] = {names.LABEL_SEVERITY: self.severity, **self.labels}
        out["annotations"] = {
            "summary": self.summary,
            "description": self.description,
            names.ANNOTATION_RUNBOOK: runbook_url(config, self.name),
        }
        return out


RUNBOOKS_DIR = "docs/runbooks"


def runbook_url(config: LaunchConfig, alert: str) -> str:
    """`<rules.runbook_base_url>/<alert>.md` (absolute); without a base, the path in the
    repository, `docs/runbooks/<alert>.md`, which only works beside the repository."""
    return f"{_base(config)}/{alert}.md"


def docs_url(config: LaunchConfig, page: str) -> str:
    """A page of docs/ (the folder above the runbooks), absolute when the base is set."""
    return f"{_base(config).rsplit('/', 1)[0]}/{page}"


def _base(config: LaunchConfig) -> str:
    return (config.rules.runbook_base_url or RUNBOOKS_DIR).rstrip("/")


def link_warnings(config: LaunchConfig) -> list[str]:
    """What `render` says on stderr about the links it writes (one line each)."""
    if config.rules.runbook_base_url is not None:
        return []
    return [
        "launchguard: warning: rules.runbook_base_url is not set, so runbook links in rules/ "
        f"and dashboards/ are relative ({RUNBOOKS_DIR}/<Alert>.md) and break inside Grafana "
        "and Alertmanager; set it to the web URL of docs/runbooks"
    ]
