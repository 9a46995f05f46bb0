"""Real Prometheus and promtool on loopback, for tests and the demo.

History goes in before Prometheus starts: write OpenMetrics, `backfill()` it into
a fresh data dir, then start a `PrometheusServer` on that dir. Once `start()`
returns, `/-/ready` has answered 200, which Prometheus only does after the TSDB
(and so every backfilled block) is open: the history is queryable.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

MINIMAL_CONFIG = "global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n"
"""A Prometheus config that scrapes nothing: the data comes from backfilled blocks."""

_POLL_INTERVAL = 0.05  # seconds between readiness probes
_STOP_TIMEOUT = 10.0  # seconds to wait after SIGTERM before SIGKILL


class ComponentError(RuntimeError):
    """A real component is missing, failed to start, or promtool rejected its input."""


def require_binary(name: str) -> str:
    """The path of `name` on PATH; `ComponentError` saying how to install it if absent."""
    path = shutil.which(name)
    if path is None:
        raise ComponentError(
            f"{name} is not on PATH; install it with"
            " `apt-get install -y --no-install-recommends prometheus`"
        )
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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


class PrometheusServer:
    """A Prometheus process on 127.0.0.1 serving `data_dir`; a context manager.

    `retention` must cover the history's age (Prometheus deletes older blocks at
    start; its own default is 15 days). `config` is the YAML text of the config
    file. `ready_timeout` bounds `start()` in seconds.
    """

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
        self.data_dir = data_dir
        self._fixed_port = port
        self.port = port or 0
        self.retention = retention
        self.config = config
        self.extra_args = tuple(extra_args)
        self.ready_timeout = ready_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PrometheusServer:
        """Starts Prometheus and returns once it is ready; `ComponentError` otherwise.

        With no fixed port, a port taken between `free_port()` and the bind is
        retried on a new port (up to 3 attempts).
        """
        if self._proc is not None:
            raise ComponentError("Prometheus already started")
        binary = require_binary("prometheus")
        self._workdir = tempfile.TemporaryDirectory(prefix="launchguard-prometheus-")
        workdir = Path(self._workdir.name)
        (workdir / "prometheus.yml").write_text(self.config)
        attempts = 1 if self._fixed_port else 3
        for attempt in range(1, attempts + 1):
            self.port = self._fixed_port or free_port()
            try:
                self._spawn(binary, workdir)
                self._wait_ready()
                return self
            except ComponentError as exc:
                tail = self.log_tail()
                self._terminate()
                if attempt < attempts and "address already in use" in tail:
                    continue
                self.stop()
                raise ComponentError(f"{exc}\n--- prometheus log (tail) ---\n{tail}") from None
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """SIGTERM, wait up to 10 s, then SIGKILL; removes the config and log. Idempotent."""
        self._terminate()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def log_tail(self, lines: int = 40) -> str:
        """The last `lines` lines Prometheus wrote to stderr ('' when not started)."""
        if self._workdir is None:
            return ""
        log = Path(self._workdir.name) / "prometheus.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

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

    def __enter__(self) -> PrometheusServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, binary: str, workdir: Path) -> None:
        if self._log is not None:
            self._log.close()
        self._log = (workdir / "prometheus.log").open("wb")
        self._proc = subprocess.Popen(
            [
                binary,
                f"--config.file={workdir / 'prometheus.yml'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                f"--storage.tsdb.path={self.data_dir}",
                f"--storage.tsdb.retention.time={self.retention}",
                *self.extra_args,
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.ready_timeout
        with httpx.Client(trust_env=False, timeout=1.0) as client:
            while True:
                code = self._proc.poll()
                if code is not None:
                    raise ComponentError(f"prometheus exited with code {code} while starting")
                try:
                    if client.get(f"{self.url}/-/ready").status_code == 200:
                        return
                except httpx.TransportError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    raise ComponentError(
                        f"prometheus not ready at {self.url} after {self.ready_timeout} s"
                    )
                time.sleep(_POLL_INTERVAL)

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
