"""Liveness and readiness checks: each answers a ``Check``, none raises.

Liveness (``/healthz``) is the database and the beat heartbeat. Readiness (``/readyz``) adds a
real cache round trip and a broker connection with a short timeout, and reports freshness.
Every check is bounded in time by the socket timeouts of its client.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils import timezone
from kombu import Connection

from . import freshness
from .models import Heartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "unavailable", **self.detail}


def _error(check: str, error: BaseException) -> dict[str, Any]:
    """The error's class only: these endpoints are public, and a driver's message can name
    hosts and users. The whole message goes to the log."""
    logger.warning("%s check failed: %s: %s", check, type(error).__name__, error)
    return {"error": type(error).__name__}


def check_database() -> Check:
    """``SELECT 1`` on the default database, plus each heartbeat's age in seconds."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        ages = {
            beat.name: round((timezone.now() - beat.seen_at).total_seconds())
            for beat in Heartbeat.objects.all()
        }
    except (DatabaseError, OSError) as error:
        return Check(False, _error("database", error))
    return Check(True, {"heartbeat_age_seconds": ages})


def check_cache() -> Check:
    """A set and a get of a fresh key. The cache fails open, so an outage shows as a miss."""
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, key, 30)
        seen = cache.get(key)
        cache.delete(key)
    except Exception as error:  # any backend, any failure: readiness reports, never raises
        return Check(False, _error("cache", error))
    # The fail-open Redis cache counts the outages it hid from pages (this process).
    breaker = getattr(cache, "breaker", None)
    counted = {"errors_since_start": breaker.errors} if breaker is not None else {}
    if seen != key:
        return Check(False, {"error": "set/get round trip failed (unreachable)", **counted})
    return Check(True, counted)


def check_broker() -> Check:
    """Open a connection to the Celery broker, giving up after ARENA_READINESS_TIMEOUT."""
    timeout = float(settings.ARENA_READINESS_TIMEOUT)
    options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
    }
    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options
        ) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
            broker.default_channel  # noqa: B018 -- opening the channel talks to the server
    except Exception as error:  # kombu wraps transport errors variously; all mean "not ready"
        return Check(False, _error("broker", error))
    return Check(True)


def check_freshness() -> Check:
    """Stale boards and failing sources. Reported, but never "unavailable": a stale upstream
    is no reason to take the site out of a load balancer (docs/decisions.md)."""
    try:
        problems = freshness.problems()
    except DatabaseError as error:
        return Check(False, _error("freshness", error))
    return Check(
        True,
        {
            "stale_boards": [p.subject for p in problems if p.kind == freshness.Problem.STALE],
            "failing_sources": [p.subject for p in problems if p.kind == freshness.Problem.FAILING],
        },
    )


def readiness() -> tuple[bool, dict[str, Any]]:
    """(ready, report). Ready when the database, the cache and the broker all answer."""
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
    }
    ready = all(check.ok for check in checks.values())
    report = {name: check.as_json() for name, check in checks.items()}
    if checks["database"].ok:
        report["freshness"] = check_freshness().as_json()
    return ready, {"status": "ok" if ready else "unavailable", **report}
