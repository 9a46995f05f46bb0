"""A hostile Prometheus on loopback, for tests and benchmarks: every request to it gets the
same fault. Modes a real Prometheus cannot be made to produce:

- `drip`: a 200 answer that sends one byte every `drip_interval` seconds, forever;
- `hang`: reads the request and never answers;
- `huge`: a valid matrix answer of `size` bytes, streamed (with a Content-Length only when
  `declare_length`), so a client without a limit parses all of it;
- `echo`: a 500 whose body echoes the request's headers (`Authorization` included), as a
  misconfigured proxy does;
- `html`: a 502 HTML page, as nginx in front of a dead Prometheus sends.

A context manager; `url` is its base URL and `requests` counts the requests it received.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

Mode = Literal["drip", "hang", "huge", "echo", "html"]

_CHUNK = 64 * 1024
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client giving up mid-answer is what this server is for


class FaultServer:
    """A `ThreadingHTTPServer` on 127.0.0.1 answering every request with `mode`."""

    def __init__(
        self,
        mode: Mode,
        *,
        size: int = 300 * 10**6,
        declare_length: bool = False,
        drip_interval: float = 1.0,
    ) -> None:
        self.mode, self.size, self.declare_length = mode, size, declare_length
        self.drip_interval = drip_interval
        self.requests = 0
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving; dripping and hanging answers end."""
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()

    def count(self) -> None:
        with self._lock:
            self.requests += 1


def huge_matrix(size: int) -> tuple[bytes, bytes, int]:
    """(head, one repeated series with its leading comma, repeats) of a matrix answer of
    about `size` bytes; the tail is `]}}`."""
    values = ",".join(f'[{1700000000 + 30 * i},"{i}.5"]' for i in range(2000))
    series = f',{{"metric":{{"pair":"p"}},"values":[{values}]}}'.encode()
    head = b'{"status":"success","data":{"resultType":"matrix","result":['
    head += series[1:]
    return head, series, max(0, (size - len(head)) // len(series))


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer()

        def _answer(self) -> None:
            server.count()
            try:
                getattr(self, f"_{server.mode}")()
            except (OSError, ValueError):
                return  # the client gave up, or the server is closing

        def _drip(self) -> None:
            self._head(200, "application/json", None)
            body = b'{"status":"success","data":{"resultType":"matrix","result":[]}}'
            while not server.closing.wait(server.drip_interval):
                self._send(body[:1])
                self.wfile.flush()
                body = body[1:] or b" "

        def _hang(self) -> None:
            server.closing.wait()

        def _huge(self) -> None:
            head, series, repeats = huge_matrix(server.size)
            tail = b"]}}"
            length = len(head) + repeats * len(series) + len(tail)
            self._head(200, "application/json", length if server.declare_length else None)
            self._send(head)
            for _ in range(repeats):
                if server.closing.is_set():
                    return
                self._send(series)
            self._send(tail)
            self._end()

        def _echo(self) -> None:
            lines = "".join(f"{name}: {value}\n" for name, value in self.headers.items())
            said = f"rejected Authorization: {self.headers.get('Authorization')}\n{lines}"
            self._full(500, "text/plain", said.encode())

        def _html(self) -> None:
            self._full(502, "text/html", HTML_502.encode())

        def _full(self, status: int, content_type: str, body: bytes) -> None:
            self._head(status, content_type, len(body))
            self.wfile.write(body)

        def _head(self, status: int, content_type: str, length: int | None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if length is None:
                self.send_header("Transfer-Encoding", "chunked")
                self._chunked = True
            else:
                self.send_header("Content-Length", str(length))
                self._chunked = False
            self.end_headers()

        def _send(self, data: bytes) -> None:
            if self._chunked:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            else:
                self.wfile.write(data)

        def _end(self) -> None:
            if self._chunked:
                self.wfile.write(b"0\r\n\r\n")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler
