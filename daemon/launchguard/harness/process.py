"""A real server process on 127.0.0.1 for tests, benchmarks and the demo: the one way
Prometheus, Alertmanager and VictoriaMetrics are started, probed and stopped.

A subclass names the process (`name`, also its log file `NAME.log`), the readiness path
it answers 200 on, the command line, and what goes into its fresh work dir before each
start. `start()` returns once the readiness path answers; a port taken between
`free_port()` and the bind is retried on a new port; failures raise `ComponentError`
with the tail of the process' log.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Self

import httpx

_POLL_INTERVAL = 0.05  # seconds between readiness probes
_STOP_TIMEOUT = 10.0  # seconds to wait after SIGTERM before SIGKILL
_ATTEMPTS = 3  # binds tried on fresh ports when no port is fixed


class ComponentError(RuntimeError):
    """A real component is missing, failed to start, or promtool rejected its input."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_process(
    proc: subprocess.Popen[Any], sig: int = signal.SIGTERM, timeout: float = _STOP_TIMEOUT
) -> None:
    """Send `sig` to a running `proc`, wait up to `timeout` seconds, then SIGKILL it."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class LoopbackProcess:
    """A server process on 127.0.0.1 with a temporary work dir (its config and log); a
    context manager. `stop()` removes the work dir; `start()` again makes a fresh one."""

    name: ClassVar[str]
    """The process' name in messages and its log file's name (`NAME.log`)."""
    ready_path: ClassVar[str]
    """The path that answers 200 once the server is ready."""
    keep_port: ClassVar[bool] = False
    """Whether a restart binds the port of the first start."""

    def __init__(self, *, port: int | None, ready_timeout: float) -> None:
        self._fixed_port = port
        self.port = port or 0
        self.ready_timeout = ready_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def binary(self) -> str:
        """The executable's path; `ComponentError` saying how to install it if absent."""
        raise NotImplementedError

    def prepare(self, workdir: Path) -> None:
        """Writes what the process reads (its config) into the fresh `workdir`."""

    def argv(self, binary: str, workdir: Path) -> list[str]:
        """The command line, listening on `127.0.0.1:self.port`."""
        raise NotImplementedError

    def start(self) -> Self:
        """Starts the process and returns once it is ready; `ComponentError` otherwise."""
        if self._proc is not None:
            raise ComponentError(f"{self.name} already started")
        binary = self.binary()
        attempts = 1 if self._fixed_port else _ATTEMPTS
        for attempt in range(1, attempts + 1):
            self.port = self._fixed_port or free_port()
            self._workdir = tempfile.TemporaryDirectory(prefix=f"launchguard-{self.name}-")
            workdir = Path(self._workdir.name)
            try:
                self.prepare(workdir)
                self._spawn(binary, workdir)
                self._wait_ready()
            except ComponentError as exc:
                tail = self.log_tail()
                self.stop()
                if attempt < attempts and "address already in use" in tail:
                    continue
                raise ComponentError(f"{exc}\n--- {self.name} log (tail) ---\n{tail}") from None
            if self.keep_port:
                self._fixed_port = self.port
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """SIGTERM, wait up to 10 s, then SIGKILL; removes the work dir. Idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def log_tail(self, lines: int = 40) -> str:
        """The last `lines` lines the process wrote ('' when not started)."""
        if self._workdir is None:
            return ""
        log = Path(self._workdir.name) / f"{self.name}.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, binary: str, workdir: Path) -> None:
        self._log = (workdir / f"{self.name}.log").open("wb")
        self._proc = subprocess.Popen(
            self.argv(binary, workdir),
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
                    raise ComponentError(f"{self.name} exited with code {code} while starting")
                try:
                    if client.get(f"{self.url}{self.ready_path}").status_code == 200:
                        return
                except httpx.TransportError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    raise ComponentError(
                        f"{self.name} not ready at {self.url} after {self.ready_timeout} s"
                    )
                time.sleep(_POLL_INTERVAL)
