"""`launchguard run` as a real process against a live scenario, for the fault and HA tests.

`serve_live_scenario` backfills a library scenario up to now (so that now sits `at` into it),
serves its continuation from an exporter that a real Prometheus scrapes every second, and
returns that Prometheus. `DaemonProcess` starts `launchguard run` on a config text and reads
what it exposes: status, decisions, the page, /metrics' cycle count, its logs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from daemons import scrape_config
from launchguard import names
from launchguard.harness.process import stop_process
from launchguard.harness.servers import PrometheusServer, backfill, free_port
from launchguard.notify.formatting import parse_time
from launchguard.sim.exporter import ScenarioCollector, serve
from launchguard.sim.generator import grid_start, write_history
from launchguard.sim.openmetrics import write_openmetrics
from launchguard.sim.scenario import load_scenario

Stop = Callable[[], None]


def serve_live_scenario(
    workdir: Path, name: str, at: float, stops: list[Stop], scrape: str = "5s"
) -> PrometheusServer:
    """A started Prometheus with scenario `name`'s history up to now placed `at` seconds into
    it, scraping the scenario's live continuation every `scrape`. Appends what to stop."""
    scenario = load_scenario(name)
    end = time.time() // scenario.step * scenario.step
    start = grid_start(end, at, scenario.step)
    history = write_openmetrics(
        workdir / f"{name}.om", lambda w: write_history(scenario, start, end, w)
    )
    backfill(history, workdir / "tsdb")
    collector = ScenarioCollector(scenario, start)
    collector.advance(end)
    port = free_port()
    stops.append(serve(collector, "127.0.0.1", port))
    prometheus = PrometheusServer(
        workdir / "tsdb", config=scrape_config(f"127.0.0.1:{port}", interval=scrape)
    )
    stops.append(prometheus.stop)
    return prometheus.start()


def wait_until(check: Callable[[], Any], timeout: float, what: str, poll: float = 0.05) -> Any:
    """Poll `check` until it returns something true (returned); fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)


@dataclass(frozen=True)
class Decision:
    criterion: str
    scope: dict[str, str]
    resolved_at: str | None  # RFC 3339; None while open


class DaemonProcess:
    """`launchguard run --config <config>` on a free loopback port, logs in `workdir`."""

    def __init__(self, workdir: Path, config: str, env: dict[str, str] | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (workdir / "launch.yaml").write_text(config)
        self.stdout, self.stderr = workdir / "stdout.log", workdir / "stderr.log"
        command = [sys.executable, "-m", "launchguard.cli", "run"]
        command += ["--config", str(workdir / "launch.yaml"), "--listen", f"127.0.0.1:{self.port}"]
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.proc = subprocess.Popen(
                command,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        self._http = httpx.Client(base_url=self.url, trust_env=False, timeout=5.0)

    def stop(self) -> None:
        self._http.close()
        stop_process(self.proc, timeout=15)

    def get(self, path: str) -> httpx.Response:
        return self._http.get(path)

    def ready(self) -> bool:
        try:
            return self.get("/readyz").status_code == 200
        except httpx.TransportError:
            if self.proc.poll() is not None:
                raise AssertionError(f"launchguard run exited: {self.logs()[-2000:]}") from None
            return False

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.get("/api/v1/status").json()
        return result

    def cycled_within(self, seconds: float) -> bool:
        """The last cycle ran less than `seconds` ago (its evaluation time, unix seconds)."""
        at = self.status()["evaluation"]["at"]
        return at is not None and time.time() - parse_time(at) < seconds

    def decisions(self) -> dict[str, Decision]:
        """Every decision the daemon holds, by id."""
        listed = self.get("/api/v1/decisions?state=all").json()["decisions"]
        return {d["id"]: Decision(d["criterion"], d["scope"], d["resolved_at"]) for d in listed}

    def cycles(self) -> float:
        """Cycles ended so far, whatever their outcome (the daemon's own counter)."""
        text = self.get("/metrics").text
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(names.CYCLES + "{")
        )

    def next_cycle(self, timeout: float = 15.0) -> float:
        """Wait for a cycle to end; its count. Right after, the next cycle has not started."""
        now = self.cycles()
        return float(wait_until(lambda: self.cycles() > now and self.cycles(), timeout, "a cycle"))

    def logs(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")


class CycleWatch:
    """The cycles of `daemon` evaluated at a time after `since` (unix seconds), seen by
    polling its status: `statuses` holds the first status seen of each, in order. A cycle
    at such a time began after `since`: whatever was switched then, it saw."""

    def __init__(self, daemon: DaemonProcess, since: float) -> None:
        self.daemon = daemon
        self.since = since
        self.statuses: list[dict[str, Any]] = []
        self._seen: set[str] = set()

    def poll(self) -> None:
        status = self.daemon.status()
        at = status["evaluation"]["at"]
        if at is not None and at not in self._seen and parse_time(at) > self.since:
            self._seen.add(at)
            self.statuses.append(status)
