"""The `launchguard` argument parser: the global flags are taken before and after the
command name, by every command and subcommand; every command and option has a help text,
and docs/cli.md (generated from them by `launchguard render`) shows each."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

import pytest

from deploy_support import REPO, parse_cli
from launchguard.cli import build_parser
from launchguard.generate import clidoc, render


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
        for path, _, parser in clidoc.subcommands(build_parser())
        if not {"-v", "--verbose"} <= set(parser._option_string_actions)
    ]
    assert missing == []


# --- docs/cli.md, generated from the parser -------------------------------------------------


def test_every_command_and_option_has_a_help_text() -> None:
    assert clidoc.missing_help(build_parser()) == []


def bare_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bare", metavar="X")


def bare_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("bare")


@pytest.mark.parametrize(
    ("add", "named"),
    [
        pytest.param(bare_option, "launchguard check --bare", id="an option without help"),
        pytest.param(None, "launchguard bare", id="a command without help"),
    ],
)
def test_the_reference_is_refused_for_what_has_no_help_text(
    add: Callable[[argparse.ArgumentParser], None] | None, named: str
) -> None:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if add is None:
        bare_command(sub)
    else:
        add(sub.choices["check"])
    with pytest.raises(clidoc.MissingHelp, match=f"no help text: {named}$"):
        clidoc.build(parser)


def test_the_reference_documents_every_command_and_option_with_its_help() -> None:
    text = (REPO / render.CLI_DOC).read_text()
    sections = dict(re.findall(r"(?ms)^#+ `launchguard ([^`]+)`\n(.*?)(?=^#+ `|\Z)", text))
    for path, helptext, command in clidoc.subcommands(build_parser()):
        section = sections[" ".join(path)]
        assert " ".join(helptext.split())[1:] in section, path
        for action in command._actions:
            if action.help in (None, argparse.SUPPRESS) or "-h" in action.option_strings:
                continue
            if "-v" in action.option_strings or isinstance(action, argparse._SubParsersAction):
                continue
            name = action.option_strings[-1] if action.option_strings else action.metavar
            row = next(x for x in section.splitlines() if x.startswith(f"| `{name}"))
            assert " ".join(action.help.split())[1:].replace("|", "\\|") in row, (path, name)
