"""Where decisions go: one module per sink behind `interfaces.Sink`, built from the config."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from launchguard.config.loader import ConfigError
from launchguard.config.models import LaunchConfig
from launchguard.interfaces import Sink
from launchguard.scrub import Scrubber, scrubber_for
from launchguard.sinks.alertmanager import AlertmanagerSink
from launchguard.sinks.journal import JournalSink
from launchguard.sinks.journal_chain import JournalKeyError, load_keyring
from launchguard.sinks.null import NullSink
from launchguard.sinks.warroom import WarroomWebhookSink

__all__ = ["AlertmanagerSink", "JournalSink", "NullSink", "WarroomWebhookSink", "build_sinks"]

SOURCE = "launch config"


def build_sinks(
    config: LaunchConfig,
    *,
    alertmanager_urls: Sequence[str] | None = None,
    journal_path: str | Path | None = None,
    scrubber: Scrubber | None = None,
) -> list[Sink]:
    """The configured sinks: Alertmanager when it has URLs (`alertmanager_urls` overrides the
    config's), the journal when enabled (or given a path), else a `NullSink`.

    Raises `ConfigError` naming the field when the journal key is missing or the journal
    file cannot be opened, so `launchguard run` exits 2 before binding a port. Every sink
    scrubs its failure texts with `scrubber` (default: the config's)."""
    scrubber = scrubber if scrubber is not None else scrubber_for(config)
    sinks: list[Sink] = []
    urls = tuple(alertmanager_urls) if alertmanager_urls else config.alertmanager.urls
    if urls:
        sinks.append(
            AlertmanagerSink(
                config.alertmanager,
                interval=config.evaluation.interval,
                networks=config.launch.networks,
                urls=urls,
                scrubber=scrubber,
            )
        )
    if config.journal.enabled or journal_path is not None:
        try:
            keyring = load_keyring(config.journal)
        except JournalKeyError as exc:
            raise ConfigError(SOURCE, [(exc.field, exc.message)]) from None
        path = journal_path if journal_path is not None else config.journal.path
        try:
            sinks.append(JournalSink(path, keyring))
        except sqlite3.Error as exc:
            raise ConfigError(SOURCE, [("journal.path", f"{path}: cannot open: {exc}")]) from None
    if config.warroom.webhook_url:
        sinks.append(
            WarroomWebhookSink(config.warroom, timezone=config.launch.timezone, scrubber=scrubber)
        )
    return sinks or [NullSink()]
