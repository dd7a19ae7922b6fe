"""The suite's own guard (tests/conftest.py): nothing leaves this machine."""

from __future__ import annotations

import socket

import pytest
import requests

from tests.conftest import NetworkBlocked


@pytest.mark.parametrize(
    "reach",
    [
        lambda s: s.connect(("93.184.216.34", 80)),
        lambda s: s.connect_ex(("93.184.216.34", 80)),
    ],
    ids=["connect", "connect_ex"],
)
def test_tcp_to_another_host_is_blocked(reach: object) -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        reach(sock)  # type: ignore[operator]


def test_udp_to_another_host_is_blocked() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(NetworkBlocked):
        sock.sendto(b"x", ("8.8.8.8", 53))


def test_name_lookups_and_requests_are_blocked() -> None:
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.org", 443)
    with pytest.raises(NetworkBlocked):
        requests.get("https://example.org/", timeout=1)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_stays_reachable(host: str) -> None:
    family = socket.AF_INET6 if host == "::1" else socket.AF_INET
    with socket.socket(family) as server:
        server.bind((host if host != "localhost" else "127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection((host, port), timeout=2):
            pass
