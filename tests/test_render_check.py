"""`launchguard render` is deterministic and `render --check` guards the checked-in files:
it passes on the repository and fails with a diff after a config change or a hand edit."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from launchguard.cli import build_parser, main
from launchguard.config.loader import load
from launchguard.generate import render

ROOT = Path(__file__).resolve().parents[1]


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A temp copy of the checked-in generated files."""
    for folder in ("rules", "dashboards", "docs/runbooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / render.CLI_DOC, tmp_path / render.CLI_DOC)
    return tmp_path


def test_render_check_passes_on_the_checked_in_files() -> None:
    code, out = _run("render", "--check", "--out", str(ROOT))
    assert code == 0, out


def test_two_renders_are_byte_identical() -> None:
    config = load().config
    assert render.artifacts(config, build_parser()) == render.artifacts(config, build_parser())


def test_render_check_fails_with_a_diff_after_a_config_change(copy: Path, tmp_path: Path) -> None:
    changed = tmp_path / "launch.yaml"
    changed.write_text("criteria:\n  passthrough_rollback:\n    p95_threshold: 2400\n")
    code, out = _run("render", "--check", "--config", str(changed), "--out", str(copy))
    assert code == 1
    assert "--- a/rules/launchguard.rules.yml" in out
    assert "+      (histogram_quantile" in out and "> 2400" in out


def test_render_check_fails_with_a_diff_after_a_hand_edit(copy: Path) -> None:
    board = copy / "dashboards" / "launchguard-trust.json"
    board.write_text(board.read_text().replace('"Launch — Trust"', '"Trust (edited)"'))
    code, out = _run("render", "--check", "--out", str(copy))
    assert code == 1
    assert '-  "title": "Trust (edited)"' in out and '+  "title": "Launch — Trust"' in out


def test_render_check_reports_a_stale_file_the_config_no_longer_produces(copy: Path) -> None:
    (copy / "docs" / "runbooks" / "OldAlert.md").write_text("# OldAlert\n")
    code, out = _run("render", "--check", "--out", str(copy))
    assert code == 1 and "a/docs/runbooks/OldAlert.md" in out


def test_render_rewrites_what_is_stale_and_then_check_passes(copy: Path) -> None:
    (copy / "rules" / "launchguard.rules.yml").write_text("groups: []\n")
    code, out = _run("render", "--out", str(copy))
    assert code == 0 and "rules/launchguard.rules.yml" in out
    assert _run("render", "--check", "--out", str(copy))[0] == 0


def test_a_bad_config_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  slo_period: soon\n")
    assert _run("render", "--check", "--config", str(bad), "--out", str(tmp_path))[0] == 2


def test_render_check_guards_the_command_reference(copy: Path) -> None:
    doc = copy / render.CLI_DOC
    doc.write_text(doc.read_text().replace("| `--once` |", "| `--twice` |"))
    code, out = _run("render", "--check", "--out", str(copy))
    assert code == 1
    assert "-| `--twice` |" in out and "+| `--once` |" in out


def test_render_check_outside_a_checkout_says_so_in_one_line_and_exits_2(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["render", "--check", "--out", str(tmp_path)])
    assert code == 2
    assert out.getvalue() == ""  # no diff of every generated file as new
    assert err.getvalue().splitlines()[-1] == (
        f"launchguard: render --check: no rules/ under {tmp_path.resolve()}: run it from the"
        " repository root (cd there) or give --out DIR"
    )
    assert list(tmp_path.iterdir()) == []  # nothing written
