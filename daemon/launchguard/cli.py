"""The `launchguard` command. Exit codes: 0 ok, 1 rollback recommended (check),
2 bad config or usage, 3 Prometheus unreachable, 4 evaluation failed (any other error: one
line on stderr, never a traceback)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from launchguard import __version__
from launchguard.commands import (
    audit,
    check,
    checklist,
    demo,
    gonogo,
    report,
    run,
    sla,
    timeline,
    validate,
)
from launchguard.commands import render as render_cmd
from launchguard.commands import sim as sim_cmd
from launchguard.commands.dispatch import Registrar, run_line

# Every command registers itself: each module has `register(sub)`, adding its parser(s) with
# `set_defaults(handler=...)`. One line per module, in the order of the help.
REGISTRARS: tuple[Registrar, ...] = (
    check.register,
    validate.register,
    gonogo.register,
    checklist.register,
    report.register,
    sla.register,
    audit.register,
    timeline.register,
    run.register,
    render_cmd.register,
    sim_cmd.register,
    demo.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="launchguard",
        description="Evaluate a staged launch's SLOs and rollback criteria on Prometheus data.",
        epilog="Times are RFC 3339 (2026-11-22T10:00:00Z) or unix seconds. Exit codes: 0 ok, "
        "1 a rollback is recommended (check), 2 bad config or usage, 3 Prometheus "
        "unreachable, 4 evaluation failed (e.g. no data in the range).",
    )
    parser.add_argument("--version", action="version", version=f"launchguard {__version__}")
    _global_flags(parser, default=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(sub)
    _global_flags_after_commands(parser)
    # `render` writes docs/cli.md from this parser: handed down, so no command imports the CLI.
    parser.set_defaults(cli_parser=parser)
    return parser


def _global_flags(p: argparse.ArgumentParser, default: object) -> None:
    """The flags every command takes before or after its name (`-v`)."""
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="log retries and other events to stderr",
    )


def _global_flags_after_commands(parser: argparse.ArgumentParser) -> None:
    """Every (sub)command accepts the global flags too. Their default there is SUPPRESS, so
    a flag given before the command is not reset by the subcommand's parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                _global_flags(command, default=argparse.SUPPRESS)
                _global_flags_after_commands(command)


def main(argv: Sequence[str] | None = None) -> int:
    return run_line(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
