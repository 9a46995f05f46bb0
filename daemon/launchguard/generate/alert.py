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


def runbook_url(config: LaunchConfig, alert: str) -> str:
    """`<rules.runbook_base_url>/<alert>.md`."""
    return f"{config.rules.runbook_base_url.rstrip('/')}/{alert}.md"
