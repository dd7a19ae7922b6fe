"""A Redis cache that fails open: losing Redis costs speed, never a page.

The page cache is an optimisation. Django's ``RedisCache`` raises ``redis.ConnectionError`` /
``TimeoutError`` to the view when Redis is down or hangs, which turns every board page into
a 500. ``FailOpenRedisCache`` answers those errors as a miss (``get`` returns the default,
``set`` does nothing) and, after a failure, skips Redis entirely for ``BREAKER_SECONDS`` so a
hanging Redis costs one request its socket timeout, not every request. Errors are counted and
logged at most once per ``LOG_INTERVAL`` seconds, so a dead Redis does not flood the logs.

Other errors (a bad key, an ``incr`` of a missing key) still raise: they are bugs, not outages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGES = (RedisConnectionError, RedisTimeoutError, OSError)
"""What an unreachable or silent Redis raises (redis-py wraps most socket errors itself)."""

T = TypeVar("T")


class Breaker:
    """Per-process state of one Redis location: open (skip Redis) until ``open_until``.

    Shared by every thread's cache instance (Django builds one backend per thread), so one
    thread's timeout spares the others. ``errors`` counts every failure since start.
    """

    def __init__(self, *, seconds: float, log_interval: float) -> None:
        self.seconds = seconds
        self.log_interval = log_interval
        self.errors = 0
        self.open_until = 0.0
        self._unlogged = 0
        self._logged_at = float("-inf")
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def failed(self, location: str, error: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            self.errors += 1
            self._unlogged += 1
            self.open_until = now + self.seconds
            if now - self._logged_at < self.log_interval:
                return
            count, self._unlogged, self._logged_at = self._unlogged, 0, now
        logger.warning(
            "cache at %s unavailable (%s: %s); serving without it for %gs "
            "(%d error(s) since the last report, %d in all)",
            location, type(error).__name__, error, self.seconds, count, self.errors,
        )  # fmt: skip

    def succeeded(self) -> None:
        self.open_until = 0.0


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str, *, seconds: float, log_interval: float) -> Breaker:
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None:
            breaker = _breakers[location] = Breaker(seconds=seconds, log_interval=log_interval)
        return breaker


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a ``redis.Redis`` for every operation, which copies its table of
    ~200 response callbacks each time: most of a cached page's CPU cost with Redis. The client
    is thread-safe (its pool lends connections), so one per pool is kept and reused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # (not in the stubs)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class FailOpenRedisCache(RedisCache):
    """``RedisCache`` whose reads miss and whose writes are dropped while Redis is out.

    Extra top-level keys of the CACHES entry: ``BREAKER_SECONDS`` (how long to skip Redis after
    a failure, default 5) and ``LOG_INTERVAL`` (seconds between two warnings, default 60).
    Socket timeouts go in ``OPTIONS`` as for ``RedisCache`` (``socket_timeout``,
    ``socket_connect_timeout``); without them redis-py waits 5 s.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._location = server if isinstance(server, str) else ",".join(server)
        self.breaker = breaker_for(
            self._location,
            seconds=float(params.get("BREAKER_SECONDS", 5.0)),
            log_interval=float(params.get("LOG_INTERVAL", 60.0)),
        )

    def _guard(self, call: Callable[[], T], fallback: T) -> T:
        if self.breaker.is_open:
            return fallback
        try:
            result = call()
        except OUTAGES as error:
            self.breaker.failed(self._location, error)
            return fallback
        self.breaker.succeeded()
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(partial(RedisCache.get, self, key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard(partial(RedisCache.get_many, self, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(partial(RedisCache.has_key, self, key, version), False)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._guard(partial(RedisCache.set, self, key, value, timeout, version), None)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guard(partial(RedisCache.add, self, key, value, timeout, version), False)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(partial(RedisCache.touch, self, key, timeout, version), False)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        # The contract: the keys that could not be stored.
        return self._guard(partial(RedisCache.set_many, self, data, timeout, version), list(data))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(partial(RedisCache.delete, self, key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(partial(RedisCache.delete_many, self, keys, version), None)
