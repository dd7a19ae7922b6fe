"""The API's operations. Glue only: selectors, ``filters`` and ``history`` read, ``exports``
shapes rows, ``headtohead`` does the arithmetic; ``responses`` makes them HTTP."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import asdict
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from ninja import Field, Path, Query, Router
from ninja import Schema as QuerySchema
from pydantic import StringConstraints

from leaderboard import exports, headtohead, history, labels, selectors
from leaderboard.models import AIModel, Entry, Leaderboard, Snapshot
from leaderboard.sources.names import without_case
from leaderboard.views_history import COMPARE_MAX  # the compare page's bound

from . import schemas as out
from .responses import answer, permanent

router = Router()
PROBLEMS: dict[int, Any] = {400: out.Problem, 404: out.Problem, 429: out.Problem}
NO_NUL = r"^[^\x00]*$"
"""Every free-text parameter: PostgreSQL refuses a NUL in a string (a 500), so it is a 400."""
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
# Path parameters with an example each: the docs' "Try it out" and the fuzzer start there.
Arena = Annotated[str, Path(..., example="text", max_length=60, pattern=NO_NUL)]
Category = Annotated[
    str,
    Path(
        ...,
        example="overall",
        max_length=80,
        pattern=NO_NUL,
        description="With `-no-style-control` for the raw view.",
    ),
]
DATA_LICENSE = "Scores: LMArena (arena.ai), CC BY 4.0; https://creativecommons.org/licenses/by/4.0/"
SCHEMA_ARGUMENTS = frozenset({"filters", "query"})
"""The operations' names for their query schemas, which validation errors name first."""


class InvalidParameters(Exception):
    """A parameter the schema accepts but the data rejects (an organisation not on the
    board, a cursor that does not decode): a 400 naming it."""

    def __init__(self, errors: list[out.ParameterError]) -> None:
        super().__init__("; ".join(f"{e.parameter}: {e.message}" for e in errors))
        self.errors = errors


def _invalid(parameter: str, message: str) -> InvalidParameters:
    return InvalidParameters([out.ParameterError(parameter=parameter, message=message)])


# --- shapes ------------------------------------------------------------------------------


def _board(arena: str, category: str) -> Leaderboard:
    board = selectors.board_by_slug(f"{arena}/{category}")
    if board is None:
        raise Http404(f"There is no board {arena}/{category}.")
    return board


def _board_ref(board: Leaderboard) -> out.BoardRef:
    return out.BoardRef(
        slug=board.slug,
        arena=board.arena,
        category=board.category,
        style_control=board.style_control,
        name=labels.board_title(board.arena, board.category),
        metric=board.metric,  # type: ignore[arg-type]
    )


def _permalink(board: Leaderboard, day: dt.date) -> str:
    return reverse(
        "api:snapshot-permalink",
        kwargs={"arena": board.arena, "category": board.url_category, "day": day.isoformat()},
    )


def _snapshot_meta(board: Leaderboard, snapshot: Snapshot, payload: str | None) -> out.SnapshotMeta:
    return out.SnapshotMeta(
        published_on=snapshot.published_on,
        source=snapshot.source,
        rank_kind=snapshot.rank_kind,  # type: ignore[arg-type]
        row_count=snapshot.row_count,
        total_votes=snapshot.total_votes,
        content_hash=snapshot.content_hash,
        payload_sha256=payload,
        imported_at=snapshot.imported_at,
        permalink=_permalink(board, snapshot.published_on),
    )


def _point(point: history.Point) -> out.Point:
    values = point._asdict()
    del values["snapshot_id"]
    return out.Point(**values)


POINT_FIELDS = history.Series._fields[1:]
"""``out.Point``'s fields, in its order: a series' columns but the snapshot id (tested)."""


def _history(series: history.Series) -> list[dict[str, Any]]:
    """A series as ``out.Point`` JSON values, built from its columns. A model's history is
    thousands of points, and a schema instance per point (ninja validates each again for
    every parent) was 95 % of an uncached model answer; these are the same bytes (tested)."""
    days = [day.isoformat() for day in series.published_on]
    rows = zip(days, *series[2:], strict=True)
    return [dict(zip(POINT_FIELDS, values, strict=True)) for values in rows]


def _standing(standing: history.Standing) -> out.Standing:
    return out.Standing(
        point=_point(standing.point),
        rank_change=standing.rank_change,
        score_change=standing.score_change,
        is_new=standing.is_new,
    )


def _effective_open_weights(model: AIModel) -> bool:
    """The board's rule (``filters.board_entries``): a curator's flag, else the license."""
    if model.open_weights is not None:
        return model.open_weights
    return model.license.is_open_weights if model.license else False


def _model_summary(
    model: AIModel, *, org_slug: str | None, raw_names: list[str], open_weights: bool
) -> dict[str, Any]:
    return {
        "key": model.key,
        "name": model.name,
        "url": model.url,
        "organization": out.OrganizationRef(slug=org_slug, name=model.organization.name)
        if model.organization and org_slug
        else None,
        "license": out.LicenseRef(name=model.license.name, kind=out.LicenseKind(model.license.kind))
        if model.license
        else None,
        "open_weights": open_weights,
        "deprecated": model.deprecated,
        "upstream_organization": model.upstream_organization,
        "upstream_license": model.upstream_license,
        "raw_names": raw_names,
    }


# --- boards and snapshots ----------------------------------------------------------------


@router.get("/boards", response={200: out.BoardList, **PROBLEMS}, url_name="boards")
def boards(request: HttpRequest) -> HttpResponse:
    """Every board with a published snapshot, in display order."""

    def build() -> out.BoardList:
        return out.BoardList(
            boards=[
                out.Board(
                    **_board_ref(board).model_dump(),
                    first_snapshot_on=board.first_on,  # type: ignore[attr-defined]
                    last_snapshot_on=board.last_on,  # type: ignore[attr-defined]
                    snapshot_count=board.snapshot_count,  # type: ignore[attr-defined]
                    current_snapshot_on=board.current_snapshot.published_on
                    if board.current_snapshot
                    else None,
                    url=board.get_absolute_url(),
                )
                for board in selectors.board_summaries()
            ]
        )

    return answer(request, build, scope=None)


@router.get(
    "/boards/{arena}/{category}/snapshots",
    response={200: out.SnapshotList, **PROBLEMS},
    url_name="snapshots",
)
def snapshots(request: HttpRequest, arena: Arena, category: Category) -> HttpResponse:
    """A board's snapshots, newest first, each with its permalink."""

    def build() -> out.SnapshotList:
        board = _board(arena, category)
        return out.SnapshotList(
            board=_board_ref(board),
            snapshots=[
                _snapshot_meta(board, snapshot, snapshot.payload_sha256)  # type: ignore[attr-defined]
                for snapshot in selectors.board_snapshots(board)
            ],
        )

    return answer(request, build, scope=None)


class SnapshotFilters(QuerySchema):
    """The board page's query parameters, with the same meaning."""

    as_of: dt.date | None = Field(None, description="The snapshot published on or before.")
    q: Text | None = Field(None, max_length=100, description="Model name contains.")
    organization: list[Text] = Field(default_factory=list, description="Organisation names.")
    license: list[Text] = Field(default_factory=list, description="License names.")
    license_kind: list[out.LicenseKind] = Field(default_factory=list)
    open: bool | None = Field(None, description="true: open weights only.")
    hide_deprecated: bool | None = None
    preliminary: Literal["hide", "only"] | None = None
    min_votes: int | None = Field(None, ge=0, le=2**31 - 1)
    rank_min: int | None = Field(None, ge=1, le=2**31 - 1)
    rank_max: int | None = Field(None, ge=1, le=2**31 - 1)
    max_price: float | None = Field(
        None, ge=0, description="Max input price, $ per million tokens (boards with prices)."
    )
    min_context: Literal[32000, 128000, 200000, 1000000] | None = Field(
        None, description="Min context window, tokens (boards with context windows)."
    )
    new_since: dt.date | None = None
    compare_to: dt.date | None = Field(
        None, description="Movement against the snapshot as of this date (default: previous)."
    )
    best_variant: bool | None = Field(None, description="true: the best variant per family.")
    sort: out.SortKey | None = Field(None, description="A column, `-` first for descending.")

    def applied(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.model_dump(mode="json", exclude_none=True).items()
            if value != []
        }

    def as_query(self) -> QueryDict:
        """What the page would receive for the same view (booleans as its checkboxes send)."""
        data = QueryDict(mutable=True)
        for name, value in self.applied().items():
            values = value if isinstance(value, list) else [value]
            data.setlist(name, [str(v).lower() if isinstance(v, bool) else str(v) for v in values])
        return data


@router.get(
    "/boards/{arena}/{category}/snapshot",
    response={200: out.SnapshotView, **PROBLEMS},
    url_name="snapshot",
)
def snapshot(
    request: HttpRequest, arena: Arena, category: Category, filters: Query[SnapshotFilters]
) -> HttpResponse:
    """The current snapshot, or the one `as_of` a date, filtered and sorted as the board page
    is: its rows are the page's JSON export of the same view, plus upstream's raw strings."""
    applied = filters.applied()

    def build() -> out.SnapshotView:
        board = _board(arena, category)
        found = selectors.snapshot_as_of(board, filters.as_of)
        if found is None:
            raise Http404(f"{board.slug} has no snapshot on or before {filters.as_of}.")
        view = selectors.view_rows(filters.as_query(), board=board, snapshot=found)
        filterset, entries = view.filterset, view.entries
        if filterset.errors:
            raise InvalidParameters(
                [
                    out.ParameterError(parameter=name, message=" ".join(messages))
                    for name, messages in sorted(filterset.errors.items())
                ]
            )
        rows = [
            out.Row(
                **asdict(row),
                raw_model=entry.raw_model,
                raw_organization=entry.raw_organization,
                raw_license=entry.raw_license,
            )
            for row, entry in zip(exports.export_rows(entries), entries, strict=True)
        ]
        return out.SnapshotView(
            board=_board_ref(board),
            snapshot=_snapshot_meta(board, found, selectors.payload_sha256(found)),
            is_current=found.pk == board.current_snapshot_id,
            filters=applied,
            shown_count=len(rows),
            movement_since=view.baseline.published_on if view.baseline else None,
            rows=rows,
        )

    return answer(request, build, scope=sorted(applied.items()))


@router.get(
    "/boards/{arena}/{category}/snapshots/{day}",
    response={200: out.Permalink, **PROBLEMS},
    url_name="snapshot-permalink",
)
def snapshot_permalink(
    request: HttpRequest,
    arena: Arena,
    category: Category,
    day: Annotated[dt.date, Path(..., example="2025-11-18")],
) -> HttpResponse:
    """The citable table of a board on a date, exactly as upstream published it (no curated
    names): canonical JSON whose bytes never change while the content hash (the ETag) is
    the same — across restarts, caches and re-imports of the same data."""
    board = _board(arena, category)
    found = selectors.snapshot_on(board, day)
    if found is None:
        raise Http404(f"{board.slug} has no snapshot published on {day}.")

    def build() -> out.Permalink:
        rows = [
            out.PermalinkRow(
                rank=entry.rank,
                rank_upper=entry.rank_upper,
                rank_lower=entry.rank_lower,
                model=entry.raw_model,
                organization=entry.raw_organization,
                license=entry.raw_license,
                score=entry.score,
                rating_lower=entry.rating_lower,
                rating_upper=entry.rating_upper,
                votes=entry.votes,
                preliminary=entry.preliminary,
            )
            for entry in Entry.objects.filter(snapshot=found).order_by("rank")
        ]
        canonical = json.dumps(
            [row.model_dump(mode="json") for row in rows],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        return out.Permalink(
            board=board.slug,
            published_on=found.published_on,
            source=found.source,
            rank_kind=found.rank_kind,  # type: ignore[arg-type]
            row_count=len(rows),
            content_hash=found.content_hash,
            rows_sha256=hashlib.sha256(canonical.encode()).hexdigest(),
            license=DATA_LICENSE,
            rows=rows,
        )

    return permanent(request, etag=found.content_hash, last_modified=found.imported_at, build=build)


class HeadToHeadQuery(QuerySchema):
    models: list[Text] = Field(
        description="2–4 model keys: the parameter repeated, or comma-separated."
    )


@router.get(
    "/boards/{arena}/{category}/head-to-head",
    response={200: out.HeadToHead, **PROBLEMS},
    url_name="head-to-head",
)
def head_to_head(
    request: HttpRequest, arena: Arena, category: Category, query: Query[HeadToHeadQuery]
) -> HttpResponse:
    """Bradley–Terry win probabilities of 2–4 models at their latest points on a board, with
    their range over both confidence intervals and whether their rank spreads overlap."""
    keys: list[str] = []
    for part in ",".join(query.models).split(","):
        if part.strip() and part.strip() not in keys:
            keys.append(part.strip())
    if not 2 <= len(keys) <= COMPARE_MAX:
        raise _invalid("models", f"give 2 to {COMPARE_MAX} distinct model keys")

    def build() -> out.HeadToHead:
        board = _board(arena, category)
        found = history.models_by_keys(keys)
        unknown = [key for key in keys if key not in found]
        if unknown:
            raise Http404(f"No model with the key(s): {', '.join(unknown)}.")
        models = [found[key] for key in keys]
        points = history.board_points(board, models)
        latest = {m.pk: points[m.pk][-1] for m in models if points[m.pk]}
        elo = board.metric == Leaderboard.Metric.ELO
        matchups = []
        for i, a in enumerate(models):
            for b in models[i + 1 :]:
                pa, pb = latest.get(a.pk), latest.get(b.pk)
                if pa is None or pb is None:
                    continue
                result = headtohead.matchup(
                    score_a=pa.score, lower_a=pa.rating_lower, upper_a=pa.rating_upper,
                    spread_a=(pa.rank_upper, pa.rank_lower),
                    score_b=pb.score, lower_b=pb.rating_lower, upper_b=pb.rating_upper,
                    spread_b=(pb.rank_upper, pb.rank_lower),
                )  # fmt: skip
                matchups.append(
                    out.Matchup(
                        a=a.key,
                        b=b.key,
                        probability=result.probability if elo else None,
                        worst=result.worst if elo else None,
                        best=result.best if elo else None,
                        separable=result.separable,
                        same_date=pa.published_on == pb.published_on,
                    )
                )
        return out.HeadToHead(
            board=_board_ref(board),
            models=[
                out.HeadToHeadModel(
                    key=m.key,
                    name=m.name,
                    point=_point(latest[m.pk]) if m.pk in latest else None,
                )
                for m in models
            ],
            matchups=matchups,
        )

    return answer(request, build, scope=keys)


# --- models and organisations ------------------------------------------------------------


class ModelQuery(QuerySchema):
    q: Text | None = Field(None, max_length=100, description="Name, key or raw name contains.")
    organization: Text | None = Field(None, max_length=200, description="Organisation slug.")
    license_kind: list[out.LicenseKind] = Field(default_factory=list)
    open_weights: bool | None = None
    limit: int = Field(100, ge=1, le=500)
    cursor: Text | None = Field(None, max_length=200, description="`next_cursor` of a page.")


@router.get("/models", response={200: out.ModelList, **PROBLEMS}, url_name="models")
def models(request: HttpRequest, query: Query[ModelQuery]) -> HttpResponse:
    """Curated models by key, filtered, a page at a time."""
    params = query.model_dump(mode="json", exclude_none=True)

    def build() -> out.ModelList:
        slugs = history.organization_slugs()
        organization = None
        if query.organization is not None:
            organization = slugs.get(query.organization)
            if organization is None:
                raise _invalid("organization", "no organisation has this slug")
        found: QuerySet[AIModel] = selectors.models_matching(
            q=query.q or "",
            organization=organization,
            license_kinds=[str(kind) for kind in query.license_kind],
            open_weights=query.open_weights,
        )
        if query.cursor:
            found = found.filter(key__gt=query.cursor)
        page = list(found[: query.limit + 1])
        by_pk = {org.pk: slug for slug, org in slugs.items()}
        summaries = [
            out.ModelSummary(
                **_model_summary(
                    model,
                    org_slug=by_pk.get(model.organization_id or 0),
                    raw_names=sorted(
                        (alias.raw for alias in model.aliases.all()), key=without_case
                    ),
                    open_weights=model.is_open_weights,  # type: ignore[attr-defined]
                )
            )
            for model in page[: query.limit]
        ]
        more = len(page) > query.limit
        return out.ModelList(
            models=summaries, next_cursor=page[query.limit - 1].key if more else None
        )

    return answer(request, build, scope=sorted(params.items()))


@router.get("/models/{path:key}", response={200: out.ModelDetail, **PROBLEMS}, url_name="model")
def model(
    request: HttpRequest,
    key: Annotated[str, Path(..., example="gemini-2.5-pro", max_length=200, pattern=NO_NUL)],
) -> HttpResponse:
    """One model: its curated facts, raw upstream names, and its history on every board."""

    def build() -> dict[str, Any]:
        found = history.model_history(key)
        if found is None:
            raise Http404(f"No model with the key {key!r}.")
        model = found.model
        org_slug = history.organization_slug(model.organization) if model.organization else None
        detail = out.ModelDetail(
            **_model_summary(
                model,
                org_slug=org_slug,
                raw_names=found.raw_names,
                open_weights=_effective_open_weights(model),
            ),
            release_date=model.release_date,
            parameters_billions=float(model.parameters_billions)
            if model.parameters_billions is not None
            else None,
            first_seen=found.first_seen,
            last_seen=found.last_seen,
            boards=[],
        ).model_dump(mode="json")
        detail["boards"] = [
            {
                "board": _board_ref(line.board).model_dump(mode="json"),
                "current": _standing(line.standing).model_dump(mode="json")
                if line.standing
                else None,
                "history": _history(line.series),
            }
            for line in found.boards
        ]
        return detail

    return answer(request, build, scope=None)


@router.get(
    "/organizations", response={200: out.OrganizationList, **PROBLEMS}, url_name="organizations"
)
def organizations(request: HttpRequest) -> HttpResponse:
    """Every organisation, by name, with its number of models."""

    def build() -> out.OrganizationList:
        return out.OrganizationList(
            organizations=[
                out.Organization(slug=slug, name=org.name, url=org.url, model_count=count)
                for slug, org, count in history.organization_index()
            ]
        )

    return answer(request, build, scope=None)


@router.get(
    "/organizations/{slug}",
    response={200: out.OrganizationDetail, **PROBLEMS},
    url_name="organization",
)
def organization(
    request: HttpRequest,
    slug: Annotated[str, Path(..., example="google", max_length=200, pattern=NO_NUL)],
) -> HttpResponse:
    """One organisation: its models' standings on current boards and its best rank over time."""

    def build() -> out.OrganizationDetail:
        found = history.organization_history(slug)
        if found is None:
            raise Http404(f"No organisation with the slug {slug!r}.")
        org = found.organization
        return out.OrganizationDetail(
            slug=found.slug,
            name=org.name,
            url=org.url,
            model_count=len(found.standings) + len(found.others),
            raw_names=sorted(org.aliases.values_list("raw", flat=True), key=without_case),
            models=[
                out.OrganizationModel(
                    key=model.key,
                    name=model.name,
                    standings=[
                        out.BoardStanding(board=_board_ref(s.board), standing=_standing(s))
                        for s in standings
                    ],
                )
                for model, standings in found.standings
            ],
            other_models=[out.ModelRef(key=m.key, name=m.name) for m in found.others],
            best_ranks=[
                out.BoardBestRanks(
                    board=_board_ref(board),
                    best_ranks=[out.BestRank(published_on=day, rank=rank) for day, rank in series],
                )
                for board, series in found.best_ranks
            ],
        )

    return answer(request, build, scope=None)


# --- changes -----------------------------------------------------------------------------


def _encode_cursor(position: history.ChangesPosition) -> str:
    day, order, slug = position
    raw = json.dumps([day.isoformat(), order, slug], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> history.ChangesPosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        day, order, slug = json.loads(raw)
        if not isinstance(order, int) or not isinstance(slug, str):
            raise ValueError
        return dt.date.fromisoformat(day), order, slug
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise _invalid("cursor", "not a cursor this API gave out") from None


class ChangesQuery(QuerySchema):
    since: dt.date | None = Field(None, description="Snapshots published on or after.")
    board: Text | None = Field(None, max_length=130, description="ARENA/CATEGORY; all if unset.")
    cursor: Text | None = Field(None, max_length=400, description="`next_cursor` of a page.")
    limit: int = Field(20, ge=1, le=100, description="Snapshots per page.")


@router.get("/changes", response={200: out.ChangeList, **PROBLEMS}, url_name="changes")
def changes(request: HttpRequest, query: Query[ChangesQuery]) -> HttpResponse:
    """What changed on each snapshot, newest first — the events of the changes page and the
    Atom feeds (new #1, entrants, departures, top-10 moves, preliminary cleared, movers)."""
    below = _decode_cursor(query.cursor) if query.cursor else None
    params = query.model_dump(mode="json", exclude_none=True)

    def build() -> out.ChangeList:
        board = None
        if query.board is not None:
            board = selectors.board_by_slug(query.board)
            if board is None:
                raise _invalid("board", "no board has this slug")
        found, more = history.recent_changes(
            board=board, limit=query.limit, since=query.since, below=below
        )
        return out.ChangeList(
            changes=[
                out.SnapshotChanges(
                    board=_board_ref(item.board),
                    published_on=item.published_on,
                    previous_on=item.previous_on,
                    row_count=item.row_count,
                    entered_total=item.entered_total,
                    left_total=item.left_total,
                    events=[
                        out.Event(
                            id=item.tag(event),
                            kind=event.kind,  # type: ignore[arg-type]
                            title=event.title,
                            model=out.ModelRef(key=event.model.key, name=event.model.name),
                            rank=event.rank,
                            previous_rank=event.previous_rank,
                        )
                        for event in item.events
                    ],
                )
                for item in found
            ],
            next_cursor=_encode_cursor(history.changes_position(found[-1]))
            if more and found
            else None,
        )

    return answer(request, build, scope=sorted(params.items()))
