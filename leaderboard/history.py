"""Reads over time: a model's, an organisation's and a board's history, and what changed.

A selectors module: reads only, never imports the write pipeline. One module although past
400 lines: the model, organisation and changes reads all stand on the same timeline and
standing builders below; apart, each file would import the others' privates.

Every function here runs a fixed number of queries whatever the number of snapshots (the
pages' query-count tests hold it to that); the per-snapshot work happens in Python on plain
values.

A board's *timeline* is its live snapshots, one per publish date: when two sources published
the same date, the one imported last stands for it (the same rule as ``snapshot_as_of``), so
charts have one point per date and "the previous snapshot" means one thing everywhere.
Movement is keyed by the curated model id, so it survives renames and merges.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from django.db.models import Count, Max, Min
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from . import cache_keys
from .models import AIModel, Entry, Leaderboard, ModelAlias, Organization, Snapshot
from .sources.names import without_case

TOP = 10
RISERS = 3
LISTED = 10  # entrants or departures listed per snapshot (a partial board can drop hundreds)
# Tag URIs (RFC 4151) need an authority and a date; both are fixed so ids never change with
# the host name a reader used.
TAG_PREFIX = "tag:arena-leaderboard,2026:"
EVENT_TITLES = {
    "new-leader": gettext_noop("New #1: {name}"),
    "entered": gettext_noop("New entrant at #{rank}: {name}"),
    "left": gettext_noop("Left the board (was #{previous}): {name}"),
    "top-in": gettext_noop("Into the top 10 (#{previous} → #{rank}): {name}"),
    "top-out": gettext_noop("Out of the top 10 (#{previous} → #{rank}): {name}"),
    "preliminary-cleared": gettext_noop("No longer preliminary (#{rank}): {name}"),
    "riser": gettext_noop("Up {change} (#{previous} → #{rank}): {name}"),
    "faller": gettext_noop("Down {drop} (#{previous} → #{rank}): {name}"),
}


class Point(NamedTuple):
    """One model on one snapshot of a board. A named tuple, not a dataclass: a long history
    builds thousands, and a frozen dataclass's ``__init__`` was a quarter of the read."""

    snapshot_id: int
    published_on: dt.date
    rank: int
    rank_upper: int
    rank_lower: int
    score: float
    rating_lower: float | None
    rating_upper: float | None
    votes: int | None
    preliminary: bool | None


@dataclass(frozen=True)
class Standing:
    """A model's place on the board's current snapshot, with movement against the previous."""

    board: Leaderboard
    point: Point
    previous: Point | None
    has_previous_snapshot: bool

    @property
    def previous_rank(self) -> int | None:
        return None if self.previous is None else self.previous.rank

    @property
    def rank_change(self) -> int | None:
        """Positive = moved up. None when the model is new or the board has one snapshot."""
        return None if self.previous is None else self.previous.rank - self.point.rank

    @property
    def score_change(self) -> float | None:
        return None if self.previous is None else self.point.score - self.previous.score

    @property
    def is_new(self) -> bool:
        return self.has_previous_snapshot and self.previous is None


@dataclass(frozen=True)
class BoardHistory:
    """One model's points on one board, oldest first, and its standing there (if any)."""

    board: Leaderboard
    points: list[Point]
    standing: Standing | None

    @property
    def last_point(self) -> Point:
        return self.points[-1]


@dataclass(frozen=True)
class PriceFact:
    """Upstream's price and context for a model on one board, from its newest entry there
    that carries them."""

    board: Leaderboard
    published_on: dt.date
    price_input: Decimal | None
    price_output: Decimal | None
    context_tokens: int | None


@dataclass(frozen=True)
class ModelHistory:
    model: AIModel
    raw_names: list[str]
    boards: list[BoardHistory]
    first_seen: dt.date | None
    last_seen: dt.date | None
    prices: list[PriceFact] = field(default_factory=list)
    family_members: list[AIModel] = field(default_factory=list)
    """The other models of its family, by name."""


@dataclass(frozen=True)
class ModelRef:
    key: str
    name: str


@dataclass(frozen=True)
class Event:
    """One thing that changed on one snapshot. ``tag`` is stable across re-imports."""

    kind: str  # new-leader, entered, left, top-in, top-out, preliminary-cleared, riser, faller
    model: ModelRef
    rank: int | None
    previous_rank: int | None

    @property
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def title(self) -> str:
        """The one wording of an event, shared by the changes page and the feeds."""
        change = self.rank_change or 0
        return gettext(EVENT_TITLES[self.kind]).format(
            name=self.model.name,
            rank=self.rank,
            previous=self.previous_rank,
            change=change,
            drop=-change,
        )


@dataclass(frozen=True)
class SnapshotChanges:
    board: Leaderboard
    published_on: dt.date
    previous_on: dt.date | None
    row_count: int
    events: list[Event] = field(default_factory=list)
    entered_total: int = 0
    left_total: int = 0

    def tag(self, event: Event) -> str:
        return f"{TAG_PREFIX}{self.board.slug}/{self.published_on}/{event.kind}/{event.model.key}"


@dataclass(frozen=True)
class OrganizationHistory:
    organization: Organization
    slug: str
    standings: list[tuple[AIModel, list[Standing]]]
    others: list[AIModel]  # its models on no current board
    best_ranks: list[tuple[Leaderboard, list[tuple[dt.date, int]]]]


# --- timelines -------------------------------------------------------------------------------


def timelines(board_ids: Iterable[int] | None = None) -> dict[int, list[tuple[int, dt.date]]]:
    """``{board id: [(snapshot id, date), …]}`` oldest first, one snapshot per date. One query."""
    queryset = Snapshot.objects.all()
    if board_ids is not None:
        queryset = queryset.filter(leaderboard_id__in=list(board_ids))
    rows = queryset.order_by("leaderboard_id", "published_on", "imported_at", "id").values_list(
        "id", "leaderboard_id", "published_on"
    )
    result: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for snapshot_id, board_id, published_on in rows:
        line = result[board_id]
        if line and line[-1][1] == published_on:
            line[-1] = (snapshot_id, published_on)  # imported later: stands for the date
        else:
            line.append((snapshot_id, published_on))
    return dict(result)


def _previous_ids(lines: dict[int, list[tuple[int, dt.date]]]) -> dict[int, int | None]:
    """``{snapshot id: id of the board's previous snapshot or None}`` for every timeline."""
    previous: dict[int, int | None] = {}
    for line in lines.values():
        before: int | None = None
        for snapshot_id, _ in line:
            previous[snapshot_id] = before
            before = snapshot_id
    return previous


class Place(NamedTuple):
    """Where a live snapshot that stands for its date sits: its board, its date, and the
    snapshot that stands for the board's date before it."""

    board_id: int
    published_on: dt.date
    previous_id: int | None


class _Places:
    """``{snapshot id: Place}`` for every snapshot that stands for its board and date, kept
    per process and rebuilt (one query over the snapshots) only when they changed.

    Checked on each use without scanning them: the content token (``cache_keys``: every
    write the app makes to the published history bumps it, as the cached pages depend on it)
    and the newest snapshot id (one index probe), which also notices snapshots written
    without a bump, as fixtures and scripts do. Counting the snapshots instead cost 7 ms."""

    def __init__(self) -> None:
        self._held: tuple[tuple[object, ...], dict[int, Place]] | None = None

    def current(self) -> Mapping[int, Place]:
        stamp = (cache_keys.token(), Snapshot.all_objects.aggregate(last=Max("id"))["last"])
        held = self._held
        if held is not None and held[0] == stamp:
            return held[1]
        lines = timelines()
        previous = _previous_ids(lines)
        found = {
            snapshot_id: Place(board_id, published_on, previous[snapshot_id])
            for board_id, line in lines.items()
            for snapshot_id, published_on in line
        }
        self._held = (stamp, found)  # one assignment: a thread reads the old pair or the new
        return found

    def forget(self) -> None:
        self._held = None


places = _Places()


_PRICE_FIELDS = ("price_input", "price_output", "context_tokens")
"""What the model page's price table reads, beside each point (in the covering index)."""
_POINT_FIELDS = (
    "snapshot_id",
    "snapshot__published_on",
    "rank",
    "rank_upper",
    "rank_lower",
    "score",
    "rating_lower",
    "rating_upper",
    "votes",
    "preliminary",
)


def _point(row: Sequence[object], override: bool | None) -> Point:
    if override is None:
        return Point._make(row)
    return Point._make((*row[:9], override))  # a curator's override wins, as on the board


# --- model page ------------------------------------------------------------------------------


def model_history(key: str) -> ModelHistory | None:
    """Everything the model page shows, or None for an unknown key. Five queries (six with
    a family, one more when the snapshots changed since this process last looked).

    Reads the model's own entries from their covering index, without a join: which of them
    stand for their board and date, and the date before each, come from ``places``, kept
    per process. On a multi-year history the SQL alternative, an anti-join of the entries
    against every live snapshot, hashed all of them on each model page (most of its time)."""
    model = (
        AIModel.objects.select_related("organization", "license", "family").filter(key=key).first()
    )
    if model is None:
        return None
    stand = places.current()
    override = model.preliminary_override
    by_board: dict[int, list[Point]] = defaultdict(list)
    names: set[str] = set()
    priced: dict[int, tuple[dt.date, tuple[Any, ...]]] = {}  # board → newest date with prices
    entries = (
        Entry.objects.filter(model=model)
        .order_by()  # sorted below, per board by date: no sort in SQL
        .values_list("snapshot_id", "raw_model", *_PRICE_FIELDS, *_POINT_FIELDS[2:])
    )
    for row in entries:
        place = stand.get(row[0])
        if place is None:  # superseded, or another snapshot stands for its board and date
            continue
        names.add(row[1])
        day = place.published_on
        by_board[place.board_id].append(_point((row[0], day, *row[5:]), override))
        if row[2] is not None or row[3] is not None or row[4] is not None:
            newest = priced.get(place.board_id)
            if newest is None or newest[0] < day:
                priced[place.board_id] = (day, row[2:5])
    aliases = ModelAlias.objects.filter(model=model).values_list("raw", flat=True)
    raw_names = sorted({*aliases, *names}, key=without_case)
    boards = {board.pk: board for board in Leaderboard.objects.filter(pk__in=by_board)}
    histories = []
    for board_id, points in by_board.items():
        points.sort(key=itemgetter(1))  # by date: one point per board and date
        board = boards[board_id]
        current = _find(points, board.current_snapshot_id)
        place = stand.get(board.current_snapshot_id or 0)
        previous_id = place.previous_id if place else None
        standing = (
            Standing(
                board=board,
                point=current,
                previous=_find(points, previous_id),
                has_previous_snapshot=previous_id is not None,
            )
            if current is not None
            else None
        )
        histories.append(BoardHistory(board=board, points=points, standing=standing))
    histories.sort(key=lambda h: (h.standing is None, h.board.display_order, h.board.slug))
    return ModelHistory(
        model=model,
        raw_names=raw_names,
        boards=histories,
        first_seen=min((h.points[0].published_on for h in histories), default=None),
        last_seen=max((h.points[-1].published_on for h in histories), default=None),
        prices=sorted(
            (PriceFact(boards[board_id], day, *facts) for board_id, (day, facts) in priced.items()),
            key=lambda fact: (fact.board.display_order, fact.board.slug),
        ),
        family_members=(
            list(AIModel.objects.filter(family_id=model.family_id).exclude(pk=model.pk))
            if model.family_id
            else []
        ),
    )


def _find(points: Sequence[Point], snapshot_id: int | None) -> Point | None:
    """The point of that snapshot, searched from the newest (the current one is last)."""
    if snapshot_id is None:
        return None
    return next((p for p in reversed(points) if p.snapshot_id == snapshot_id), None)


# --- organisations ---------------------------------------------------------------------------


def organization_slugs(
    organizations: Iterable[Organization] | None = None,
) -> dict[str, Organization]:
    """``{slug: organisation}``, derived from names, deterministic. One query.

    Names are unique but their slugs need not be ("Allen AI" / "allen-ai"): the oldest
    organisation keeps the plain slug, later ones get ``-<id>``. A name with no letters or
    digits is ``org-<id>``. Unicode letters stay (``allow_unicode``), so 智谱 keeps a name.
    """
    if organizations is None:
        organizations = Organization.objects.all()
    result: dict[str, Organization] = {}
    for organization in sorted(organizations, key=lambda org: org.pk):
        slug = slugify(organization.name, allow_unicode=True) or f"org-{organization.pk}"
        if slug in result:
            slug = f"{slug}-{organization.pk}"
        result[slug] = organization
    return result


def organization_slug(organization: Organization) -> str:
    """The slug ``organization_slugs`` gives this organisation. One query."""
    slugs = organization_slugs()
    return next(slug for slug, org in slugs.items() if org.pk == organization.pk)


def organization_index() -> list[tuple[str, Organization, int]]:
    """``[(slug, organisation, number of models)]`` by name. One query."""
    organizations = Organization.objects.annotate(model_count=Count("models"))
    return sorted(
        (
            (slug, org, org.model_count)  # type: ignore[attr-defined]
            for slug, org in organization_slugs(organizations).items()
        ),
        key=lambda item: item[1].name.casefold(),
    )


def organization_history(slug: str) -> OrganizationHistory | None:
    """The organisation page, or None for an unknown slug. Six queries.

    Standings: each of its models on every board's current snapshot. Best ranks: for every
    board, the organisation's best rank on each snapshot of the timeline it appears on."""
    organization = organization_slugs().get(slug)
    if organization is None:
        return None
    models = list(AIModel.objects.filter(organization=organization).order_by("name"))
    boards = list(Leaderboard.objects.filter(current_snapshot__isnull=False))
    by_id = {board.pk: board for board in boards}
    lines = timelines(by_id)
    previous = _previous_ids(lines)
    current_ids = [board.current_snapshot_id for board in boards]
    wanted = [*current_ids, *(previous.get(sid) for sid in current_ids if sid)]
    rows = Entry.objects.filter(
        model__organization=organization, snapshot_id__in=[sid for sid in wanted if sid]
    ).values_list("model_id", "snapshot__leaderboard_id", *_POINT_FIELDS)
    points: dict[tuple[int, int], Point] = {}
    overrides = {model.pk: model.preliminary_override for model in models}
    for row in rows:
        points[(row[0], row[2])] = _point(row[2:], overrides.get(row[0]))
    standings = []
    for model in models:
        mine = []
        for board in boards:
            current = points.get((model.pk, board.current_snapshot_id or 0))
            if current is None:
                continue
            previous_id = previous.get(current.snapshot_id)
            mine.append(
                Standing(
                    board=board,
                    point=current,
                    previous=points.get((model.pk, previous_id)) if previous_id else None,
                    has_previous_snapshot=previous_id is not None,
                )
            )
        if mine:
            standings.append((model, mine))
    standings.sort(key=lambda item: min(s.point.rank for s in item[1]))
    best = dict(
        Entry.objects.filter(model__organization=organization, snapshot__superseded_at__isnull=True)
        .values("snapshot_id")
        .annotate(best=Min("rank"))
        .values_list("snapshot_id", "best")
    )
    best_ranks = []
    for board in boards:
        series = [(day, best[sid]) for sid, day in lines.get(board.pk, []) if sid in best]
        if series:
            best_ranks.append((board, series))
    placed = {model.pk for model, _standings in standings}
    return OrganizationHistory(
        organization=organization,
        slug=slug,
        standings=standings,
        others=[model for model in models if model.pk not in placed],
        best_ranks=best_ranks,
    )


# --- changes ---------------------------------------------------------------------------------


ChangesPosition = tuple[dt.date, int, str]
"""Where a snapshot stands in the changes list: (date, -display order, board slug); the list
runs from the highest position down."""


def changes_position(changes: SnapshotChanges) -> ChangesPosition:
    return (changes.published_on, -changes.board.display_order, changes.board.slug)


def recent_changes(
    *,
    board: Leaderboard | None = None,
    limit: int = 20,
    offset: int = 0,
    since: dt.date | None = None,
    below: ChangesPosition | None = None,
) -> tuple[list[SnapshotChanges], bool]:
    """What changed on the newest snapshots (all boards, or one), newest first, and whether
    older ones remain. Four queries, whatever the history's length.

    ``since`` keeps snapshots published on or after a date; ``below`` those after a
    position (``changes_position`` of the last one a reader saw: a cursor that new
    snapshots do not shift). Each snapshot is compared with its board's previous one in the
    timeline; a board's first snapshot has no events (nothing to compare with)."""
    boards = {
        b.pk: b
        for b in (Leaderboard.objects.filter(pk=board.pk) if board else Leaderboard.objects.all())
    }
    lines = timelines(boards)
    previous = _previous_ids(lines)
    dated = sorted(
        ((day, boards[board_id], sid) for board_id, line in lines.items() for sid, day in line),
        key=lambda item: (item[0], -item[1].display_order, item[1].slug),
        reverse=True,
    )
    if since is not None:
        dated = [item for item in dated if item[0] >= since]
    if below is not None:
        dated = [item for item in dated if (item[0], -item[1].display_order, item[1].slug) < below]
    page = dated[offset : offset + limit]
    wanted: set[int] = {sid for _, _, sid in page}
    wanted |= {before for _, _, sid in page if (before := previous[sid]) is not None}
    entries: dict[int, dict[int, tuple[int, bool | None]]] = defaultdict(dict)
    refs: dict[int, ModelRef] = {}
    rows = Entry.objects.filter(snapshot_id__in=wanted).values_list(
        "snapshot_id",
        "model_id",
        "rank",
        "preliminary",
        "model__preliminary_override",
        "model__key",
        "model__name",
    )
    for snapshot_id, model_id, rank, preliminary, override, key, name in rows:
        entries[snapshot_id][model_id] = (rank, preliminary if override is None else override)
        refs[model_id] = ModelRef(key=key, name=name)
    dates = {sid: day for line in lines.values() for sid, day in line}
    result = []
    for day, snapshot_board, sid in page:
        before = previous[sid]
        current = entries.get(sid, {})
        old = entries.get(before, {}) if before else {}
        events = diff(old, current, refs) if before else []
        result.append(
            SnapshotChanges(
                board=snapshot_board,
                published_on=day,
                previous_on=dates.get(before) if before else None,
                row_count=len(current),
                events=events,
                entered_total=len(current.keys() - old.keys()) if before else 0,
                left_total=len(old.keys() - current.keys()),
            )
        )
    return result, offset + limit < len(dated)


def diff(
    before: Mapping[int, tuple[int, bool | None]],
    after: Mapping[int, tuple[int, bool | None]],
    refs: Mapping[int, ModelRef],
) -> list[Event]:
    """Events between two snapshots given as ``{model id: (rank, preliminary)}``. Pure.

    Order: a new #1, entrants, departures, top-10 moves, preliminary cleared, then the
    biggest risers and fallers (at most three each, ties by rank). Entrants and departures
    are listed best-ranked first, at most ``LISTED`` of each."""
    events: list[Event] = []
    leader_before = min(before, key=lambda m: before[m][0], default=None)
    leader_after = min(after, key=lambda m: after[m][0], default=None)
    if leader_after is not None and leader_after != leader_before:
        events.append(
            Event("new-leader", refs[leader_after], 1, before.get(leader_after, (None,))[0])
        )
    for model_id in sorted(after.keys() - before.keys(), key=lambda m: after[m][0])[:LISTED]:
        events.append(Event("entered", refs[model_id], after[model_id][0], None))
    for model_id in sorted(before.keys() - after.keys(), key=lambda m: before[m][0])[:LISTED]:
        events.append(Event("left", refs[model_id], None, before[model_id][0]))
    both = sorted(after.keys() & before.keys(), key=lambda m: after[m][0])
    for model_id in both:
        rank, was = after[model_id][0], before[model_id][0]
        if rank <= TOP < was:
            events.append(Event("top-in", refs[model_id], rank, was))
        elif was <= TOP < rank:
            events.append(Event("top-out", refs[model_id], rank, was))
    for model_id in both:
        if before[model_id][1] is True and after[model_id][1] is False:
            events.append(
                Event(
                    "preliminary-cleared", refs[model_id], after[model_id][0], before[model_id][0]
                )
            )
    moves = [(before[m][0] - after[m][0], after[m][0], m) for m in both]
    risers = sorted((move for move in moves if move[0] > 0), key=lambda x: (-x[0], x[1]))
    fallers = sorted((move for move in moves if move[0] < 0), key=lambda x: (x[0], x[1]))
    for _, rank, model_id in risers[:RISERS]:
        events.append(Event("riser", refs[model_id], rank, before[model_id][0]))
    for _, rank, model_id in fallers[:RISERS]:
        events.append(Event("faller", refs[model_id], rank, before[model_id][0]))
    return events


# --- head-to-head ----------------------------------------------------------------------------


def models_by_keys(keys: Sequence[str]) -> dict[str, AIModel]:
    """The curated models with these keys (unknown keys are absent). One query."""
    return {
        model.key: model
        for model in AIModel.objects.select_related("organization").filter(key__in=list(keys))
    }


def model_choices() -> list[tuple[str, str]]:
    """``[(key, name)]`` of models on some board's current snapshot, for the compare form."""
    current = Leaderboard.objects.filter(current_snapshot__isnull=False).values(
        "current_snapshot_id"
    )
    return list(
        AIModel.objects.filter(entries__snapshot_id__in=current)
        .distinct()
        .order_by("name")
        .values_list("key", "name")
    )


def board_points(board: Leaderboard, models: Iterable[AIModel]) -> dict[int, list[Point]]:
    """``{model id: points on the board's timeline, oldest first}``. Two queries."""
    line = timelines([board.pk]).get(board.pk, [])
    ids = {sid for sid, _ in line}
    overrides = {model.pk: model.preliminary_override for model in models}
    rows = (
        Entry.objects.filter(snapshot__leaderboard=board, model_id__in=list(overrides))
        .filter(snapshot__superseded_at__isnull=True)
        .order_by("snapshot__published_on")
        .values_list("model_id", *_POINT_FIELDS)
    )
    result: dict[int, list[Point]] = {pk: [] for pk in overrides}
    for row in rows:
        if row[1] in ids:
            result[row[0]].append(_point(row[1:], overrides[row[0]]))
    return result
