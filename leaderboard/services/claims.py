"""Leases so that two imports of one board never write at once.

A lease is short (``ARENA_IMPORT_CLAIM_SECONDS``, a minute by default) and belongs to an
ImportRun: the run's heartbeat (``services.runs``) renews every lease it holds, so a long
import keeps its boards while a killed one frees them within one lease, and abandoning a dead
run frees its leases at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from ..models import ImportClaim, ImportRun

logger = logging.getLogger(__name__)


class ClaimBusy(Exception):
    """Another import holds the claim on this key."""


class ClaimLost(ClaimBusy):
    """A lease this import held ran out and another import took it over."""


def acquire(*, key: str, ttl: dt.timedelta, run: ImportRun | None = None) -> str:
    """Take the lease on ``key`` (for ``run``) and return its token. Raises ClaimBusy if
    someone holds it.

    Atomic without row locks: the UPDATE only matches an expired lease, the INSERT only
    succeeds for a key nobody has claimed yet; exactly one of two racers wins either way.
    """
    token = secrets.token_hex(16)
    now = timezone.now()
    taken = ImportClaim.objects.filter(key=key, expires_at__lt=now).update(
        token=token, expires_at=now + ttl, run=run
    )
    if taken == 1:
        return token
    try:
        with transaction.atomic():
            ImportClaim.objects.create(key=key, token=token, expires_at=now + ttl, run=run)
    except IntegrityError:
        raise ClaimBusy(f"another import of {key} is running") from None
    return token


def release(*, key: str, token: str) -> None:
    """Give the lease back, only if we still hold it."""
    ImportClaim.objects.filter(key=key, token=token).delete()


def renew(*, run_id: int, ttl: dt.timedelta) -> int:
    """Extend every lease ``run_id`` holds to ``ttl`` from now; returns how many."""
    return ImportClaim.objects.filter(run_id=run_id).update(expires_at=timezone.now() + ttl)


def lease() -> dt.timedelta:
    """How long one lease lasts unless renewed (``ARENA_IMPORT_CLAIM_SECONDS``)."""
    return dt.timedelta(seconds=settings.ARENA_IMPORT_CLAIM_SECONDS)


class Held:
    """The leases a caller holds, by token."""

    def __init__(self) -> None:
        self.tokens: list[tuple[str, str]] = []

    def confirm(self) -> None:
        """Raise ClaimLost unless every lease is still ours. Call inside the write's
        transaction just before it commits: the claim rows are locked there (PostgreSQL) or
        the database is (SQLite), so nobody can take a lease over between this check and the
        commit, and an import whose lease was taken over rolls back instead of writing beside
        the new holder."""
        mine = ImportClaim.objects.filter(token__in=[token for _, token in self.tokens])
        if connection.features.has_select_for_update:
            mine = mine.select_for_update()
        if len(list(mine)) != len(self.tokens):
            raise ClaimLost("this import's lease ran out and another import took it over")


@contextmanager
def held_all(*, keys: list[str], ttl: dt.timedelta, run: ImportRun | None = None) -> Iterator[Held]:
    """Hold every lease in ``keys`` (taken in sorted order, so two callers cannot deadlock
    waiting on each other's half); raises ClaimBusy, holding none, if any is taken. Released
    on any exit, ``BaseException`` included; a failing release never hides the exception that
    ended the block (the lease then simply expires)."""
    held = Held()
    try:
        for key in sorted(keys):
            held.tokens.append((key, acquire(key=key, ttl=ttl, run=run)))
        yield held
    finally:
        for key, token in held.tokens:
            try:
                release(key=key, token=token)
            except DatabaseError:
                logger.exception("could not release the lease on %s; it expires by itself", key)
