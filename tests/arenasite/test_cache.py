"""The cache fails open: a Redis that refuses or hangs costs speed, never a page.

Real broken servers on loopback: a closed port (connection refused) and a server that accepts
and never answers. Every board page and export must answer 200 within a small bound, and the
figure is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

import contextlib
import io
import logging
import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings

from arenasite import cache as fail_open
from tests.fake_servers import SilentServer, closed_port
from tests.paths import SEED

pytestmark = [pytest.mark.django_db, pytest.mark.faults]

PAGES = [
    "/", "/text/overall/", "/zh-hans/text/overall/", "/text/overall/?sort=-votes",
    "/text/overall/export.csv", "/text/overall/export.json", "/text/overall/export.md",
    "/text/overall/export.csv?open=on", "/about/",
]  # fmt: skip
SOCKET_TIMEOUT = 0.2


@pytest.fixture(autouse=True)
def _fresh_breakers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fail_open, "_breakers", {})  # ports repeat between tests


@pytest.fixture
def seed() -> None:
    call_command("import_leaderboard", str(SEED), stdout=io.StringIO())


@contextlib.contextmanager
def redis_cache_at(port: int, *, breaker_seconds: float = 5.0) -> Iterator[Any]:
    """The settings' Redis cache pointed at ``port``; override_settings resets ``caches``."""
    config = {
        "default": {
            "BACKEND": "arenasite.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "arena",
            "BREAKER_SECONDS": breaker_seconds,
            "OPTIONS": {
                "socket_connect_timeout": SOCKET_TIMEOUT,
                "socket_timeout": SOCKET_TIMEOUT,
            },
        }
    }
    with override_settings(CACHES=config):
        yield caches["default"]
        caches["default"].close()


def serve_every_page(client: Client, label: str, rounds: int = 3) -> list[float]:
    """GET every page ``rounds`` times; assert 200 each time; print and return the timings."""
    timings, statuses = [], []
    for _ in range(rounds):
        for path in PAGES:
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
            statuses.append(response.status_code)
            assert response.status_code == 200, (path, response.status_code)
            assert b"No model matches" not in response.content, path
    ok = statuses.count(200)
    print(
        f"\n{label}: 200 on {ok} of {len(statuses)} pages, "
        f"median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
    )
    return timings


def test_a_redis_that_refuses_costs_no_page(client: Client, seed: None) -> None:
    with redis_cache_at(closed_port()) as cache:
        timings = serve_every_page(client, "Redis refusing")

        assert cache.breaker.errors >= 1
    assert sorted(timings)[-2] < 3.0  # the first page also compiles its templates


def test_a_redis_that_never_answers_holds_one_request_for_its_timeout_only(
    client: Client, seed: None
) -> None:
    # A breaker longer than the run: on a loaded machine 27 pages may take more than 5 s.
    with SilentServer() as silent, redis_cache_at(silent.port, breaker_seconds=600) as cache:
        timings = serve_every_page(client, "Redis hanging")

        assert silent.accepted >= 1  # the cache really tried it
        assert cache.breaker.errors == 1  # then the breaker spared every later request
    assert sorted(timings)[-2] < 2.0  # a loaded CI machine; the errors count is the proof
    assert max(timings) < 2 + 2 * SOCKET_TIMEOUT


def test_after_the_breaker_time_the_cache_tries_redis_again() -> None:
    with SilentServer() as silent, redis_cache_at(silent.port, breaker_seconds=0.3) as cache:
        assert cache.get("k", "miss") == "miss"
        tried = silent.accepted
        assert cache.get("k", "miss") == "miss"
        assert silent.accepted == tried  # skipped while the breaker is open

        time.sleep(0.35)
        assert cache.get("k", "miss") == "miss"
        assert silent.accepted == tried + 1


def test_every_operation_answers_as_a_miss_and_is_counted(caplog: Any) -> None:
    with redis_cache_at(closed_port(), breaker_seconds=0) as cache:
        caplog.set_level(logging.WARNING, logger="arenasite.cache")
        assert cache.get("k", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("k") is False
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.touch("k") is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.delete("k") is False
        assert cache.delete_many(["a"]) is None
        assert cache.get_or_set("k", "computed") == "computed"

        assert cache.breaker.errors == 12  # get_or_set is a get, an add and a get again
    warnings = [r for r in caplog.records if r.name == "arenasite.cache"]
    assert len(warnings) == 1  # rate-limited: one report per LOG_INTERVAL
    assert "unavailable" in warnings[0].getMessage()


def test_one_redis_client_serves_every_operation() -> None:
    """Django builds a client per operation (copying its callback table); ours keeps one."""
    with redis_cache_at(closed_port(), breaker_seconds=0) as cache:
        client = cache._cache
        assert client.get_client() is client.get_client(write=True)
