"""Suite-wide fixtures. The network guard makes any connection off this machine fail loudly."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_local(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like never leave the machine
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _no_held_pages() -> None:
    """No page-cache entry one test read beside a shared cache is another's (every test,
    browser and smoke ones included: their servers may run in this process)."""
    from leaderboard import page_cache

    page_cache.forget_held()


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to loopback only (PostgreSQL, Redis, fake upstream servers)."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_local(host):
            raise NetworkBlocked(f"test tried to resolve {host!r}: mock it or serve it on loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    def guard(address: Any) -> None:
        if isinstance(address, tuple) and not _is_local(address[0]):
            raise NetworkBlocked(f"test tried to reach {address!r}")

    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_sendmsg = socket.socket.sendmsg

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        guard(address)
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        guard(address)
        return real_connect_ex(self, address)

    def guarded_sendto(self: socket.socket, data: Any, *args: Any) -> Any:
        guard(args[-1])  # sendto(data, address) or sendto(data, flags, address)
        return real_sendto(self, data, *args)

    def guarded_sendmsg(self: socket.socket, buffers: Any, *args: Any) -> Any:
        if len(args) >= 3:
            guard(args[2])  # sendmsg(buffers, ancdata, flags, address)
        return real_sendmsg(self, buffers, *args)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", guarded_sendto)
    monkeypatch.setattr(socket.socket, "sendmsg", guarded_sendmsg)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Under ``make mutate`` every mutant's test run gets a test database and a content token
    file of its own.

    mutmut forks those runs, several at once, from a process that has already read the
    settings, so the per-process name that tests/settings.py gives would be shared by all.
    """
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return
    from django.conf import settings

    for database in settings.DATABASES.values():
        database["TEST"]["NAME"] = f"{database['TEST']['NAME']}_{os.getpid()}"
    # The content token file too: one fork's bump would stale another's cached pages.
    token_file = Path(settings.ARENA_CONTENT_TOKEN_FILE)
    settings.ARENA_CONTENT_TOKEN_FILE = token_file.with_name(f"{token_file.name}_{os.getpid()}")


if os.environ.get("MUTANT_UNDER_TEST"):

    @pytest.fixture(scope="session")
    def django_db_setup(
        django_test_environment: None,
        django_db_blocker: Any,
        django_db_modify_db_settings: None,
    ) -> Iterator[None]:
        """Under ``make mutate``: migrate one SQLite template, copy it for each mutant's run.

        Migrating a fresh test database took 4.3 s of every mutant's run, more than its tests;
        mutmut's first (statistics) run builds the template before any mutant is forked.
        """
        from django.conf import settings
        from django.db import connections
        from django.test.utils import setup_databases

        database = settings.DATABASES["default"]
        if "sqlite" not in database["ENGINE"]:
            raise pytest.UsageError("make mutate runs on SQLite: unset DATABASE_URL")
        test_name = Path(database["TEST"]["NAME"])
        template = test_name.with_name("mutmut-template.sqlite3")
        with django_db_blocker.unblock():
            if template.exists():
                shutil.copyfile(template, test_name)
                database["NAME"] = connections["default"].settings_dict["NAME"] = str(test_name)
                connections.close_all()
            else:
                setup_databases(verbosity=0, interactive=False)
                connections.close_all()
                shutil.copyfile(test_name, template)
        yield
        with django_db_blocker.unblock():
            connections.close_all()
        test_name.unlink(missing_ok=True)
        Path(settings.ARENA_CONTENT_TOKEN_FILE).unlink(missing_ok=True)
