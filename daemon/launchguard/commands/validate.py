"""`launchguard validate [FILE]`: every problem of a config, each with its field path."""

from __future__ import annotations

import argparse
import os

from launchguard.commands.options import add_common
from launchguard.config.loader import load, resolve_path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("validate", help="check a config file; print every problem")
    p.add_argument("file", nargs="?", metavar="FILE", help="config file (or use --config)")
    add_common(p, prometheus=False)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 and say so when the config is valid; `ConfigError` (exit 2) otherwise."""
    path = resolve_path(args.file or args.config, os.environ)
    launch = load(path)
    where = str(path) if path is not None else "shipped defaults"
    print(f"{where}: ok ({len(launch.signals)} signals, {len(launch.networks)} networks)")
    return 0
