"""`launchguard demo` as an operator runs it: its own process group, its stdout read line by
line, Ctrl-C sent to the whole group as a terminal does, then a look at what it left behind.

Waiting is on the demo's own output (a reader thread and a deadline), never a fixed sleep.
The times it prints are checked against the scenario's expected-decisions file.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import pytest

from launchguard.config.durations import parse_duration
from launchguard.inputs import parse_time
from launchguard.sim.families import QUEUE
from launchguard.sim.generator import families, samples, times
from launchguard.sim.scenario import load_scenario

from expected import ROLLBACK_KINDS, Actual, compare, load_expected
from factories import launch

DEMO = [sys.executable, "-m", "launchguard.cli", "demo"]
# As a script's `launchguard demo &` starts it: shells without job control ignore SIGINT in
# background jobs, and an ignored signal stays ignored across exec.
IGNORING_SIGINT = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    f"os.execv(sys.executable, {DEMO!r})",
]
SCENARIO = "launch_day"  # the demo's default
FIRST_ROLLBACK = 120.0  # seconds from start to the first rollback printed, at most
STOP_TIMEOUT = 60.0  # seconds from Ctrl-C to exit
_OPENED = re.compile(r"^\[(\S+) \+(\S+)\] OPENED (\w+): (\w+) \((.*)\)$")
_OBSERVED = re.compile(r"^      (\w+) @ t-(\S+) = (\S+)$")
# The signal of an observation → the scenario's family and the labels of its one series
# per network (the signal sums by network: the history and the live samples must be one).
SCENARIO_SERIES = {"payout_queue": (QUEUE, ("network",))}

pytestmark = pytest.mark.prometheus


def env() -> dict[str, str]:
    """This environment without LAUNCHGUARD_* settings: the demo runs on the shipped config."""
    return {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHGUARD_")}


class Output:
    """The lines of a stream as they arrive, read by a thread."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._eof = False
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def until(self, done: Callable[[list[str]], bool], timeout: float, what: str) -> None:
        """Reads until `done(lines)` (or end of stream, with `done` None: until then)."""
        deadline = time.monotonic() + timeout
        while not done(self.lines):
            remaining = deadline - time.monotonic()
            if self._eof or remaining <= 0:
                pytest.fail(f"no {what} within {timeout} s; output:\n" + "\n".join(self.lines))
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self._eof = True
            else:
                self.lines.append(line)

    def until_eof(self, timeout: float) -> None:
        self.until(lambda _lines: self._eof, timeout, "end of output")


def rollback_block(lines: Sequence[str]) -> list[str] | None:
    """The lines of the first rollback opened, through its `decision id` line."""
    for i, line in enumerate(lines):
        match = _OPENED.match(line)
        if match and match[3] in ROLLBACK_KINDS:
            for j in range(i + 1, len(lines)):
                if lines[j].startswith("    decision id "):
                    return list(lines[i : j + 1])
            return None
    return None


def scenario_values(family: str, labels: dict[str, str], start: float, t: float) -> set[float]:
    """The values the scenario gives the series `labels` of `family` at the last two grid
    times up to `t`: Prometheus' latest sample at t was scraped less than a scrape interval
    before it, when the exporter served the grid value at t or at the step before."""
    scenario = load_scenario(SCENARIO)
    fam = next(x for x in families(scenario, start) if x.name == family)
    (series,) = [x for x in fam.series if x.labels == labels]
    *_, before, at = samples(fam, series, times(start, t, scenario.step))
    assert isinstance(before, float) and isinstance(at, float), (before, at)
    return {before, at}


def group(pgid: int) -> dict[int, str]:
    """Live processes (zombies left out) of process group `pgid`: pid → command line."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # exited meanwhile
        state, _ppid, pgrp = stat.rpartition(")")[2].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def temp_dirs(texts: Sequence[str]) -> set[Path]:
    """The launchguard-* directories under the temp dir that these texts name (the demo's
    and its servers'; a checkout that happens to live under the temp dir is not one)."""
    tmp = Path(tempfile.gettempdir())
    found = set()
    for text in texts:
        for path in re.findall(rf"{re.escape(str(tmp))}/launchguard-[^\s/=]+", text):
            found.add(Path(path))
    return found


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(DEMO, id="started from a terminal"),
        pytest.param(IGNORING_SIGINT, id="started by a script with SIGINT ignored"),
    ],
)
def test_the_live_demo_recommends_a_rollback_and_stops_cleanly_on_ctrl_c(
    command: list[str], tmp_path: Path
) -> None:
    stderr = tmp_path / "stderr"
    with stderr.open("w") as err:
        demo = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env(),
            start_new_session=True,  # its own process group, as a terminal job
        )
    assert demo.stdout is not None
    try:
        out = Output(demo.stdout)
        started = time.monotonic()
        out.until(lambda lines: rollback_block(lines) is not None, FIRST_ROLLBACK, "rollback")
        seconds_to_rollback = time.monotonic() - started
        children = group(demo.pid)
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group gets it
        code = demo.wait(timeout=STOP_TIMEOUT)
        out.until_eof(STOP_TIMEOUT)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    errors = stderr.read_text()
    lines = out.lines

    # The rollback: kind, criterion and scope, when (scenario offset), evidence and actions.
    block = rollback_block(lines)
    assert block is not None
    opened = _OPENED.match(block[0])
    assert opened, block[0]
    at, offset, kind, criterion, scope = opened.groups()
    assert (kind, criterion, scope) == ("partial_rollback", "passthrough_rollback", "network=trc20")
    want = load_expected(SCENARIO)
    first = next(d for d in want.decisions if d.criterion == criterion)
    assert abs(parse_duration(offset) - first.opened) <= want.tolerance, block[0]
    assert re.fullmatch(
        r"    evidence: passthrough_p95 .*payout_queue .*\[p95_threshold 1800\]", block[1]
    ), block
    assert any(re.fullmatch(r"      passthrough_p95 @ t-15m = [\d.]+", x) for x in block), block
    assert "    action: Safe-mode: freeze payouts on trc20." in block
    # Its evidence is the scenario's own value: the backfilled history and the live exporter's
    # scraped samples are one series, so the sum by network does not count the queue twice.
    start = parse_time(at, "at") - parse_duration(offset)
    observed = [m.groups() for m in map(_OBSERVED.match, block) if m and m[1] in SCENARIO_SERIES]
    assert len(observed) == 2, block  # payout_queue 30 min ago and now
    for signal_name, ago, value in observed:
        family, keys = SCENARIO_SERIES[signal_name]
        labels = {k: v for k, v in (x.split("=") for x in scope.split(", ")) if k in keys}
        t = start + parse_duration(offset) - parse_duration(ago)
        assert float(value) in scenario_values(family, labels, start, t), block
    assert seconds_to_rollback < FIRST_ROLLBACK

    # It stopped cleanly: exit 0, the messages, nothing left running, listening or on disk.
    assert code == 0, errors
    assert "demo: stopping…" in lines
    assert lines[-1] == "demo: stopped; temp files removed."
    assert errors == ""
    commands = list(children.values())
    programs = {Path(c.split()[0]).name for c in commands}
    assert {"prometheus", "prometheus-alertmanager"} <= programs, commands
    assert any(" -m launchguard.cli run " in c for c in commands), commands  # the daemon
    assert group(demo.pid) == {}
    ports = [
        int(p)
        for p in re.findall(
            r"^demo: \w+ +http://127\.0\.0\.1:(\d+)", "\n".join(lines), re.MULTILINE
        )
    ]
    assert len(ports) == 4, lines  # Prometheus, Alertmanager, exporter, daemon
    assert all(refused(p) for p in ports), ports
    announced = [x.removeprefix("demo: temp dir") for x in lines if x.startswith("demo: temp dir")]
    dirs = temp_dirs([*announced, *commands])
    assert len(dirs) >= 3, (announced, commands)  # the demo's, Prometheus', Alertmanager's
    assert [d for d in dirs if d.exists()] == []


def warsaw(text: str) -> float:
    """A backtest table time (`2026-11-28 16:22:00 CET`) in unix seconds."""
    stamp, abbreviation = text.rsplit(" ", 1)
    naive = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    zone = ZoneInfo(launch().timezone)
    for fold in (0, 1):  # the abbreviation settles the repeated hour of the autumn change
        local = naive.replace(tzinfo=zone, fold=fold)
        if local.tzname() == abbreviation:
            return local.timestamp()
    raise AssertionError(f"{text}: not a {zone} time")


def test_the_replay_prints_the_backtest_timeline_of_the_expected_decisions() -> None:
    proc = subprocess.run(
        [*DEMO, "--replay"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    command = next(x for x in lines if x.startswith("$ launchguard backtest --start "))
    first = int(command.split()[4])
    start = first - load_scenario(SCENARIO).backtest_from

    table = lines[lines.index("DECISIONS") + 2 :]
    rollbacks = []
    for row in table[: table.index("")]:
        kind, criterion, scope, opened, resolved, _id = re.split(r"\s{2,}", row)
        if kind in ROLLBACK_KINDS:
            labels = dict(x.split("=", 1) for x in scope.split(",")) if scope != "global" else {}
            end = None if resolved == "OPEN" else warsaw(resolved) - start
            rollbacks.append(Actual(criterion, labels, warsaw(opened) - start, end))
    assert rollbacks, proc.stdout
    assert compare(load_expected(SCENARIO), rollbacks, []) == []
    assert lines[-1] == "demo: stopped; temp files removed."
    announced = [x.removeprefix("demo: temp dir").strip() for x in lines if "temp dir" in x]
    assert announced
    assert not Path(announced[0]).exists()
