"""deploy/docker-compose.yml and deploy/prometheus.yml: images pinned to the tested versions,
every path and volume resolvable, ports, targets and commands agreeing with each other and
with launchguard's command line and config."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy_support import DEPLOY, REPO, env_setting_error, has_command, parse_cli
from launchguard.config.loader import load
from launchguard.generate.render import RULES_FILE

COMPOSE = DEPLOY / "docker-compose.yml"
SERVICES = {"simulator", "prometheus", "alertmanager", "grafana", "launchguard"}
# DESIGN §6 and §7: the versions the project tests against.
TESTED_VERSIONS = {
    "prom/prometheus": r"v2\.42\.\d+",
    "prom/alertmanager": r"v0\.25\.\d+",
    "grafana/grafana": r"11\.6\.\d+",
}
GENERATED = {(REPO / RULES_FILE).parent, REPO / "dashboards", DEPLOY / "grafana" / "provisioning"}
TOP_LEVEL_ENV = {"LAUNCHGUARD_CONFIG", "LAUNCHGUARD_PROMETHEUS_URL"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return doc


@pytest.fixture(scope="module")
def prometheus_yml() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    return doc


def service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = compose["services"][name]
    return found


def project_version() -> str:
    version: str = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    return version


def command_of(svc: dict[str, Any]) -> list[str]:
    """The service's argv after `launchguard` (the image's entrypoint or compose's, then
    `command`)."""
    entry = svc.get("entrypoint", ["launchguard", "run"])
    return [*entry[1:], *svc.get("command", [])]


def flag(argv: list[str], name: str) -> list[str]:
    return [argv[i + 1] for i, word in enumerate(argv[:-1]) if word == name]


def test_the_stack_has_the_five_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == SERVICES


def test_every_image_is_pinned_to_a_version_tag(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        image = svc["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", f"{name}: {image} is not pinned"
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", tag), f"{name}: {image} has no exact version"
        if repo in TESTED_VERSIONS:
            assert re.fullmatch(TESTED_VERSIONS[repo], tag), f"{name}: {image} is not tested"
        elif repo == "launchguard":
            assert tag == project_version(), f"{name}: {image} vs pyproject {project_version()}"
            assert svc["build"] == {"context": "..", "dockerfile": "Dockerfile"}
            assert (COMPOSE.parent / svc["build"]["context"] / "Dockerfile").is_file()
        else:
            pytest.fail(f"{name}: {image} is not an image the project tests against")


def bind_and_named(compose: dict[str, Any]) -> tuple[list[tuple[str, str, str]], set[str]]:
    binds, named = [], set()
    for name, svc in compose["services"].items():
        for volume in svc.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith((".", "/")):
                binds.append((name, source, target))
            else:
                named.add(source)
    return binds, named


def test_every_bind_mount_exists_in_the_repository(compose: dict[str, Any]) -> None:
    binds, _ = bind_and_named(compose)
    assert binds
    for name, source, _target in binds:
        assert not source.startswith("/"), f"{name}: {source} is outside the repository"
        path = (COMPOSE.parent / source).resolve()
        if path in GENERATED:
            continue  # written by `launchguard render` or issue 5, checked below
        assert path.exists(), f"{name}: {source} ({path}) does not exist"


def test_named_volumes_are_declared_and_all_used(compose: dict[str, Any]) -> None:
    _, named = bind_and_named(compose)
    assert named == set(compose["volumes"])


def test_generated_rules_and_dashboards_are_mounted_where_they_are_read(
    compose: dict[str, Any], prometheus_yml: dict[str, Any]
) -> None:
    binds, _ = bind_and_named(compose)
    targets = {(n, (COMPOSE.parent / s).resolve()): t for n, s, t in binds}
    rules_dir = targets[("prometheus", (REPO / RULES_FILE).parent)]
    rules_file = f"{rules_dir}/{Path(RULES_FILE).name}"
    assert any(Path(rules_file).match(pattern) for pattern in prometheus_yml["rule_files"]), (
        f"{RULES_FILE} mounted as {rules_file} is not in rule_files"
    )
    assert targets[("prometheus", DEPLOY / "prometheus.yml")] == "/etc/prometheus/prometheus.yml"
    assert targets[("alertmanager", DEPLOY / "alertmanager.yml")].endswith("alertmanager.yml")
    provisioning = targets[("grafana", DEPLOY / "grafana" / "provisioning")]
    assert provisioning == "/etc/grafana/provisioning"
    dashboards = targets[("grafana", REPO / "dashboards")]
    if not (DEPLOY / "grafana").exists():
        pytest.skip("deploy/grafana/ (the provisioning of issue 5) is not written yet")
    providers = sorted((DEPLOY / "grafana/provisioning/dashboards").glob("*.y*ml"))
    assert providers, "deploy/grafana/provisioning/dashboards/ has no dashboard provider"
    paths = [
        p["options"]["path"]
        for f in providers
        for p in yaml.safe_load(f.read_text()).get("providers", [])
    ]
    assert dashboards in paths, f"providers read {paths}, the dashboards are at {dashboards}"


def test_launchguard_command_is_a_valid_run_against_the_stack(compose: dict[str, Any]) -> None:
    svc = service(compose, "launchguard")
    args = parse_cli(command_of(svc))
    assert args.command == "run"
    assert args.prometheus == "http://prometheus:9090"
    assert args.alertmanager == ["http://alertmanager:9093"]
    assert args.journal.startswith("/var/lib/launchguard/")
    journal_volume = [v for v in svc["volumes"] if v.split(":")[1] == "/var/lib/launchguard"]
    assert journal_volume and not journal_volume[0].startswith((".", "/")), "a named volume"
    host, _, port = args.listen.rpartition(":")
    assert host == "0.0.0.0" and f"127.0.0.1:{port}:{port}" in svc["ports"]


def test_launchguard_environment_names_real_settings(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = service(compose, "launchguard")["environment"]
    config_file = env["LAUNCHGUARD_CONFIG"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in service(compose, "launchguard")["volumes"]}
    local = (COMPOSE.parent / mounts[config_file]).resolve()
    launch = load(local)
    secrets = {launch.config.journal.key_env, launch.config.server.token_env}
    for name, value in env.items():
        if name in TOP_LEVEL_ENV:
            continue
        if name in secrets:
            required = re.fullmatch(r"\$\{(\w+):\?[^}]+\}", value)
            assert required and required[1] == name, f"{name} must be required, not {value}"
            continue
        assert env_setting_error(name) is None, env_setting_error(name)
        monkeypatch.setenv(name, value)
    load(local)  # the overrides validate


def test_prometheus_scrapes_and_alerts_the_services_on_their_ports(
    compose: dict[str, Any], prometheus_yml: dict[str, Any]
) -> None:
    targets = {
        job["job_name"]: target
        for job in prometheus_yml["scrape_configs"]
        for sc in job["static_configs"]
        for target in sc["targets"]
    }
    lg_port = parse_cli(command_of(service(compose, "launchguard"))).listen
    assert targets["launchguard"] == f"launchguard:{lg_port.rpartition(':')[2]}"
    sim_listen = flag(command_of(service(compose, "simulator")), "--listen")
    assert sim_listen and targets["clubgate"] == f"simulator:{sim_listen[0].rpartition(':')[2]}"
    (am,) = [
        t
        for a in prometheus_yml["alerting"]["alertmanagers"]
        for sc in a["static_configs"]
        for t in sc["targets"]
    ]
    assert (
        am == "alertmanager:9093"
        and "127.0.0.1:9093:9093" in service(compose, "alertmanager")["ports"]
    )
    assert "--cluster.listen-address=" in service(compose, "alertmanager")["command"]


def test_the_simulator_serves_a_shipped_scenario(compose: dict[str, Any]) -> None:
    svc = service(compose, "simulator")
    assert svc["entrypoint"][:3] == ["launchguard", "sim", "serve"]
    (scenario,) = flag(svc["command"], "--scenario")
    scenarios = REPO / "daemon/launchguard/sim/scenarios"
    assert (scenarios / f"{scenario}.yaml").is_file(), f"no scenario {scenario} in {scenarios}"
    if not has_command("sim", "serve"):
        pytest.skip("`launchguard sim serve` is not registered yet (issue 4)")
    parse_cli(["sim", "serve", *svc["command"]])


def test_promtool_accepts_the_prometheus_config() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed (apt-get install prometheus)")
    proc = subprocess.run(
        [promtool, "check", "config", str(DEPLOY / "prometheus.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_grafana_datasources_point_at_the_stacks_prometheus(compose: dict[str, Any]) -> None:
    sources = sorted((DEPLOY / "grafana/provisioning/datasources").glob("*.y*ml"))
    if not sources:
        pytest.skip("deploy/grafana/provisioning/datasources/ (issue 5) is not written yet")
    urls = [d["url"] for f in sources for d in yaml.safe_load(f.read_text())["datasources"]]
    published = service(compose, "prometheus")["ports"]
    assert urls and all(u == "http://prometheus:9090" for u in urls), urls
    assert "127.0.0.1:9090:9090" in published
