"""`launchguard sim write` and `sim serve` as an operator runs them: real processes, real
promtool, a real scrape of the live exporter over HTTP.

The oracle for names is METRICS.md (the input contract), copied here on purpose: the
simulator's own table (`sim.families`) must agree with it, not define it.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from launchguard.cli import main
from launchguard.commands import sim as sim_command
from launchguard.harness.process import stop_process
from launchguard.harness.servers import free_port
from launchguard.sim import scenario as scenario_module
from launchguard.sim.scenario import load_scenario, scenario_path

CLI = [sys.executable, "-m", "launchguard.cli"]
END = 1_795_000_020  # a fixed end of history on the 30 s grid (2026-11-18T10:27:00Z)
READY_TIMEOUT = 20.0  # seconds for `sim serve` to answer /metrics
METRICS_MD = {  # series → type, from METRICS.md
    "clubgate_passthrough_seconds": "histogram",
    "clubgate_payout_queue_depth": "gauge",
    "clubgate_payout_completed_total": "counter",
    "clubgate_payout_stuck_transactions": "gauge",
    "clubgate_payout_volume_usd_total": "counter",
    "clubgate_launch_daily_target_usd": "gauge",
    "clubgate_launch_volume_cap_ratio": "gauge",
    "clubgate_eod_settlement_seconds": "histogram",
    "clubgate_eod_settlements_total": "counter",
    "clubgate_trust_eod_unsettled_sessions": "gauge",
    "clubgate_trust_cutoff_timestamp_seconds": "gauge",
    "clubgate_webhook_deliveries_total": "counter",
    "clubgate_webhook_dead_letter_depth": "gauge",
    "clubgate_incidents_open": "gauge",
    "clubgate_incidents_total": "counter",
    "clubgate_wallet_hot_balance": "gauge",
    "clubgate_wallet_min_hot_balance": "gauge",
    "clubgate_wallet_gas_reserve": "gauge",
    "clubgate_wallet_gas_reserve_min": "gauge",
    "clubgate_offers_total": "counter",
    "clubgate_deals_total": "counter",
    "clubgate_deals_cancelled_total": "counter",
    "support_ticket_created_timestamp_seconds": "gauge",
    "support_ticket_stage_timestamp_seconds": "gauge",
}
Key = tuple[str, tuple[tuple[str, str], ...]]
"""(sample name, sorted labels): one series."""
_SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+) (\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def sim(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def write(out: Path, scenario: str, end: float, at: str | None = None) -> bytes:
    sim(
        "sim",
        "write",
        "--scenario",
        scenario,
        "--end",
        str(int(end)),
        "--out",
        str(out),
        *(["--at", at] if at else []),
    )
    return out.read_bytes()


def last_samples(text: str) -> dict[Key, tuple[float, float]]:
    """Series → (timestamp, value) of its last sample in an OpenMetrics history file."""
    out: dict[Key, tuple[float, float]] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        assert match, line
        name, labels, value, ts = match.groups()
        out[(name, tuple(sorted(_LABEL.findall(labels or ""))))] = (float(ts), float(value))
    return out


def family(sample_name: str) -> str:
    for suffix in ("_bucket", "_count", "_sum"):
        base = sample_name.removesuffix(suffix)
        if base != sample_name and METRICS_MD.get(base) == "histogram":
            return base
    return sample_name


# --- sim write ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scenario",
    ["launch_day", "counter_reset", "exporter_gaps"],
    ids=[
        "the launch day is written byte for byte the same twice",
        "counter resets are written byte for byte the same twice",
        "exporter gaps are written byte for byte the same twice",
    ],
)
def test_writing_a_scenario_twice_with_its_seed_gives_the_same_bytes(
    scenario: str, tmp_path: Path
) -> None:
    first = write(tmp_path / "first.om", scenario, END)
    second = write(tmp_path / "second.om", scenario, END)
    assert first == second
    assert first.endswith(b"\n# EOF\n")

    # The seed is what makes it repeatable: another seed draws other noise.
    reseeded = tmp_path / "reseeded.yaml"
    text = scenario_path(scenario).read_text()
    seed = load_scenario(scenario).seed
    reseeded.write_text(re.sub(r"(?m)^seed: .*$", f"seed: {seed + 1}", text))
    assert load_scenario(str(reseeded)).seed == seed + 1
    assert write(tmp_path / "other.om", str(reseeded), END) != first


def test_written_labels_join_every_series_so_that_the_scraped_continuation_is_the_same(
    tmp_path: Path,
) -> None:
    plain = last_samples(write(tmp_path / "plain.om", "passthrough_rollback", END, "1h").decode())
    target = {"job": "platform", "instance": "127.0.0.1:9105"}
    labelled = tmp_path / "labelled.om"
    sim("sim", "write", "--scenario", "passthrough_rollback", "--end", str(END), "--at", "1h",
        "--out", str(labelled), *(f"--label={k}={v}" for k, v in target.items()))  # fmt: skip
    extra = tuple(target.items())
    want = {(name, tuple(sorted(labels + extra))): v for (name, labels), v in plain.items()}
    assert last_samples(labelled.read_text()) == want


@pytest.mark.parametrize(
    "label",
    ["job", "=platform", "__name__=x", "my-label=x"],
    ids=[
        "a label without a value is refused",
        "a label without a name is refused",
        "a reserved label name is refused",
        "a label name Prometheus does not allow is refused",
    ],
)
def test_a_malformed_label_exits_2_naming_it(label: str, tmp_path: Path) -> None:
    proc = sim("sim", "write", "--scenario", "passthrough_rollback", "--out",
               str(tmp_path / "x.om"), f"--label={label}", check=False)  # fmt: skip
    assert proc.returncode == 2
    assert f"--label: expected NAME=VALUE with a label name, got {label!r}" in proc.stderr
    assert not (tmp_path / "x.om").exists()


@pytest.mark.prometheus
def test_promtool_backfills_every_sample_of_a_written_scenario(tmp_path: Path) -> None:
    history = tmp_path / "launch_day.om"
    text = write(history, "launch_day", END).decode()
    data = tmp_path / "data"
    promtool = shutil.which("promtool")
    assert promtool, "promtool is not on PATH (apt-get install prometheus)"
    proc = subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--max-block-duration=24h",
            str(history),
            str(data),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout

    # promtool exits 0 even when it drops samples: count what landed in the blocks.
    metas = [json.loads(p.read_text()) for p in data.glob("*/meta.json")]
    assert metas, proc.stdout
    series = last_samples(text)
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert sum(m["stats"]["numSamples"] for m in metas) == len(lines)
    assert sum(m["stats"]["numSeries"] for m in metas) == len(series)
    duration = load_scenario("launch_day").duration
    assert min(m["minTime"] for m in metas) == (END - duration) * 1000
    assert max(m["maxTime"] for m in metas) == END * 1000 + 1  # maxTime is exclusive


UNKNOWN = [
    pytest.param(["sim", "write", "--out", "x.om"], id="sim write names the unknown scenario"),
    pytest.param(["sim", "serve"], id="sim serve names the unknown scenario"),
    pytest.param(["demo"], id="demo names the unknown scenario"),
]


@pytest.mark.parametrize("argv", UNKNOWN)
def test_an_unknown_scenario_exits_2_listing_the_library(argv: list[str], tmp_path: Path) -> None:
    proc = sim(*argv, "--scenario", "no_such_day", check=False)
    assert proc.returncode == 2
    want = "config error: --scenario: no_such_day: no such scenario; the library has:"
    assert want in proc.stderr
    assert "launch_day" in proc.stderr
    assert proc.stdout == ""


def test_an_empty_library_exits_2_naming_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for module in (scenario_module, sim_command):  # where it is read, where it is named
        monkeypatch.setattr(module, "library_dir", lambda: tmp_path)
    assert main(["sim", "list"]) == 2
    assert capsys.readouterr().err == (
        f"launchguard: no scenario in the library at {tmp_path}: reinstall launchguard\n"
    )


def test_a_missing_scenario_file_exits_2_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "incident.yaml"
    proc = sim("sim", "write", "--scenario", str(missing), "--out", "x.om", check=False)
    assert proc.returncode == 2
    assert f"config error: {missing}: no such file" in proc.stderr


# --- sim serve ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    url: str  # of /metrics, answering
    proc: subprocess.Popen[str]
    end: int  # unix seconds: the history it continues ends here, 1 h after the scenario start


@pytest.fixture
def served() -> Iterator[Served]:
    """`sim serve --at 1h` of passthrough_rollback with its history ending 5 min ago, ready
    (stopped with SIGINT at teardown if it still runs)."""
    step = int(load_scenario("passthrough_rollback").step)
    end = int(time.time()) // step * step - 300
    port = free_port()
    proc = subprocess.Popen(
        [
            *CLI,
            "sim",
            "serve",
            "--scenario",
            "passthrough_rollback",
            "--end",
            str(end),
            "--at",
            "1h",
            "--listen",
            f"127.0.0.1:{port}",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/metrics"
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"sim serve exited {proc.returncode}: {proc.communicate()[1]}")
                try:
                    if client.get(url).status_code == 200:
                        break
                except httpx.TransportError:
                    pass  # not listening yet
                assert time.monotonic() < deadline, f"{url} not ready in {READY_TIMEOUT} s"
                time.sleep(0.05)
        yield Served(url, proc, end)
    finally:
        stop_process(proc, signal.SIGINT)


def scrape(url: str, step: float) -> tuple[float, dict[Key, float], dict[str, str]]:
    """(grid time served, series → value, family → type). The exporter serves the last grid
    time at or before the moment it is scraped; a scrape straddling a step is repeated."""
    for _ in range(3):
        before = time.time()
        text = httpx.get(url, timeout=5.0).text
        after = time.time()
        if before // step == after // step:
            families = list(text_string_to_metric_families(text))
            values = {
                (s.name, tuple(sorted(s.labels.items()))): s.value
                for fam in families
                for s in fam.samples
            }
            types = {family(s.name): fam.type for fam in families for s in fam.samples}
            return before // step * step, values, types
    raise AssertionError("three scrapes in a row straddled a grid step")


def test_sim_serve_continues_the_written_history_with_metrics_md_series(
    served: Served, tmp_path: Path
) -> None:
    step = load_scenario("passthrough_rollback").step
    start = served.end - 3600  # --at 1h
    written = write(tmp_path / "to-end.om", "passthrough_rollback", served.end, "1h")
    history = last_samples(written.decode())
    assert {t for t, _ in history.values()} == {served.end}

    scrapes = [scrape(served.url, step) for _ in range(2)]
    for at, values, types in scrapes:
        assert at > served.end
        # Names and types are the contract's.
        assert {name: METRICS_MD.get(name) for name in types} == types
        assert set(values) == set(history)
        for key, value in values.items():
            name = key[0]
            if types[family(name)] == "counter" or name.endswith(("_bucket", "_count")):
                assert value >= history[key][1], key  # counted on from the history's end

        # At the grid time it serves, the exporter's value is the history's value there.
        offset = f"{int(at - start)}s"
        there = write(tmp_path / "to-now.om", "passthrough_rollback", at, offset).decode()
        assert {k: v for k, (_, v) in last_samples(there).items()} == pytest.approx(values)

    (_, first, _), (_, second, _) = scrapes
    completed = ("clubgate_payout_completed_total", (("network", "erc20"),))
    assert second[completed] >= first[completed] > history[completed][1] > 0

    served.proc.send_signal(signal.SIGINT)
    assert served.proc.wait(timeout=10) == 0
