"""Where decisions go: one module per sink behind `interfaces.Sink`, built from the config."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
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

__all__ = [
    "AlertmanagerSink",
    "Built",
    "JournalSink",
    "NullSink",
    "WarroomWebhookSink",
    "build_sinks",
]

SOURCE = "launch config"


@dataclass(frozen=True)
class Built:
    """The configured sinks, and what the journal says a previous run announced as open and
    never resolved (None without a journal: nothing is known of a previous run)."""

    sinks: list[Sink]
    announced_open: frozenset[str] | None
    journal: JournalSink | None = None  # also where the warroom's actions are journaled


def build_sinks(
    config: LaunchConfig,
    *,
    alertmanager_urls: Sequence[str] | None = None,
    journal_path: str | Path | None = None,
    scrubber: Scrubber | None = None,
) -> Built:
    """The configured sinks: Alertmanager when it has URLs (`alertmanager_urls` overrides the
    config's), the journal when enabled (or given a path), else a `NullSink`.

    Raises `ConfigError` naming the field when the journal key is missing, does not verify
    the journal's last record, or the journal file cannot be opened for writing, so
    `launchguard run` exits 2 before binding a port. Every sink scrubs its failure texts
    with `scrubber` (default: the config's)."""
    scrubber = scrubber if scrubber is not None else scrubber_for(config)
    sinks: list[Sink] = []
    announced: frozenset[str] | None = None
    journal: JournalSink | None = None
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
            journal = JournalSink(path, keyring)
        except JournalKeyError as exc:
            raise ConfigError(SOURCE, [(exc.field, exc.message)]) from None
        except (sqlite3.Error, OSError) as exc:
            problem = f"{path}: cannot open the journal for writing: {exc}"
            raise ConfigError(SOURCE, [("journal.path", problem)]) from None
        sinks.append(journal)
        announced = journal.unresolved()
    if config.warroom.webhook_url:
        sinks.append(
            WarroomWebhookSink(config.warroom, timezone=config.launch.timezone, scrubber=scrubber)
        )
    return Built(sinks or [NullSink()], announced, journal)
