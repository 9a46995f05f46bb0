"""The Grafana dashboards, one module each, built with grafana-foundation-sdk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from launchguard.config.models import LaunchConfig
from launchguard.generate.dashboards import executive, selfmon, treasury, trust, webhooks

BUILDERS: dict[str, Callable[[LaunchConfig], dict[str, Any]]] = {
    executive.UID: executive.build,
    treasury.UID: treasury.build,
    trust.UID: trust.build,
    webhooks.UID: webhooks.build,
    selfmon.UID: selfmon.build,
}


def build(config: LaunchConfig) -> dict[str, dict[str, Any]]:
    """uid → dashboard JSON data."""
    return {uid: make(config) for uid, make in BUILDERS.items()}
