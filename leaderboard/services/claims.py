"""Leases so that two imports of one source or board never run at once."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ImportClaim


class ClaimBusy(Exception):
    """Another import holds the claim on this key."""


def acquire(*, key: str, ttl: dt.timedelta) -> str:
    """Take the lease on ``key`` and return its token. Raises ClaimBusy if someone holds it.

    Atomic without row locks: the UPDATE only matches an expired lease, the INSERT only
    succeeds for a key nobody has claimed yet; exactly one of two racers wins either way.
    """
    token = secrets.token_hex(16)
    now = timezone.now()
    taken = ImportClaim.objects.filter(key=key, expires_at__lt=now).update(
        token=token, expires_at=now + ttl
    )
    if taken == 1:
        return token
    try:
        with transaction.atomic():
            ImportClaim.objects.create(key=key, token=token, expires_at=now + ttl)
    except IntegrityError:
        raise ClaimBusy(f"another import of {key} is running") from None
    return token


def release(*, key: str, token: str) -> None:
    """Give the lease back, only if we still hold it."""
    ImportClaim.objects.filter(key=key, token=token).delete()


@contextmanager
def held_all(*, keys: list[str], ttl: dt.timedelta) -> Iterator[None]:
    """Hold every lease in ``keys`` (taken in sorted order, so two callers cannot deadlock
    waiting on each other's half); raises ClaimBusy, holding none, if any is taken."""
    taken: list[tuple[str, str]] = []
    try:
        for key in sorted(keys):
            taken.append((key, acquire(key=key, ttl=ttl)))
        yield
    finally:
        for key, token in taken:
            release(key=key, token=token)
