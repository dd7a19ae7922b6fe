"""Reads. Named queries the views, exports, commands, the admin and the API share."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
)

from leaderboard.boards import BoardKey

from .models import (
    AIModel,
    Entry,
    Leaderboard,
    License,
    LicenseAlias,
    ModelAlias,
    ModelFact,
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


def previous_snapshot(board: Leaderboard, snapshot: Snapshot) -> Snapshot | None:
    """The snapshot before ``snapshot`` on the board's timeline: the newest of an earlier date
    (of one date, the one imported last, as ``snapshot_as_of`` picks). One query."""
    return (
        board.snapshots.filter(published_on__lt=snapshot.published_on)
        .order_by("-published_on", "-imported_at")
        .first()
    )


# Any: the rows come annotated already (``filters.board_entries``) and gain three more.
def with_movement(entries: QuerySet[Any], baseline: Snapshot | None) -> QuerySet[Any]:
    """Annotates ``previous_rank``, ``rank_change`` (positive = moved up) and ``score_change``
    against the same curated model's row on ``baseline``: keyed by ``Entry.model``, so movement
    survives renames and merges. None where the model is not on the baseline (new) or there is
    no baseline. One LEFT JOIN on the (snapshot, model) unique index: no extra query."""
    if baseline is None:
        return entries.annotate(
            previous_rank=Value(None, output_field=IntegerField()),
            rank_change=Value(None, output_field=IntegerField()),
            score_change=Value(None, output_field=FloatField()),
        )
    return entries.annotate(
        baseline_entry=FilteredRelation(
            "model__entries", condition=Q(model__entries__snapshot_id=baseline.pk)
        ),
        previous_rank=F("baseline_entry__rank"),
        rank_change=F("baseline_entry__rank") - F("rank"),
        score_change=F("score") - F("baseline_entry__score"),
    )


def snapshot_dates(board: Leaderboard) -> list[dt.date]:
    """The dates a board has snapshots for, newest first, each once: what ``as_of`` can pick."""
    return list(
        board.snapshots.order_by("-published_on").values_list("published_on", flat=True).distinct()
    )


class FactSource(TypedDict):
    source: str
    source_version: str
    checked_on: dt.datetime


def applied_fact_sources(model: AIModel) -> list[FactSource]:
    """The catalogues whose values a model's page shows (facts still ``applied``), with the
    version and the last check: the public provenance line. One query."""
    rows = (
        ModelFact.objects.filter(model=model, status=ModelFact.Status.APPLIED)
        .values("source", "source_version")
        .annotate(checked_on=Max("checked_on"))
        .order_by("source")
    )
    return [
        FactSource(
            source=row["source"],
            source_version=row["source_version"],
            checked_on=row["checked_on"],
        )
        for row in rows
    ]


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
        "fact_conflicts": ModelFact.objects.filter(status=ModelFact.Status.CONFLICT).count(),
    }
