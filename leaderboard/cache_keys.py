"""What makes a cached page stale: a version counter in the database, bumped after every
published import and every curation change. Every cached page carries the version it was
rendered under and is served only while that version is still the current one, so nothing
stale is served, in any process, on any cache backend.

The database row is the truth. So that a cached hit costs no query, ``bump`` also publishes
the new version as a *token* where every process reads it without SQL: in the cache when the
cache is shared (Redis), in a small file under ``ARENA_VAR_DIR`` when it is per process
(local memory, one machine). A reader that finds no token reads the row once and publishes it
only if still absent, so it never overwrites a newer bump.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import ContentVersion

logger = logging.getLogger(__name__)

TOKEN_KEY = "content-token"
LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"
"""The per-process cache backend: with it the token is kept in a file (``_Stamp``)."""
TOKEN_SECONDS = 300
"""A cached token expires: a bump whose publish Redis dropped (an outage at that moment) is
read from the database within this long."""
WARM_TASK = "leaderboard.tasks.warm_pages"
REFRESH_TASK = "leaderboard.tasks.refresh_history_blocks"


def current() -> tuple[int, dt.datetime]:
    """(version, changed_at). One query; creates the row on first use."""
    row = ContentVersion.objects.filter(pk=1).values_list("version", "changed_at").first()
    if row is None:
        created, _ = ContentVersion.objects.get_or_create(
            pk=1, defaults={"changed_at": timezone.now()}
        )
        return created.version, created.changed_at
    return row


def _token(version: int, changed_at: dt.datetime) -> str:
    # The time too: the counter repeats after a database reset while Redis keeps its keys.
    return f"{version}@{changed_at.timestamp():.6f}"


def bump() -> None:
    """Invalidate every cached page, then ask a worker to render the boards again.

    Atomic increment; safe from any process. The token is published inside the row's lock,
    so concurrent bumps publish in version order. A broker outage is logged, never raised:
    visitors then render the pages themselves."""
    with transaction.atomic():
        updated = ContentVersion.objects.filter(pk=1).update(
            version=F("version") + 1, changed_at=timezone.now()
        )
        if not updated:
            ContentVersion.objects.get_or_create(pk=1, defaults={"changed_at": timezone.now()})
        token = _token(*current())
        _publish(token)
    _enqueue_warm(token)


def token() -> str:
    """The current version as an opaque string, without SQL once published."""
    if per_process():
        found = _stamp.read()
        if found is None:
            found = _token(*current())
            _stamp.create(found)
        return found
    found = cache.get(TOKEN_KEY)
    if found is None:
        found = _token(*current())
        cache.add(TOKEN_KEY, found, TOKEN_SECONDS)
    return str(found)


def token_and(key: str) -> tuple[str | None, object]:
    """The token (``None`` when not published) and the cache value at ``key``, in one round
    trip to a shared cache."""
    if per_process():
        return _stamp.read(), cache.get(key)
    found = cache.get_many([TOKEN_KEY, key])
    return found.get(TOKEN_KEY), found.get(key)


def published_token() -> str | None:
    """The token as a shared cache holds it, or None (not published, or the cache down): one
    small read, no SQL. Only with a shared cache (``per_process`` false)."""
    found = cache.get(TOKEN_KEY)
    return None if found is None else str(found)


def per_process() -> bool:
    """Whether the cache is each process's own (local memory): the token is then a file."""
    # The backend the settings name, not an isinstance of ``caches["default"]``: that
    # look-up (a context-local) was a tenth of a cached page's hit.
    return bool(settings.CACHES["default"]["BACKEND"] == LOCAL_MEMORY)


def _publish(value: str) -> None:
    cache.set(TOKEN_KEY, value, TOKEN_SECONDS)
    if per_process():
        _stamp.replace(value)


def _enqueue_warm(value: str) -> None:
    """What a change sets a worker to do, queued by name (the read path must not import the
    task layer): warm the pages, only with a shared cache (a worker's local memory is not the
    web processes'), and rebuild the history blocks the change moved (in the database: shared
    whatever the cache)."""
    if not settings.ARENA_WARM_PAGES:
        return
    try:
        if not per_process():
            current_app.send_task(WARM_TASK, kwargs={"token": value})
        current_app.send_task(REFRESH_TASK, kwargs={})
    except (OperationalError, OSError) as error:
        logger.error("could not queue the work after a change (broker down?): %s", error)


class _Stamp:
    """The token in a file every local process stats: re-read only when the file changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: tuple[str, int, int, str] | None = None

    @property
    def path(self) -> Path:
        return Path(settings.ARENA_CONTENT_TOKEN_FILE)

    def read(self) -> str | None:
        name = os.fspath(settings.ARENA_CONTENT_TOKEN_FILE)
        try:
            stat = os.stat(name)
        except FileNotFoundError:
            return None
        seen = self._seen
        if seen is not None and seen[:3] == (name, stat.st_mtime_ns, stat.st_ino):
            return seen[3]
        try:
            with open(name, encoding="ascii") as stamp:
                value = stamp.read().strip()
        except FileNotFoundError:
            return None
        if not value:
            return None
        with self._lock:
            self._seen = (name, stat.st_mtime_ns, stat.st_ino, value)
        return value

    def replace(self, value: str) -> None:
        """Atomic (rename): a reader sees the old token or the new one, never half of one. A
        failed write removes the file, so readers fall back to the database."""
        path = self.path
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(value, encoding="ascii")
            os.replace(temporary, path)
        except OSError as error:
            logger.error("could not write the content token %s: %s", path, error)
            with contextlib.suppress(OSError):  # absent, most likely: the write failed first
                temporary.unlink()
            path.unlink(missing_ok=True)

    def create(self, value: str) -> None:
        """Only if absent (O_EXCL): a reader's fill never overwrites a bump's token."""
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError:
            return
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(value)


_stamp = _Stamp()
