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
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx

from launchguard.harness.process import ComponentError, LoopbackProcess

BINARY = "victoria-metrics"
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


class VictoriaMetricsServer(LoopbackProcess):
    """A `victoria-metrics` process on 127.0.0.1 storing into `data_dir`; a context manager.

    `retention` is `-retentionPeriod` (suffixes h, d, w, y); it must cover the age of
    the history imported. `disable_cache=False` keeps VictoriaMetrics' response cache.
    `start()` returns once `/health` answers.
    """

    name = BINARY
    ready_path = "/health"

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
        super().__init__(port=port, ready_timeout=ready_timeout)
        self.data_dir = data_dir
        retention_seconds(retention)  # a bad value fails here, not at start
        self.retention = retention
        self.disable_cache = disable_cache
        self.extra_args = tuple(extra_args)

    def binary(self) -> str:
        return require_victoria_metrics()

    def argv(self, binary: str, workdir: Path) -> list[str]:
        cache = ["-search.disableCache"] if self.disable_cache else []
        return [
            binary,
            f"-httpListenAddr=127.0.0.1:{self.port}",
            f"-storageDataPath={self.data_dir}",
            f"-retentionPeriod={self.retention}",
            "-search.latencyOffset=0",
            *cache,
            *self.extra_args,
        ]

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
