"""What makes a cached page stale: a version counter in the database, bumped after every
published import and every curation change. Page and export caches are keyed by it (and by
the snapshot), so nothing stale is served, in any process, on any cache backend."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from .models import ContentVersion


def current() -> tuple[int, dt.datetime]:
    """(version, changed_at). One query; creates the row on first use."""
    row = ContentVersion.objects.filter(pk=1).values_list("version", "changed_at").first()
    if row is None:
        created, _ = ContentVersion.objects.get_or_create(
            pk=1, defaults={"changed_at": timezone.now()}
        )
        return created.version, created.changed_at
    return row


def bump() -> None:
    """Invalidate every cached page. Atomic increment; safe from any process."""
    updated = ContentVersion.objects.filter(pk=1).update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    if not updated:
        ContentVersion.objects.get_or_create(pk=1, defaults={"changed_at": timezone.now()})
