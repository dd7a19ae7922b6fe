"""Reads. Named queries the views, exports, commands, the admin and the API share."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from leaderboard.boards import BoardKey

from .models import (
    AIModel,
    Entry,
    Leaderboard,
    License,
    LicenseAlias,
    ModelAlias,
    Organization,
    OrganizationAlias,
    Snapshot,
)


def boards_with_data() -> QuerySet[Leaderboard]:
    """Boards that have a published snapshot, in display order."""
    return Leaderboard.objects.filter(current_snapshot__isnull=False).select_related(
        "current_snapshot"
    )


def board_by_slug(slug: str) -> Leaderboard | None:
    """``text/overall`` or ``text/overall-no-style-control``; None for unknown or malformed."""
    try:
        hint = BoardKey.parse(slug)
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


def optional_columns(snapshot: Snapshot) -> frozenset[str]:
    """Which of the columns not every source carries (``price``, ``context``) the snapshot has
    values for: one query. The board shows only those, whatever the filters keep."""
    rows = Entry.objects.filter(snapshot=snapshot)
    found = rows.aggregate(
        price=Count("pk", filter=Q(price_input__isnull=False) | Q(price_output__isnull=False)),
        context=Count("pk", filter=Q(context_tokens__isnull=False)),
    )
    return frozenset(name for name, count in found.items() if count)


def snapshot_dates(board: Leaderboard) -> list[dt.date]:
    """The dates a board has snapshots for, newest first, each once: what ``as_of`` can pick."""
    return list(
        board.snapshots.order_by("-published_on").values_list("published_on", flat=True).distinct()
    )


# --- the curation review queue (admin) ----------------------------------------------------


class ReviewReasons(TypedDict):
    """Why a flagged model waits (``models_with_review_reasons``' annotations)."""

    org_disagrees: bool
    license_disagrees: bool


if TYPE_CHECKING:
    # django-stubs-ext is a development dependency: the alias exists for the type checker only.
    from django_stubs_ext import WithAnnotations

    ReviewedModel = WithAnnotations[AIModel, ReviewReasons]


def models_with_review_reasons(queryset: QuerySet[AIModel]) -> QuerySet[ReviewedModel]:
    """Annotates ``org_disagrees`` / ``license_disagrees``: upstream's latest string maps to
    another entity than the curated one. A flagged model with neither was flagged because
    the importer was unsure how to clean its name. Two subqueries, no N+1."""
    return queryset.annotate(
        org_disagrees=Exists(
            OrganizationAlias.objects.filter(raw__iexact=OuterRef("upstream_organization")).exclude(
                organization=OuterRef("organization")
            )
        ),
        license_disagrees=Exists(
            LicenseAlias.objects.filter(raw__iexact=OuterRef("upstream_license")).exclude(
                license=OuterRef("license")
            )
        ),
    )


def review_counts() -> dict[str, int]:
    """How many items wait in each review queue (one small query each)."""
    flagged = models_with_review_reasons(AIModel.objects.filter(needs_review=True))
    disagreements = flagged.filter(Q(org_disagrees=True) | Q(license_disagrees=True)).count()
    flagged_total = flagged.count()
    return {
        "organization_aliases": OrganizationAlias.objects.filter(needs_review=True).count(),
        "license_aliases": LicenseAlias.objects.filter(needs_review=True).count(),
        "model_aliases": ModelAlias.objects.filter(needs_review=True).count(),
        "organizations": Organization.objects.filter(needs_review=True).count(),
        "licenses": License.objects.filter(needs_review=True).count(),
        "model_disagreements": disagreements,
        "models_uncertain": flagged_total - disagreements,
    }
