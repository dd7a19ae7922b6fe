"""Leases so that two imports of one board never write at once.

A lease is short (``ARENA_IMPORT_CLAIM_SECONDS``, a minute by default) and belongs to an
ImportRun: the run's heartbeat (``services.runs``) renews every lease it holds, so a long
import keeps its boards while a killed one frees them within one lease, and abandoning a dead
run frees its leases at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ImportClaim, ImportRun


class ClaimBusy(Exception):
    """Another import holds the claim on this key."""


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


@contextmanager
def held_all(*, keys: list[str], ttl: dt.timedelta, run: ImportRun | None = None) -> Iterator[None]:
    """Hold every lease in ``keys`` (taken in sorted order, so two callers cannot deadlock
    waiting on each other's half); raises ClaimBusy, holding none, if any is taken. Released
    on any exit, ``BaseException`` included."""
    taken: list[tuple[str, str]] = []
    try:
        for key in sorted(keys):
            taken.append((key, acquire(key=key, ttl=ttl, run=run)))
        yield
    finally:
        for key, token in taken:
            release(key=key, token=token)
