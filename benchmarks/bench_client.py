"""The Prometheus client against a hostile Prometheus (`make bench`): memory and time.

1. Peak RSS of a `launchguard check` (a process of its own, shipped defaults) while a
   server on loopback answers every query with a 300 MB matrix (valid JSON, streamed).
   Goal: < 150 MB — the answer is abandoned at `prometheus.max_response_bytes` and the
   command exits 3 (response_too_large). The same command against a server answering a
   1 kB matrix gives the baseline.
2. What parsing an answer under the limit costs: the Python heap's peak (tracemalloc)
   while one 8 MB answer is read and parsed, per byte of answer. With the default limit
   this says what the largest accepted answer costs (no goal; the limit's comment and
   docs/config.md use it).

The server is `launchguard.harness.faultserver.FaultServer` (modes drip, hang, huge, echo,
html), reusable by other benchmarks and tests.
Not a test: nothing here asserts; each goal is printed as met or MISSED.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from report import Row, progress, table, verdict

from launchguard.config.prometheus_settings import (
    DEFAULT_MAX_RESPONSE_BYTES,
    PrometheusSettings,
)
from launchguard.harness.faultserver import FaultServer
from launchguard.prometheus import PrometheusClient

HUGE = 300 * 10**6  # bytes of the hostile answer
PARSED = 8 * 10**6  # bytes of the answer whose parse is measured
RSS_GOAL = 150.0  # MB
MB = 2**20


@dataclass(frozen=True)
class Run:
    peak_rss: float  # MB (10^6 bytes), as the goal is stated
    code: int
    wall: float  # seconds
    stderr: str


def check_under(answer_bytes: int) -> Run:
    """`launchguard check` in a process of its own against a server whose every answer is
    a matrix of `answer_bytes`; its peak RSS from the kernel's accounting (wait4)."""
    command = Path(sys.executable).with_name("launchguard")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHGUARD_")}
    with FaultServer("huge", size=answer_bytes) as server:
        began = time.monotonic()
        process = subprocess.Popen(
            [str(command), "check", "--prometheus", server.url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert process.stderr is not None
        stderr = process.stderr.read().decode(errors="replace")
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - began
    return Run(
        usage.ru_maxrss * 1024 / 1e6, os.waitstatus_to_exitcode(status), wall, stderr.strip()
    )


async def parse_peak(answer_bytes: int) -> tuple[float, float]:
    """(peak, kept) bytes of Python heap per byte of answer while one answer is read and
    parsed, and once it is parsed."""
    with FaultServer("huge", size=answer_bytes) as server:
        async with PrometheusClient(PrometheusSettings(url=server.url)) as client:
            tracemalloc.start()
            result = await client.query("up", 0)
            kept, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    assert result.series
    return peak / answer_bytes, kept / answer_bytes


def main() -> int:
    limit = DEFAULT_MAX_RESPONSE_BYTES
    progress(f"client: check against a {HUGE / 1e6:.0f} MB answer (limit {limit / MB:.0f} MiB)")
    huge = check_under(HUGE)
    progress(f"  exit {huge.code} in {huge.wall:.1f} s: {huge.stderr[:160]}")
    progress("client: check against a 1 kB answer (baseline)")
    small = check_under(1000)
    progress(f"client: parse cost of one {PARSED / 1e6:.0f} MB answer")
    peak, kept = asyncio.run(parse_peak(PARSED))
    rows = [
        Row(f"check, every answer {HUGE / 1e6:.0f} MB: peak RSS"),
        Row(
            "  peak RSS (exit 3, response_too_large)",
            f"{huge.peak_rss:.0f} MB",
            f"< {RSS_GOAL:.0f} MB",
            verdict(huge.peak_rss < RSS_GOAL and huge.code == 3),
        ),
        Row("  exit code, wall time", f"{huge.code}, {huge.wall:.1f} s"),
        Row("  baseline: peak RSS against a 1 kB answer", f"{small.peak_rss:.0f} MB"),
        Row(f"parsing one {PARSED / 1e6:.0f} MB answer (Python heap, tracemalloc)"),
        Row("  peak per answer byte", f"{peak:.1f}x"),
        Row("  kept as series per answer byte", f"{kept:.1f}x"),
        Row(
            f"  largest accepted answer ({limit / MB:.0f} MiB) at that peak",
            f"{peak * limit / 1e6:.0f} MB",
        ),
    ]
    print(table("launchguard client against a hostile Prometheus", rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
