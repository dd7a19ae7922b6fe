"""Reads. Named queries the views, exports, commands and API share."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from .models import Entry, Leaderboard, Snapshot
from .services.imports import parse_board_slug


def boards_with_data() -> QuerySet[Leaderboard]:
    """Boards that have a published snapshot, in display order."""
    return Leaderboard.objects.filter(current_snapshot__isnull=False).select_related(
        "current_snapshot"
    )


def board_by_slug(slug: str) -> Leaderboard | None:
    """``text/overall`` or ``text/overall-no-style-control``; None for unknown or malformed."""
    try:
        hint = parse_board_slug(slug)
    except ValueError:
        return None
    return (
        Leaderboard.objects.filter(
            arena=hint.arena, category=hint.category, style_control=hint.style_control
        )
        .select_related("current_snapshot")
        .first()
    )


def snapshot_as_of(board: Leaderboard, as_of: dt.date | None = None) -> Snapshot | None:
    """The published snapshot, or the newest one published on or before ``as_of``."""
    if as_of is None:
        return board.current_snapshot
    return (
        board.snapshots.filter(published_on__lte=as_of)
        .order_by("-published_on", "-imported_at")
        .first()
    )


def board_rows(snapshot: Snapshot) -> QuerySet[Entry]:
    """A snapshot's entries with their curated model, organisation and license: one query."""
    return (
        Entry.objects.filter(snapshot=snapshot)
        .select_related("model__organization", "model__license")
        .order_by("rank")
    )


def snapshot_dates(board: Leaderboard) -> list[dt.date]:
    """The dates a board has snapshots for, newest first, each once: what ``as_of`` can pick."""
    return list(
        board.snapshots.order_by("-published_on").values_list("published_on", flat=True).distinct()
    )
