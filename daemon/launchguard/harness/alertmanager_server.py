"""Real Alertmanager and a webhook receiver on loopback, for tests and the demo.

`AlertmanagerServer` starts `prometheus-alertmanager` with a fresh data dir, clustering off
(`--cluster.listen-address=` empty) unless given cluster flags, and a config that, by
default, routes every alert to one webhook with short group timers. `WebhookReceiver` records the
notifications Alertmanager sends; `wait_for(predicate, timeout)` polls for a condition.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from launchguard.harness.process import LoopbackProcess
from launchguard.harness.servers import require_binary

_POLL_INTERVAL = 0.05  # seconds between probes


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


class AlertmanagerServer(LoopbackProcess):
    """A `prometheus-alertmanager` process on 127.0.0.1; a context manager.

    `start()` returns once `/-/ready` answers 200 (within `ready_timeout` seconds). After
    `stop()`, `start()` again serves on the same port with a fresh data dir."""

    name = "alertmanager"
    ready_path = "/-/ready"
    keep_port = True

    def __init__(
        self,
        config: str,
        *,
        port: int | None = None,
        ready_timeout: float = 20.0,
        cluster: Sequence[str] = (),
    ):
        """`cluster`: the `--cluster.*` flags of a cluster member (its listen address among
        them); empty: clustering off."""
        super().__init__(port=port, ready_timeout=ready_timeout)
        self.config = config
        self.cluster = tuple(cluster)

    def binary(self) -> str:
        return require_binary("prometheus-alertmanager")

    def prepare(self, workdir: Path) -> None:
        (workdir / "alertmanager.yml").write_text(self.config)
        (workdir / "data").mkdir()

    def argv(self, binary: str, workdir: Path) -> list[str]:
        return [
            binary,
            f"--config.file={workdir / 'alertmanager.yml'}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            *(self.cluster or ["--cluster.listen-address="]),
        ]

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


Notification = dict[str, Any]


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 recording the JSON bodies POSTed to it (a thread). While
    `failing`, it answers 503 and records nothing (a receiver that is down)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Notification] = []
        self.failing = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if receiver.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
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
