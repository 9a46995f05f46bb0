"""`launchguard render [--check] [--out DIR]`: write the Prometheus rules, their promtool
tests, the Grafana dashboards and the runbooks from the config, and docs/cli.md from the
argument parser; `--check` writes nothing, prints a unified diff and exits 1 when a
checked-in file differs, 2 when the directory is not a checkout (no rules/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from launchguard.commands.options import add_common
from launchguard.config.loader import load
from launchguard.generate import render
from launchguard.generate.alert import link_warnings
from launchguard.inputs import UsageError

EXIT_STALE = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "render",
        help="write rules/, rules/tests/, dashboards/ and docs/runbooks/ from the config, and "
        "docs/cli.md from the commands' help texts",
    )
    add_common(p, prometheus=False)
    p.add_argument(
        "--out",
        metavar="DIR",
        default=".",
        help="repository root to write under (default: the current directory)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print a diff and exit 1 when a file is stale",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = load(args.config).config
    root = Path(args.out)
    files = render.artifacts(config, args.cli_parser)
    for line in link_warnings(config):
        print(line, file=sys.stderr)
    if args.check:
        if not (root / render.RULES_DIR).is_dir():
            # Not a checkout: a diff would list every generated file as new.
            raise UsageError(
                f"render --check: no {render.RULES_DIR}/ under {root.resolve()}: run it from the"
                " repository root (cd there) or give --out DIR"
            )
        text = render.diff(files, root)
        if text:
            sys.stdout.write(text)
            print(
                f"launchguard: generated files under {root} are stale; run `launchguard render`",
                file=sys.stderr,
            )
            return EXIT_STALE
        print(f"{len(files)} generated files up to date under {root}")
        return 0
    changed = render.write(files, root)
    print(f"{len(files)} files generated under {root}, {len(changed)} changed")
    for rel in changed:
        print(f"  {rel}")
    return 0
