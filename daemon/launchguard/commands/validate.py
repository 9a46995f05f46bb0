"""`launchguard validate [FILE]`: every problem of a config, each with its field path."""

from __future__ import annotations

import argparse
import os

from launchguard.config.loader import load, resolve_path


def run(args: argparse.Namespace) -> int:
    """Exit 0 and say so when the config is valid; `ConfigError` (exit 2) otherwise."""
    path = resolve_path(args.file or args.config, os.environ)
    launch = load(path)
    where = str(path) if path is not None else "shipped defaults"
    print(f"{where}: ok ({len(launch.signals)} signals, {len(launch.networks)} networks)")
    return 0
