"""What every local fake server shares: a socketserver on 127.0.0.1 at a free port, served from a
daemon thread, stopped (and its port closed) when the test is done, usable as a context manager; and
an HTTP request handler that logs nothing and answers JSON."""

from __future__ import annotations

import contextlib
import json
import socketserver
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any, Self


class LocalServer:
    _server: socketserver.TCPServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def serve(self, server: socketserver.TCPServer) -> int:
        """Serve until stop(); the port it listens on. Handlers run in daemon threads, so one still
        sleeping in a scripted delay never holds up the test's end."""
        server.daemon_threads = True  # type: ignore[attr-defined]  # the ThreadingMixIn servers
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        self._server, self._thread = server, thread
        return int(server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


class QuietHandler(BaseHTTPRequestHandler):
    """An HTTP/1.1 request handler that logs nothing and answers JSON."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing: a fake server's requests are the test's to check, not the log's."""

    def send_json(self, code: int, doc: Any, headers: Iterable[tuple[str, str]] = (), raw: bytes | None = None) -> None:
        """Answer `doc` as JSON (or `raw`, JSON already) with `headers`. A client that gave up (a
        timeout test) is not an error."""
        payload = raw if raw is not None else json.dumps(doc, default=str).encode()
        with contextlib.suppress(OSError):
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
