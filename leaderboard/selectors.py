"""Reads. Named queries the views, exports, commands, the admin and the API share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import gettext as _

from leaderboard.boards import BoardKey

from . import rows
from .filters import BoardFilter, board_entries
from .models import (
    AIModel,
    Entry,
    ImportRun,
    Leaderboard,
    License,
    LicenseAlias,
    ModelAlias,
    ModelFact,
    Organization,
    OrganizationAlias,
    Snapshot,
)
from .rows import BoardRow
from .tables import BoardTable, sort_keys


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


def board_rows(snapshot: Snapshot, baseline: Snapshot | None = None) -> list[BoardRow]:
    """A snapshot's rows by rank, with their curated model, organisation and license and
    their movement against ``baseline`` (none without one): one query."""
    return rows.read(with_movement(board_entries(snapshot), baseline))


def optional_columns(snapshot: Snapshot) -> frozenset[str]:
    """Which of the columns not every source carries (``price``, ``context``) the snapshot has
    values for: one query. The board shows only those, whatever the filters keep."""
    rows = Entry.objects.filter(snapshot=snapshot)
    found = rows.aggregate(
        price=Count("pk", filter=Q(price_input__isnull=False) | Q(price_output__isnull=False)),
        context=Count("pk", filter=Q(context_tokens__isnull=False)),
    )
    return frozenset(name for name, count in found.items() if count)


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


def board_summaries() -> QuerySet[Leaderboard]:
    """``boards_with_data`` annotated with ``first_on``, ``last_on`` and ``snapshot_count``
    over their live snapshots. One query."""
    live = Q(snapshots__superseded_at__isnull=True)
    return boards_with_data().annotate(
        first_on=Min("snapshots__published_on", filter=live),
        last_on=Max("snapshots__published_on", filter=live),
        snapshot_count=Count("snapshots", filter=live),
    )


def board_snapshots(board: Leaderboard) -> QuerySet[Snapshot]:
    """A board's live snapshots, newest first, with ``payload_sha256`` (the raw bytes the
    import read) annotated: one query, without loading the payloads themselves."""
    return board.snapshots.annotate(payload_sha256=F("import_run__payload__sha256")).order_by(
        "-published_on", "-imported_at", "-id"
    )


def payload_sha256(snapshot: Snapshot) -> str | None:
    """The sha256 of the raw bytes the snapshot's import read, where recorded. One query,
    without loading the payload."""
    if snapshot.import_run_id is None:
        return None
    return (
        ImportRun.objects.filter(pk=snapshot.import_run_id)
        .values_list("payload__sha256", flat=True)
        .first()
    )


def snapshot_on(board: Leaderboard, day: dt.date) -> Snapshot | None:
    """The snapshot that stands for ``day`` on the board's timeline: of the live ones
    published that day, the one imported last (``history.timelines``' rule)."""
    return board.snapshots.filter(published_on=day).order_by("-imported_at", "-id").first()


def models_matching(
    *,
    q: str = "",
    organization: Organization | None = None,
    license_kinds: list[str] | None = None,
    open_weights: bool | None = None,
) -> QuerySet[AIModel]:
    """Curated models by key, filtered; ``is_open_weights`` is the effective value (a
    curator's flag wins over the license's kind, as on the board). Matches ``q`` in the
    name, the key or any raw upstream name. One query (plus one to prefetch aliases)."""
    queryset = (
        AIModel.objects.select_related("organization", "license")
        .annotate(
            is_open_weights=Coalesce(
                F("open_weights"),
                Case(When(license__kind__in=License.OPEN_WEIGHTS_KINDS, then=True), default=False),
            )
        )
        .prefetch_related("aliases")
        .order_by("key")
    )
    if q.strip():
        value = q.strip()
        alias = ModelAlias.objects.filter(model=OuterRef("pk"), raw__icontains=value)
        queryset = queryset.filter(
            Q(name__icontains=value) | Q(key__icontains=value) | Exists(alias)
        )
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    if license_kinds:
        queryset = queryset.filter(license__kind__in=license_kinds)
    if open_weights is not None:
        queryset = queryset.filter(is_open_weights=open_weights)
    return queryset


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


def movement_baseline(
    board: Leaderboard, snapshot: Snapshot, wanted: dt.date | None
) -> tuple[Snapshot | None, str]:
    """The snapshot a view's movement is measured against, and why ``wanted`` was not used:
    the one as of ``wanted`` (``compare_to``) when it is before ``snapshot``, else the
    previous one. A date that cannot serve is ignored with that message. At most two queries."""
    if wanted is not None and wanted >= snapshot.published_on:
        error = _(
            "“%(date)s” is not before the snapshot shown (%(shown)s): movement is measured "
            "against the previous snapshot."
        ) % {"date": wanted.isoformat(), "shown": snapshot.published_on.isoformat()}
        return previous_snapshot(board, snapshot), error
    if wanted is not None:
        baseline = snapshot_as_of(board, wanted)
        if baseline is not None:
            return baseline, ""
        error = _(
            "“%(date)s” is before the board's first snapshot: movement is measured against "
            "the previous snapshot."
        ) % {"date": wanted.isoformat()}
        return previous_snapshot(board, snapshot), error
    return previous_snapshot(board, snapshot), ""


@dataclass(frozen=True, slots=True)
class ViewRows:
    """What a board view shows for one query string."""

    filterset: BoardFilter
    entries: list[BoardRow]
    baseline: Snapshot | None
    compare_error: str


def view_rows(
    data: QueryDict,
    *,
    board: Leaderboard,
    snapshot: Snapshot,
    optional: frozenset[str] | None = None,
) -> ViewRows:
    """The rows a board view shows for this query — filtered by ``BoardFilter`` (an invalid
    value is left out and reported in the filter's errors), with their movement, sorted as
    ``BoardTable`` sorts by ``sort``. The page's exports and the API's snapshot read through
    this one function. ``optional``: the snapshot's ``optional_columns`` (read when None),
    whose filters and sorts exist only where it has the data."""
    if optional is None:
        optional = optional_columns(snapshot)
    filterset = BoardFilter(
        data,
        queryset=board_entries(snapshot),
        board=board,
        snapshot=snapshot,
        optional_columns=optional,
    )
    filterset.is_valid()
    form = filterset.form
    wanted = form.cleaned_data.get("compare_to") if form.is_bound else None
    baseline, error = movement_baseline(board, snapshot, wanted)
    table = BoardTable(with_movement(filterset.qs, baseline), optional_columns=optional)
    table.order_by = sort_keys(data.getlist("sort")) or table.order_by
    return ViewRows(filterset, list(table.data), baseline, error)
