"""What every local fake server shares: a socketserver on 127.0.0.1 at a free port, served from a
daemon thread, stopped (and its port closed) when the test is done, usable as a context manager."""

from __future__ import annotations

import socketserver
import threading
from types import TracebackType
from typing import Self


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
