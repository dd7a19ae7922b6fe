"""A fake upstream: a real HTTP server on loopback with scripted replies, for the fetch tests.

Each path gets a script of ``Reply`` objects (or callables building one from the request);
requests consume the script in order and the last entry repeats, so ``429`` then ``200`` is
``route("/x", Reply(429, ...), Reply(200, ...))``. Every request is recorded (path, query,
headers) before it is answered. Replies can stall before the headers, drip the body, declare a
longer body than they send, or never answer at all; ``close()`` releases every stalled handler
and joins every handler thread, so no test leaves a thread or a socket behind.

Use it through the fixtures: ``upstream`` (a started server) and ``fast_fetch`` (settings that
allow 127.0.0.1 and shrink the fetch limits so failure paths take about a second). Test modules
bind them with a plain assignment (``upstream = fake_upstream.upstream``) so no conftest or
``pytest_plugins`` is needed.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

FAST_FETCH = {
    "ARENA_FETCH_CONNECT_TIMEOUT": 1.0,
    "ARENA_FETCH_READ_TIMEOUT": 1.0,
    "ARENA_FETCH_DEADLINE": 2.0,
    "ARENA_FETCH_ATTEMPTS": 3,
    "ARENA_FETCH_BACKOFF": 0.05,
    "ARENA_FETCH_MAX_BYTES": 512 * 1024,
}
"""Fetch limits for tests: every failure path ends within a few seconds."""

HANDLER_GRACE_SECONDS = 30.0
"""The longest a stalled handler waits on its own if ``close()`` is never called."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted response."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    """Seconds to wait before sending the status line."""
    drip: float = 0.0
    """Seconds between body chunks of ``drip_size`` bytes (0 sends the body at once)."""
    drip_size: int = 1
    drip_headers: bool = False
    """Drip the status line and headers too, not only the body."""
    content_length: int | None = None
    """Content-Length to declare; larger than the body means the body is cut short."""
    send_length: bool = True
    """False sends no Content-Length: the body ends when the connection closes."""
    hang: bool = False
    """Read the request, then never answer (until the server closes)."""


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float
    """time.monotonic() when the request line and headers had arrived."""

    def param(self, name: str) -> str:
        return self.query.get(name, [""])[0]


Script = Reply | Callable[[Seen], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # handler threads are joined by server_close()
    block_on_close = True

    def __init__(self, upstream: FakeUpstream) -> None:
        self.upstream = upstream
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks for the FQDN (a reverse DNS lookup); loopback needs none.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, size cap, deadline) is what these tests provoke.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = (
        "HTTP/1.0"  # one request per connection; a missing length means "until close"
    )

    def do_GET(self) -> None:
        upstream = self.server.upstream
        parts = urlsplit(self.path)
        seen = Seen(
            path=parts.path,
            query=parse_qs(parts.query),
            headers={name.lower(): value for name, value in self.headers.items()},
            at=time.monotonic(),
        )
        reply = upstream._record(seen)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(reply)  # the client may hang up first, on purpose

    def _answer(self, reply: Reply) -> None:
        stop = self.server.upstream._stop
        if reply.hang:
            stop.wait(HANDLER_GRACE_SECONDS)
            self.close_connection = True
            return
        if reply.delay and stop.wait(reply.delay):
            return
        head = [f"HTTP/1.0 {reply.status} {HTTPStatus(reply.status).phrase}"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        if reply.send_length:
            length = len(reply.body) if reply.content_length is None else reply.content_length
            head.append(f"Content-Length: {length}")
        head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if not reply.drip:
            self.wfile.write(head_bytes + reply.body)
            return
        if not reply.drip_headers:
            self.wfile.write(head_bytes)
            head_bytes = b""
        dripped = head_bytes + reply.body
        for start in range(0, len(dripped), reply.drip_size):
            if stop.wait(reply.drip):
                return
            self.wfile.write(dripped[start : start + reply.drip_size])
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the recorded requests are the log


class FakeUpstream:
    """A started HTTP server on 127.0.0.1 with a random port. Close it (or use ``with``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._routes: dict[str, list[Script]] = {}
        self._served: dict[str, int] = {}
        self.requests: list[Seen] = []
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-upstream-{self.port}",
        )
        self._thread.start()

    def route(self, path: str, *script: Script) -> str:
        """Answer GET ``path`` (any query) with ``script`` in order, repeating the last entry.
        Returns the absolute URL of ``path``."""
        if not script:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self._routes[path] = list(script)
            self._served[path] = 0
        return self.url(path)

    def url(self, path: str) -> str:
        return self.base_url + path

    def seen(self, path: str) -> list[Seen]:
        """The requests received for ``path``, oldest first."""
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def _record(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            script = self._routes.get(seen.path)
            if script is None:
                return Reply(404, {"Content-Type": "text/plain"}, b"no such route\n")
            step = script[min(self._served[seen.path], len(script) - 1)]
            self._served[seen.path] += 1
        return step(seen) if callable(step) else step

    def close(self) -> None:
        """Release stalled handlers, stop serving and join every thread. Idempotent."""
        self._stop.set()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> FakeUpstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    """A fake upstream server for one test."""
    with FakeUpstream() as server:
        yield server


@pytest.fixture
def fast_fetch(settings: Any) -> Any:
    """Allow 127.0.0.1 as an upstream and shrink the fetch limits (see FAST_FETCH)."""
    settings.ARENA_ALLOWED_UPSTREAM_HOSTS = [*settings.ARENA_ALLOWED_UPSTREAM_HOSTS, "127.0.0.1:*"]
    for name, value in FAST_FETCH.items():
        setattr(settings, name, value)
    return settings
