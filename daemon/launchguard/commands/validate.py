"""`launchguard validate [FILE]`: every problem of a config, each with its field path."""

from __future__ import annotations

import argparse

from launchguard.config.loader import load


def run(args: argparse.Namespace) -> int:
    """Exit 0 and say so when the config is valid; `ConfigError` (exit 2) otherwise."""
    path = args.file or args.config
    launch = load(path)
    where = path or "shipped defaults"
    print(f"{where}: ok ({len(launch.signals)} signals, {len(launch.networks)} networks)")
    return 0
