"""Real VictoriaMetrics (single-node, `victoria-metrics`) on loopback, for tests and demos.

The scale-out backend behind the same Prometheus HTTP API. Unlike Prometheus, history
goes in after the server starts: `import_openmetrics()` converts one of our OpenMetrics
files (timestamps in seconds) into Prometheus text exposition with timestamps in
milliseconds, POSTs it to `/api/v1/import/prometheus`, then calls
`/internal/force_flush` so the samples are searchable when it returns.

The server runs with the flags that make it answer like Prometheus on imported history
(docs/backends.md explains each): `-search.disableCache` (no response cache to outlive an
import), `-search.latencyOffset=0` (else the last 30 s before "now" are withheld) and a
`-retentionPeriod` that covers the imported history (VictoriaMetrics drops samples older
than the retention at import, silently).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from launchguard.sim.servers import ComponentError, free_port

BINARY = "victoria-metrics"
_POLL_INTERVAL = 0.05  # seconds between readiness probes
_STOP_TIMEOUT = 10.0  # seconds to wait after SIGTERM before SIGKILL
_IMPORT_BATCH_BYTES = 4 << 20  # one POST per ~4 MiB of exposition text
_IMPORT_TIMEOUT = 120.0  # seconds for one import POST


def require_victoria_metrics() -> str:
    """The path of `victoria-metrics`; `ComponentError` saying how to install it if absent."""
    path = shutil.which(BINARY)
    if path is None:
        raise ComponentError(
            f"{BINARY} is not on PATH; install it with"
            " `apt-get install -y --no-install-recommends victoria-metrics`"
        )
    return path


_RETENTION_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


def retention_seconds(retention: str) -> float:
    """`-retentionPeriod` in seconds: `100y`, `30d`, `2w`, `12h`, or a number of months."""
    text = retention.strip()
    unit = _RETENTION_UNITS.get(text[-1:])
    try:
        return float(text[:-1]) * unit if unit else float(text) * 31 * 86400
    except ValueError:
        raise ComponentError(f"bad retention {retention!r}: use e.g. 100y, 30d, 12h") from None


def exposition_lines(openmetrics_file: Path, *, not_before: float | None = None) -> Iterator[str]:
    """Sample lines of an OpenMetrics file as Prometheus text with millisecond timestamps.

    Comments (`# HELP`, `# TYPE`, `# EOF`) and blank lines are dropped: the import API
    ignores metadata. Every sample must carry a timestamp (our writer always writes one);
    a line without one, or with a value or timestamp that is not a number, raises
    `ComponentError` naming the file and line, since VictoriaMetrics would stamp it "now".
    So does a sample older than `not_before` (unix seconds): VictoriaMetrics would drop it
    with nothing but a line in its log.
    """
    with openmetrics_file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            text = line.rstrip("\n")
            if not text or text.startswith("#"):
                continue
            yield _to_exposition(text, openmetrics_file, number, not_before)


def _to_exposition(text: str, path: Path, number: int, not_before: float | None) -> str:
    # Split from the right: label values may hold spaces, the value and timestamp cannot.
    fields = text.rsplit(" ", 2)
    if len(fields) != 3:
        raise ComponentError(f"{path}:{number}: expected `series value timestamp`: {text!r}")
    selector, value, seconds = fields
    try:
        float(value)
        millis = int(Decimal(seconds) * 1000)
    except (ValueError, InvalidOperation):
        raise ComponentError(f"{path}:{number}: bad value or timestamp: {text!r}") from None
    if not_before is not None and millis < not_before * 1000:
        raise ComponentError(
            f"{path}:{number}: sample older than the retention of VictoriaMetrics"
            f" (it would be dropped); raise -retentionPeriod: {text!r}"
        )
    return f"{selector} {value} {millis}\n"


class VictoriaMetricsServer:
    """A `victoria-metrics` process on 127.0.0.1 storing into `data_dir`; a context manager.

    `retention` is `-retentionPeriod` (suffixes h, d, w, y); it must cover the age of
    the history imported. `disable_cache=False` keeps VictoriaMetrics' response cache.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        retention: str = "100y",
        disable_cache: bool = True,
        extra_args: Sequence[str] = (),
        ready_timeout: float = 30.0,
    ) -> None:
        self.data_dir = data_dir
        self._fixed_port = port
        self.port = port or 0
        retention_seconds(retention)  # a bad value fails here, not at start
        self.retention = retention
        self.disable_cache = disable_cache
        self.extra_args = tuple(extra_args)
        self.ready_timeout = ready_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the Prometheus-compatible API, e.g. `http://127.0.0.1:40123`."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> VictoriaMetricsServer:
        """Starts VictoriaMetrics and returns once `/health` answers; `ComponentError` otherwise.

        With no fixed port, a port taken between `free_port()` and the bind is retried
        on a new port (up to 3 attempts).
        """
        if self._proc is not None:
            raise ComponentError("VictoriaMetrics already started")
        binary = require_victoria_metrics()
        self._workdir = tempfile.TemporaryDirectory(prefix="launchguard-victoria-")
        attempts = 1 if self._fixed_port else 3
        for attempt in range(1, attempts + 1):
            self.port = self._fixed_port or free_port()
            try:
                self._spawn(binary, Path(self._workdir.name))
                self._wait_ready()
                return self
            except ComponentError as exc:
                tail = self.log_tail()
                self._terminate()
                if attempt < attempts and "address already in use" in tail:
                    continue
                self.stop()
                raise ComponentError(
                    f"{exc}\n--- victoria-metrics log (tail) ---\n{tail}"
                ) from None
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """SIGTERM, wait up to 10 s, then SIGKILL; removes the log. Idempotent."""
        self._terminate()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def import_openmetrics(self, openmetrics_file: Path) -> int:
        """Imports one of our OpenMetrics files; returns the number of samples sent.

        Searchable on return: the import is followed by `/internal/force_flush`.
        Raises `ComponentError` on a malformed line, a sample older than the retention,
        or a refused POST.
        """
        not_before = time.time() - retention_seconds(self.retention)
        sent = 0
        batch: list[str] = []
        size = 0
        with httpx.Client(trust_env=False, timeout=_IMPORT_TIMEOUT) as client:
            for line in exposition_lines(openmetrics_file, not_before=not_before):
                batch.append(line)
                size += len(line)
                if size >= _IMPORT_BATCH_BYTES:
                    sent += self._post(client, batch)
                    batch, size = [], 0
            sent += self._post(client, batch)
            self._call(client, "GET", "/internal/force_flush")
        return sent

    def log_tail(self, lines: int = 40) -> str:
        """The last `lines` lines VictoriaMetrics logged ('' when not started)."""
        if self._workdir is None:
            return ""
        log = Path(self._workdir.name) / "victoria-metrics.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Any]:
        """`/api/v1/query_range` (unix seconds): the `result` list, as `PrometheusServer` has."""
        params = {"query": expr, "start": str(start), "end": str(end), "step": str(step)}
        with httpx.Client(trust_env=False, timeout=30.0) as client:
            response = client.post(f"{self.url}/api/v1/query_range", data=params)
        body = response.json()
        if body.get("status") != "success":
            raise ComponentError(f"query_range {expr!r}: {body.get('error', response.text)}")
        result: list[Any] = body["data"]["result"]
        return result

    def __enter__(self) -> VictoriaMetricsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _post(self, client: httpx.Client, batch: list[str]) -> int:
        if batch:
            self._call(client, "POST", "/api/v1/import/prometheus", "".join(batch).encode())
        return len(batch)

    def _call(self, client: httpx.Client, method: str, path: str, body: bytes = b"") -> None:
        try:
            response = client.request(method, f"{self.url}{path}", content=body or None)
        except httpx.TransportError as exc:
            raise ComponentError(f"VictoriaMetrics {path} failed: {exc!r}") from None
        if response.status_code >= 300:
            raise ComponentError(
                f"VictoriaMetrics {path} answered {response.status_code}: {response.text[:500]}"
            )

    def _spawn(self, binary: str, workdir: Path) -> None:
        if self._log is not None:
            self._log.close()
        self._log = (workdir / "victoria-metrics.log").open("wb")
        cache = ["-search.disableCache"] if self.disable_cache else []
        self._proc = subprocess.Popen(
            [
                binary,
                f"-httpListenAddr=127.0.0.1:{self.port}",
                f"-storageDataPath={self.data_dir}",
                f"-retentionPeriod={self.retention}",
                "-search.latencyOffset=0",
                *cache,
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
                    raise ComponentError(f"victoria-metrics exited with code {code} while starting")
                try:
                    if client.get(f"{self.url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    raise ComponentError(
                        f"victoria-metrics not ready at {self.url} after {self.ready_timeout} s"
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
