"""A threaded HTTP server on a free loopback port, the ground both doubles of outside services
(Slack's Web API, Teams' Bot Connector) stand on: started with the double, stopped with it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class _Server(ThreadingHTTPServer):
    """socketserver's default listen queue of 5 overflows when a fan-out sends from dozens of
    threads, and the double would reset connections as the real services do not."""

    request_queue_size = 128


class LoopbackServer:
    """Subclasses name their request handler, which finds the double as `self.server.double`."""

    thread_name = "loopback"
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        server = _Server(("127.0.0.1", 0), self.request_handler())
        server.daemon_threads = True
        server.double = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        assert self._server is not None, "the double is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"
