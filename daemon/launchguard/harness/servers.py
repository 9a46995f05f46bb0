"""Real Prometheus and promtool on loopback, for tests and the demo.

History goes in before Prometheus starts: write OpenMetrics, `backfill()` it into
a fresh data dir, then start a `PrometheusServer` on that dir. Once `start()`
returns, `/-/ready` has answered 200, which Prometheus only does after the TSDB
(and so every backfilled block) is open: the history is queryable.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from launchguard.harness.process import ComponentError as ComponentError
from launchguard.harness.process import LoopbackProcess
from launchguard.harness.process import free_port as free_port
from launchguard.interfaces import PrometheusSource
from launchguard.prometheus import QueryResult

MINIMAL_CONFIG = "global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n"
"""A Prometheus config that scrapes nothing: the data comes from backfilled blocks."""


def require_binary(name: str) -> str:
    """The path of `name` on PATH; `ComponentError` saying how to install it if absent."""
    path = shutil.which(name)
    if path is None:
        raise ComponentError(
            f"{name} is not on PATH; install it with"
            " `apt-get install -y --no-install-recommends prometheus`"
        )
    return path


def backfill(openmetrics_file: Path, data_dir: Path, *, max_block_duration: str = "24h") -> None:
    """Loads an OpenMetrics file into TSDB blocks under `data_dir` with promtool.

    Runs `promtool tsdb create-blocks-from openmetrics --max-block-duration=24h`
    (24 h blocks: a 7-day history backfills about 6 times faster than with 2 h blocks).
    Raises `ComponentError` with promtool's output when it fails. promtool exits 0
    on out-of-order samples, dropping them: `OpenMetricsWriter` refuses those.
    """
    promtool = require_binary("promtool")
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--quiet",
            f"--max-block-duration={max_block_duration}",
            str(openmetrics_file),
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        output = (proc.stderr + proc.stdout).strip()
        raise ComponentError(
            f"promtool backfill of {openmetrics_file} failed (exit {proc.returncode}): {output}"
        )


class PrometheusServer(LoopbackProcess):
    """A Prometheus process on 127.0.0.1 serving `data_dir`; a context manager.

    `retention` must cover the history's age (Prometheus deletes older blocks at
    start; its own default is 15 days). `config` is the YAML text of the config
    file. `ready_timeout` bounds `start()` in seconds. `start()` returns once
    `/-/ready` answers, which Prometheus does only after its TSDB is open.
    """

    name = "prometheus"
    ready_path = "/-/ready"

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        retention: str = "60d",
        config: str = MINIMAL_CONFIG,
        extra_args: Sequence[str] = (),
        ready_timeout: float = 30.0,
    ) -> None:
        super().__init__(port=port, ready_timeout=ready_timeout)
        self.data_dir = data_dir
        self.retention = retention
        self.config = config
        self.extra_args = tuple(extra_args)

    def binary(self) -> str:
        return require_binary("prometheus")

    def prepare(self, workdir: Path) -> None:
        (workdir / "prometheus.yml").write_text(self.config)

    def argv(self, binary: str, workdir: Path) -> list[str]:
        return [
            binary,
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            f"--storage.tsdb.path={self.data_dir}",
            f"--storage.tsdb.retention.time={self.retention}",
            *self.extra_args,
        ]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Any]:
        """`/api/v1/query_range` (times in unix seconds): the `result` list of the matrix.

        A convenience for tests and the demo; the daemon uses its own async client.
        Raises `ComponentError` with Prometheus' error text on a non-success answer.
        """
        params = {"query": expr, "start": str(start), "end": str(end), "step": str(step)}
        with httpx.Client(trust_env=False, timeout=30.0) as client:
            response = client.get(f"{self.url}/api/v1/query_range", params=params)
        body = response.json()
        if body.get("status") != "success":
            raise ComponentError(f"query_range {expr!r}: {body.get('error', response.text)}")
        result: list[Any] = body["data"]["result"]
        return result

    def range_queries_answered(self) -> float:
        """`/api/v1/query_range` requests this Prometheus has answered, by its own counter
        (`prometheus_http_requests_total`): what a client cannot miscount."""
        text = httpx.get(f"{self.url}/metrics", timeout=10.0).text
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("prometheus_http_requests_total{")
            and 'handler="/api/v1/query_range"' in line
        )


class CountingSource:
    """A `PrometheusSource` counting the `query_range` calls made through it, per query."""

    def __init__(self, inner: PrometheusSource) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    async def query_range(self, expr: str, start: float, end: float, step: float) -> QueryResult:
        self.calls[expr] += 1
        return await self.inner.query_range(expr, start, end, step)
