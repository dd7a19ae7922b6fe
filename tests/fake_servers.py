"""Broken servers on loopback for fault tests of Redis, the broker and the database.

``closed_port()`` is a port that refuses (bound, then released). ``SilentServer`` accepts every
connection, reads whatever is sent and never answers: the "hanging" Redis or PostgreSQL.
Closing it closes every accepted socket and joins its thread.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading

from tests.fake_upstream import unused_port


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    return unused_port()


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts and never answers. Use with ``with``."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._serve, name=f"silent-{self.port}")
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.05):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if sock is self._listener:
                    with contextlib.suppress(BlockingIOError):
                        client, _address = self._listener.accept()
                        client.setblocking(False)
                        self._selector.register(client, selectors.EVENT_READ)
                        self.accepted += 1
                    continue
                try:
                    data = sock.recv(65536)  # swallowed: a silent server never replies
                except (BlockingIOError, ConnectionError):
                    data = b"x"
                if not data:
                    self._selector.unregister(sock)
                    sock.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for key in list(self._selector.get_map().values()):
            with contextlib.suppress(OSError):
                key.fileobj.close()  # type: ignore[union-attr]
        self._selector.close()

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
