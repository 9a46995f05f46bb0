"""deploy/systemd/launchguard.service: parses, runs `launchguard run` with valid flags, keeps
the journal writable and everything else locked down; systemd itself agrees."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from deploy_support import DEPLOY, parse_cli

UNIT = DEPLOY / "systemd" / "launchguard.service"
MAX_EXPOSURE = 2.0  # `systemd-analyze security`: 0 (locked down) … 10 (exposed)

Unit = dict[str, dict[str, list[str]]]


def parse_unit(text: str) -> Unit:
    """Sections → key → every value in order (systemd allows a key several times; an empty
    assignment resets the list, as systemd does). Continuation lines are joined."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    for raw in re.sub(r"\\\n", " ", text).splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = unit.setdefault(line[1:-1], defaultdict(list))
            continue
        if section is None or "=" not in line:
            raise ValueError(f"not a unit line: {raw!r}")
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if value == "" and key in section:
            section[key].clear()
        section[key].append(value)
    return unit


@pytest.fixture(scope="module")
def service() -> dict[str, list[str]]:
    return parse_unit(UNIT.read_text())["Service"]


def test_parse_unit_keeps_repeated_keys_and_resets() -> None:
    unit = parse_unit("[Service]\nA=1\nA=2\nB=x\nB=\nB=y \\\n z\n")
    assert unit["Service"] == {"A": ["1", "2"], "B": ["", "y   z"]}


HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "CapabilityBoundingSet": "",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "Restart": "on-failure",
    "DynamicUser": "yes",
}


@pytest.mark.parametrize(("key", "value"), HARDENING.items(), ids=lambda v: str(v))
def test_hardening_option_is_set(service: dict[str, list[str]], key: str, value: str) -> None:
    assert service.get(key, [None])[-1] == value


def test_system_calls_are_filtered_to_the_service_set(service: dict[str, list[str]]) -> None:
    filters = service["SystemCallFilter"]
    assert filters[0] == "@system-service"
    assert all(f.startswith("~") for f in filters[1:])  # later lines only take away


def test_memory_is_capped_and_secrets_come_from_an_environment_file(
    service: dict[str, list[str]],
) -> None:
    assert re.fullmatch(r"\d+[KMG]", service["MemoryMax"][-1])
    (env_file,) = service["EnvironmentFile"]
    assert env_file.startswith("/etc/launchguard/")
    assert not any("KEY" in e or "TOKEN" in e for e in service.get("Environment", []))


def test_exec_start_is_launchguard_run_writing_its_journal_to_the_state_dir(
    service: dict[str, list[str]],
) -> None:
    (exec_start,) = service["ExecStart"]
    program, *argv = exec_start.split()
    assert program.startswith("/") and Path(program).name == "launchguard"
    args = parse_cli(argv)
    assert args.command == "run" and not args.once
    journal_dir = str(Path(args.journal).parent)
    assert journal_dir in service["ReadWritePaths"][-1].split()
    assert journal_dir == f"/var/lib/{service['StateDirectory'][-1]}"
    assert args.config.startswith(f"/etc/{service['ConfigurationDirectory'][-1]}/")


def runnable_copy(tmp_path: Path, text: str) -> Path:
    """The unit with ExecStart's program replaced by this environment's launchguard (systemd
    refuses to verify a unit whose program does not exist)."""
    here = shutil.which("launchguard", path=str(Path(sys.executable).parent))
    assert here, "launchguard is not installed in the virtualenv"
    path = tmp_path / UNIT.name
    path.write_text(re.sub(r"^ExecStart=\S+", f"ExecStart={here}", text, flags=re.M))
    return path


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze is not installed; the structured tests above still run")
    return found


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        pytest.param(("", ""), "", id="systemd verifies the unit without a complaint"),
        pytest.param(
            ("ProtectSystem=strict", "ProtectSystm=strict"),
            "Unknown key",
            id="a misspelt option is reported by systemd",
        ),
    ],
)
def test_systemd_analyze_verify(tmp_path: Path, change: tuple[str, str], complaint: str) -> None:
    analyze = systemd_analyze()
    old, new = change
    unit = runnable_copy(tmp_path, UNIT.read_text().replace(old, new) if old else UNIT.read_text())
    proc = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, check=False, timeout=60
    )
    output = (proc.stdout + proc.stderr).strip()
    if complaint:
        assert complaint in output
    else:
        assert proc.returncode == 0 and output == ""


def test_systemd_rates_the_unit_exposure_low(tmp_path: Path) -> None:
    analyze = systemd_analyze()
    unit = runnable_copy(tmp_path, UNIT.read_text())
    proc = subprocess.run(
        [analyze, "security", "--offline=true", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", proc.stdout)
    assert found, proc.stdout[-2000:] + proc.stderr
    assert float(found[1]) <= MAX_EXPOSURE
