"""Run a `launchguard` command line in-process (the demo chains commands this way)."""

from __future__ import annotations

from collections.abc import Sequence


def run_cli(argv: Sequence[str]) -> int:
    from launchguard.cli import main  # imported late: the CLI imports the commands

    return main(argv)
