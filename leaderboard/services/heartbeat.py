"""Writes. Every function here is safe to call from a view, a task or a command."""

from __future__ import annotations

from django.utils import timezone

from ..models import Heartbeat


def record_heartbeat(*, name: str) -> Heartbeat:
    """Stamp ``name`` as alive now. Idempotent; one row per name."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
