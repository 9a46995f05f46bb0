"""Helpers of the deployment-kit tests (tests/test_deploy_*.py): the repository's files and
launchguard's own command line and config schema, which the kit must agree with."""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from launchguard.cli import build_parser
from launchguard.config.models import LaunchConfig

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"


def parse_cli(argv: Sequence[str]) -> argparse.Namespace:
    """`launchguard ARGV` parsed as the real command line does; AssertionError with
    argparse's message when it refuses (an unknown flag, a missing value)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            return build_parser().parse_args(list(argv))
        except SystemExit:
            pass
    raise AssertionError(f"launchguard {' '.join(argv)} is refused: {err.getvalue().strip()}")


def has_command(*words: str) -> bool:
    """Whether `launchguard WORDS… --help` names an existing (sub)command."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            build_parser().parse_args([*words, "--help"])
        except SystemExit as exc:
            return exc.code == 0
    return False


def env_setting_error(name: str) -> str | None:
    """Why `LAUNCHGUARD_<SECTION>__<FIELD>` is not a config setting (None when it is).

    The top-level variables of config/loader.py (LAUNCHGUARD_CONFIG,
    LAUNCHGUARD_PROMETHEUS_URL) and secrets named by the config (`*_env` fields) are
    checked by the callers.
    """
    section, sep, field = name.removeprefix("LAUNCHGUARD_").lower().partition("__")
    if not sep:
        return f"{name} is not LAUNCHGUARD_<SECTION>__<FIELD>"
    fields = LaunchConfig.model_fields
    if section not in fields:
        return f"{name}: no config section {section!r}"
    model = fields[section].annotation
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return f"{name}: section {section!r} is not a model"
    if field not in model.model_fields:
        return f"{name}: section {section!r} has no field {field!r}"
    return None
