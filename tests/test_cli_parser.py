"""The `launchguard` argument parser: the global flags are taken before and after the
command name, by every command and subcommand."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from deploy_support import parse_cli
from launchguard.cli import build_parser


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """(command words, parser) of every command and subcommand, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield (*path, name), command
                yield from commands(command, (*path, name))


@pytest.mark.parametrize(
    ("argv", "verbose"),
    [
        pytest.param("check", False, id="without -v the command is quiet"),
        pytest.param("-v check", True, id="-v before the command"),
        pytest.param("check -v", True, id="-v after the command"),
        pytest.param("check --verbose --at 0", True, id="--verbose among the command's options"),
        pytest.param("sim list -v", True, id="-v after a subcommand"),
        pytest.param("sim -v list", True, id="-v between a command and its subcommand"),
        pytest.param("-v sim list", True, id="-v before a command with subcommands"),
        pytest.param(
            "backtest --start 0 --end 60 -v", True, id="-v after a command's required options"
        ),
    ],
)
def test_the_verbose_flag_is_taken_before_and_after_the_command(argv: str, verbose: bool) -> None:
    assert parse_cli(argv.split()).verbose is verbose


def test_every_command_and_subcommand_takes_the_verbose_flag() -> None:
    missing = [
        " ".join(path)
        for path, parser in commands(build_parser())
        if not {"-v", "--verbose"} <= set(parser._option_string_actions)
    ]
    assert missing == []
