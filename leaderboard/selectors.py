"""Reads. Named queries the views, exports and API share."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Leaderboard


def boards_with_data() -> QuerySet[Leaderboard]:
    """Boards that have a published snapshot, in display order."""
    return Leaderboard.objects.filter(current_snapshot__isnull=False).select_related(
        "current_snapshot"
    )
