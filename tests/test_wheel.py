"""launchguard as the Dockerfile installs it: a wheel built from pyproject.toml and daemon/,
installed (not editable) into a fresh virtualenv, run from outside the checkout.

The wheel is built as `pip install .` builds it (build isolation). Its dependencies are not
downloaded again: the fresh virtualenv sees this test run's site-packages through a `.pth`
file, which appends them after its own (their `.pth` files, the editable install's among
them, are not processed), so `import launchguard` can only find the wheel's copy.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from launchguard.sim.scenario import list_scenarios

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "daemon" / "launchguard"

pytestmark = pytest.mark.prometheus  # demo --replay starts a real Prometheus


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of what the Dockerfile copies (pyproject.toml, daemon/)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    shutil.copy(REPO / "pyproject.toml", src)
    shutil.copytree(
        REPO / "daemon", src / "daemon", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), "."],
        cwd=src,
    )
    (found,) = (work / "dist").glob("launchguard-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path) -> Path:
    """A fresh virtualenv with the wheel installed (not editable); its bin/ directory."""
    root = wheel.parent.parent / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    python = root / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    (Path(purelib.strip()) / "test-dependencies.pth").write_text(
        "".join(f"{p}\n" for p in site.getsitepackages())
    )
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ]
    )
    return root / "bin"


def run(argv: list[str], cwd: Path | None = None) -> str:
    """stdout of `argv`, run outside the checkout with no LAUNCHGUARD_* or PYTHONPATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LAUNCHGUARD_") and k not in {"PYTHONPATH", "PYTHONHOME"}
    }
    proc = subprocess.run(
        argv,
        cwd=cwd or Path("/"),
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, f"{argv}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_the_wheel_holds_every_file_of_the_package_that_is_not_python(wheel: Path) -> None:
    on_disk = {
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    assert sorted(on_disk - in_wheel) == []


def test_the_installed_command_runs_the_wheels_copy_not_the_checkout(venv: Path) -> None:
    where = run([str(venv / "python"), "-c", "import launchguard; print(launchguard.__file__)"])
    assert Path(where.strip()).is_relative_to(venv.parent), where


def test_the_installed_command_lists_the_scenario_library(venv: Path, tmp_path: Path) -> None:
    out = run([str(venv / "launchguard"), "sim", "list"], cwd=tmp_path)
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == [name for name, _ in list_scenarios()]
    assert "launch_day" in listed


def test_the_installed_command_replays_the_demo(venv: Path, tmp_path: Path) -> None:
    out = run([str(venv / "launchguard"), "demo", "--replay"], cwd=tmp_path)
    lines = out.splitlines()
    assert any(x.startswith("$ launchguard backtest --start ") for x in lines), out
    table = lines[lines.index("DECISIONS") + 2 :]
    assert any(row.startswith("partial_rollback ") for row in table[: table.index("")]), out
    assert lines[-1] == "demo: stopped; temp files removed."
