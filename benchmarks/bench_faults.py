"""The daemon under a hostile Prometheus (`make bench`): memory and cycles to the alert.

1. Peak RSS of `launchguard run` (a process of its own, shipped defaults but for the
   journal and the 25 h guardrail read) while every answer of the server it queries is a
   300 MB matrix (`launchguard.harness.faultserver`, streamed), over its start-up rebuild and
   `LG_BENCH_FAULT_CYCLES` cycles (default 3). Goal: < 150 MB — each answer is abandoned
   at `prometheus.max_response_bytes`. The same daemon against a 1 kB answer is the
   baseline.
2. Cycles from each fault mode of the fault envelope (tests/faultenvelope.py: the proxy of
   tests/faultproxy.py in front of a real Prometheus, a real Alertmanager, 2 s cycles) to
   `LaunchEvaluationDegraded` in Alertmanager, counting the cycles begun after the fault
   began. Goal: ≤ 2 for every mode.

Not a test: nothing here asserts; each goal is printed as met or MISSED.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from report import Row, progress, table, verdict

from launchguard.harness.faultserver import FaultServer
from launchguard.harness.servers import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from faultenvelope import MODES, fault_stack, healthy, run_fault

HUGE = 300 * 10**6  # bytes of the hostile answer
RSS_GOAL = 150.0  # MB
CYCLES = int(os.environ.get("LG_BENCH_FAULT_CYCLES", "3"))
INTERVAL = 5.0  # seconds between the RSS run's cycles
CONFIG = (
    f"evaluation: {{interval: {INTERVAL:g}s}}\n"
    "journal: {enabled: false}\nplan: {volume_guardrail: {enabled: false}}\n"
)


@dataclass(frozen=True)
class Run:
    peak_rss: float  # MB (10^6 bytes), as the goal is stated
    cycles: int  # cycles ended (all failed against the huge answer)
    outcome: str  # the last cycle's outcome and error


def daemon_under(answer_bytes: int, workdir: Path) -> Run:
    """`launchguard run` against a server whose every answer is a matrix of `answer_bytes`,
    stopped with SIGTERM after CYCLES cycles; its peak RSS from the kernel (wait4)."""
    (workdir / "launch.yaml").write_text(CONFIG)
    port = free_port()
    command = [str(Path(sys.executable).with_name("launchguard")), "run"]
    command += ["--config", str(workdir / "launch.yaml"), "--listen", f"127.0.0.1:{port}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHGUARD_")}
    status: dict[str, object] = {}
    with FaultServer("huge", size=answer_bytes) as server:
        process = subprocess.Popen(
            [*command, "--prometheus", server.url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + (CYCLES + 2) * INTERVAL + 60
        cycles = 0
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
            while cycles < CYCLES and time.monotonic() < deadline:
                time.sleep(0.5)
                try:
                    metrics = http.get("/metrics", timeout=10).text
                    status = http.get("/api/v1/status", timeout=10).json()
                except httpx.HTTPError:
                    continue
                cycles = int(
                    sum(
                        float(line.rsplit(" ", 1)[1])
                        for line in metrics.splitlines()
                        if line.startswith("launchguard_cycles_total{")
                    )
                )
        process.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(process.pid, 0)
    evaluation = status.get("evaluation") or {}
    assert isinstance(evaluation, dict)
    outcome = f"{evaluation.get('outcome')}: {str(evaluation.get('error')).split(':')[0]}"
    return Run(usage.ru_maxrss * 1024 / 1e6, cycles, outcome)


def cycles_to_degraded(workdir: Path) -> list[tuple[str, int | None, str]]:
    """(what, cycles to the degraded alert or None, problem) for every fault mode."""
    out: list[tuple[str, int | None, str]] = []
    with fault_stack(workdir) as stack:
        for mode, parameters, what in MODES:
            progress(f"faults: {what}")
            try:
                daemon, _ = healthy(stack)
                run = run_fault(stack, daemon, mode, parameters)
            except AssertionError as exc:
                out.append((what, None, str(exc)[:80]))
                continue
            out.append((what, run.to_degraded, ""))
    return out


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="launchguard-bench-faults-") as tmp:
        root = Path(tmp)
        progress(f"faults: launchguard run against a {HUGE / 1e6:.0f} MB answer, {CYCLES} cycles")
        (root / "huge").mkdir()
        huge = daemon_under(HUGE, root / "huge")
        progress(f"  peak RSS {huge.peak_rss:.0f} MB, {huge.cycles} cycles, last {huge.outcome}")
        progress("faults: launchguard run against a 1 kB answer (baseline)")
        (root / "small").mkdir()
        small = daemon_under(1000, root / "small")
        progress(f"  peak RSS {small.peak_rss:.0f} MB")
        measured = cycles_to_degraded(root / "envelope")
    rows = [
        Row(f"launchguard run, every answer {HUGE / 1e6:.0f} MB: peak RSS"),
        Row(
            f"  peak RSS over the rebuild and {huge.cycles} cycles",
            f"{huge.peak_rss:.0f} MB",
            f"< {RSS_GOAL:.0f} MB",
            verdict(huge.peak_rss < RSS_GOAL and huge.cycles >= CYCLES),
        ),
        Row("  last cycle", huge.outcome),
        Row("  baseline: peak RSS against a 1 kB answer", f"{small.peak_rss:.0f} MB"),
        Row("cycles from the fault to LaunchEvaluationDegraded in Alertmanager"),
    ]
    for what, cycles, problem in measured:
        value = str(cycles) if cycles is not None else f"none ({problem})"
        rows.append(Row(f"  {what}", value, "<= 2", verdict(cycles is not None and cycles <= 2)))
    print(table("launchguard run against a hostile Prometheus", rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
