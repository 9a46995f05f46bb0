"""Real Alertmanager and a webhook receiver on loopback, for tests and the demo.

`AlertmanagerServer` starts `prometheus-alertmanager` with clustering off
(`--cluster.listen-address=` empty), a fresh data dir and a config that, by default, routes
every alert to one webhook with short group timers. `WebhookReceiver` records the
notifications Alertmanager sends; `wait_for(predicate, timeout)` polls for a condition.
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

from launchguard.sim.servers import ComponentError, free_port, require_binary

_POLL_INTERVAL = 0.05  # seconds between probes
_STOP_TIMEOUT = 10.0  # seconds after SIGTERM before SIGKILL


def webhook_config(
    url: str,
    *,
    group_wait: str = "200ms",
    group_interval: str = "500ms",
    repeat_interval: str = "1h",
    group_by: tuple[str, ...] = ("...",),
) -> str:
    """An Alertmanager config sending every alert to the webhook `url` (resolved ones too).

    `group_by: ['...']` makes every alert its own group, so notifications are per alert."""
    by = ", ".join(f"'{label}'" for label in group_by)
    return (
        "route:\n"
        "  receiver: webhook\n"
        f"  group_by: [{by}]\n"
        f"  group_wait: {group_wait}\n"
        f"  group_interval: {group_interval}\n"
        f"  repeat_interval: {repeat_interval}\n"
        "receivers:\n"
        "  - name: webhook\n"
        "    webhook_configs:\n"
        f"      - url: '{url}'\n"
        "        send_resolved: true\n"
    )


class AlertmanagerServer:
    """A `prometheus-alertmanager` process on 127.0.0.1; a context manager.

    `start()` returns once `/-/ready` answers 200 (within `ready_timeout` seconds). After
    `stop()`, `start()` again serves on the same port with a fresh data dir."""

    def __init__(self, config: str, *, port: int | None = None, ready_timeout: float = 20.0):
        self.config = config
        self.port = port or 0
        self._fixed_port = port
        self.ready_timeout = ready_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AlertmanagerServer:
        if self._proc is not None:
            raise ComponentError("Alertmanager already started")
        binary = require_binary("prometheus-alertmanager")
        attempts = 1 if self._fixed_port or self.port else 3
        for attempt in range(1, attempts + 1):
            if not (self._fixed_port or self.port):
                self.port = free_port()
            try:
                self._spawn(binary)
                self._wait_ready()
                self._fixed_port = self.port  # a restart keeps the port
                return self
            except ComponentError as exc:
                tail = self.log_tail()
                self.stop()
                if attempt < attempts and "address already in use" in tail:
                    self.port = 0
                    continue
                raise ComponentError(f"{exc}\n--- alertmanager log (tail) ---\n{tail}") from None
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """SIGTERM, wait up to 10 s, then SIGKILL; removes the data dir. Idempotent."""
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
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def alerts(self, **filters: str) -> list[dict[str, Any]]:
        """`GET /api/v2/alerts` (active, silenced and inhibited ones), optionally filtered by
        label equality, e.g. `alerts(decision_id="ab12")`."""
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("filter", f'{k}="{v}"') for k, v in filters.items()
        ]
        params += [("active", "true"), ("silenced", "true"), ("inhibited", "true")]
        with httpx.Client(trust_env=False, timeout=5.0) as client:
            response = client.get(f"{self.url}/api/v2/alerts", params=params)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    def log_tail(self, lines: int = 40) -> str:
        if self._workdir is None:
            return ""
        log = Path(self._workdir.name) / "alertmanager.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> AlertmanagerServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, binary: str) -> None:
        self._workdir = tempfile.TemporaryDirectory(prefix="launchguard-alertmanager-")
        workdir = Path(self._workdir.name)
        (workdir / "alertmanager.yml").write_text(self.config)
        (workdir / "data").mkdir()
        self._log = (workdir / "alertmanager.log").open("wb")
        self._proc = subprocess.Popen(
            [
                binary,
                f"--config.file={workdir / 'alertmanager.yml'}",
                f"--storage.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
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
                    raise ComponentError(f"alertmanager exited with code {code} while starting")
                try:
                    if client.get(f"{self.url}/-/ready").status_code == 200:
                        return
                except httpx.TransportError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    raise ComponentError(
                        f"alertmanager not ready at {self.url} after {self.ready_timeout} s"
                    )
                time.sleep(_POLL_INTERVAL)


Notification = dict[str, Any]


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 recording the JSON bodies POSTed to it (a thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Notification] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    doc = json.loads(body)
                except ValueError:
                    doc = {"invalid_json": body.decode(errors="replace")}
                with receiver._lock:
                    receiver._received.append(doc)
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def start(self) -> WebhookReceiver:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    @property
    def notifications(self) -> list[Notification]:
        with self._lock:
            return list(self._received)

    def alerts(self) -> list[dict[str, Any]]:
        """Every alert of every notification, in arrival order (with its `status`)."""
        return [a for n in self.notifications for a in n.get("alerts", [])]

    def wait_for(
        self, predicate: Callable[[list[Notification]], bool], timeout: float = 10.0
    ) -> list[Notification]:
        """Poll until `predicate(notifications)` holds; `TimeoutError` with what arrived."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.notifications
            if predicate(seen):
                return seen
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"webhook condition not met after {timeout} s; received: "
                    + json.dumps(seen)[:2000]
                )
            time.sleep(_POLL_INTERVAL)

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
