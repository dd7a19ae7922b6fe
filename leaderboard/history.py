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
import hashlib
import json
import logging
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, partial
from operator import itemgetter
from typing import Any, NamedTuple, cast

from django.db import connection
from django.db.models import Count, Max, Min
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from . import cache_keys, packing
from .models import (
    AIModel,
    Entry,
    HistoryBlock,
    HistoryBuild,
    Leaderboard,
    ModelAlias,
    Organization,
    Snapshot,
)
from .sources.names import without_case

logger = logging.getLogger(__name__)

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


class Series(NamedTuple):
    """Points as columns, one list per ``Point`` field, oldest first: what a block unpacks to
    and what the charts draw, without a Python object per point."""

    snapshot_id: list[int]
    published_on: list[dt.date]
    rank: list[int]
    rank_upper: list[int]
    rank_lower: list[int]
    score: list[float]
    rating_lower: list[float | None]
    rating_upper: list[float | None]
    votes: list[int | None]
    preliminary: list[bool | None]

    @classmethod
    def of(cls, points: Sequence[Sequence[Any]]) -> Series:
        """From points (or tuples of their fields), oldest first."""
        if not points:
            return cls(*([] for _ in cls._fields))
        return cls(*map(list, zip(*points, strict=True)))

    def point(self, index: int) -> Point:
        return _new_point(tuple(column[index] for column in self))

    def since(self, start: int) -> Series:
        """The points from index ``start`` on, as a list slice: ``-n``, the newest ``n``."""
        return Series(*(column[start:] for column in self))  # type: ignore[arg-type]

    def points(self) -> list[Point]:
        return list(map(_new_point, zip(*self, strict=True)))

    def extended(self, points: Sequence[Point]) -> Series:
        """This series followed by newer points."""
        columns = cast(tuple[list[Any], ...], self)
        more = cast(tuple[list[Any], ...], Series.of(points))
        return Series(*(old + new for old, new in zip(columns, more, strict=True)))

    def find(self, snapshot_id: int | None) -> Point | None:
        """The point of that snapshot, searched from the newest (the current one is last)."""
        ids = self.snapshot_id
        for index in range(len(ids) - 1, -1, -1):
            if ids[index] == snapshot_id:
                return self.point(index)
        return None


@dataclass(frozen=True)
class BoardHistory:
    """One model's points on one board, oldest first, and its standing there (if any)."""

    board: Leaderboard
    series: Series
    standing: Standing | None
    # The chart text its block stores (``charts.ChartText``) and how many of the first points
    # it covers; ("", 0): none (``charts.board_data`` encodes the series). Not compared: the
    # same history read from its entries has none.
    charted: tuple[str, int] = field(default=("", 0), compare=False)

    @cached_property
    def points(self) -> list[Point]:
        """The series as ``Point``s, built on first use (the charts read the columns)."""
        return self.series.points()

    @property
    def count(self) -> int:
        return len(self.series.snapshot_id)

    @property
    def last_point(self) -> Point:
        return self.series.point(-1)


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


def fingerprint(snapshot_ids: Iterable[int]) -> str:
    """Names a board's timeline (its standing snapshot ids, oldest first): another snapshot,
    one fewer, or one standing for another date gives another fingerprint. Little-endian,
    so every machine sharing the database computes the same one."""
    ids = array("q", snapshot_ids)
    if sys.byteorder == "big":
        ids.byteswap()
    return hashlib.blake2b(ids.tobytes(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Timelines:
    """Every board's timeline, as ``_Places`` holds it."""

    places: Mapping[int, Place]
    """``{snapshot id: Place}`` of every snapshot that stands for its board and date."""
    lines: Mapping[int, list[int]]
    """``{board id: its standing snapshot ids, oldest first}``."""
    fingerprints: Mapping[int, str]
    """``{board id: fingerprint of its line}``."""
    boards: Mapping[int, Leaderboard]
    """Every board, as loaded with the timelines (their current snapshots move with them)."""
    _prefixes: dict[tuple[int, int], str] = field(default_factory=dict, compare=False)

    @cached_property
    def organization_slugs(self) -> dict[str, Organization]:
        """``organization_slugs()``, read once per change (a slug needs every name)."""
        return organization_slugs(Organization.objects.all())

    def previous_id(self, snapshot_id: int | None) -> int | None:
        """The snapshot standing for its board's date before this one's, if any."""
        place = self.places.get(snapshot_id or 0)
        return None if place is None else place.previous_id

    def prefix(self, board_id: int, length: int) -> str:
        """The fingerprint of the board's first ``length`` snapshots (remembered)."""
        key = (board_id, length)
        found = self._prefixes.get(key)
        if found is None:
            found = self._prefixes[key] = fingerprint(self.lines[board_id][:length])
        return found


class _Places:
    """Every board's timeline (``Timelines``), kept per process and rebuilt (one query over
    the snapshots, one over the boards) only when they changed.

    Checked on each use without scanning them: the content token (``cache_keys``: every
    write the app makes to the published history bumps it, as the cached pages depend on it)
    and the newest snapshot id (one index probe), which also notices snapshots written
    without a bump, as fixtures and scripts do. Counting the snapshots instead cost 7 ms.
    The boards and organisation slugs held with them follow the token alone (the app bumps it
    when it changes them; a script that writes them without a bump is seen at the next)."""

    def __init__(self) -> None:
        self._held: tuple[tuple[object, ...], Timelines] | None = None

    def timelines(self) -> Timelines:
        stamp = (cache_keys.token(), Snapshot.all_objects.aggregate(last=Max("id"))["last"])
        held = self._held
        if held is not None and held[0] == stamp:
            return held[1]
        lines = timelines()
        previous = _previous_ids(lines)
        found = Timelines(
            places={
                snapshot_id: Place(board_id, published_on, previous[snapshot_id])
                for board_id, line in lines.items()
                for snapshot_id, published_on in line
            },
            lines={board_id: [sid for sid, _ in line] for board_id, line in lines.items()},
            fingerprints={
                board_id: fingerprint(sid for sid, _ in line) for board_id, line in lines.items()
            },
            boards={board.pk: board for board in Leaderboard.objects.all()},
        )
        self._held = (stamp, found)  # one assignment: a thread reads the old pair or the new
        return found

    def forget(self) -> None:
        self._held = None


places = _Places()


_PRICE_FIELDS = ("price_input", "price_output", "context_tokens")
"""What the model page's price table reads, beside each point."""
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
ENTRY_ROW = ("model_id", "snapshot_id", "raw_model", *_PRICE_FIELDS, *_POINT_FIELDS[2:])
"""What ``gather`` reads of each entry (no join: the snapshot's board and date come from
``places``)."""
PACKED_KINDS: tuple[packing.Kind, ...] = (
    "delta",  # snapshot id
    "delta",  # date, as a proleptic ordinal
    "int",
    "int",
    "int",
    "float",
    "float",
    "float",
    "int",
    "bool",
)
"""How a block packs a ``Point``'s fields (``packing``), in their order."""


def _point(row: Sequence[object], override: bool | None) -> Point:
    if override is None:
        return _new_point(row)
    return _new_point((*row[:9], override))  # a curator's override wins, as on the board


@dataclass
class Gathered:
    """One model's entries on one board's timeline: its points as plain tuples (a ``Point``'s
    fields, upstream's ``preliminary``), the raw names it had there and its newest price."""

    points: list[tuple[Any, ...]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    price: tuple[dt.date, tuple[Any, ...]] | None = None

    def sorted_points(self) -> list[tuple[Any, ...]]:
        self.points.sort(key=itemgetter(1))  # by date: one point per board and date
        return self.points

    def price_fact(self) -> list[Any] | None:
        """The newest price as a block stores it (JSON: Decimals as strings, exact)."""
        if self.price is None:
            return None
        day, (price_in, price_out, context) = self.price
        return [
            day.toordinal(),
            None if price_in is None else str(price_in),
            None if price_out is None else str(price_out),
            context,
        ]


def gather(
    rows: Iterable[Sequence[Any]], stand: Mapping[int, Place]
) -> dict[tuple[int, int], Gathered]:
    """Entry rows (``ENTRY_ROW``) grouped by (model id, board id), keeping those whose
    snapshot stands for its board and date; the rest (superseded, or another snapshot stands
    for the date) are skipped. One pass; what the model page and the blocks are built from."""
    found: dict[tuple[int, int], Gathered] = {}
    for row in rows:
        place = stand.get(row[1])
        if place is None:
            continue
        key = (row[0], place.board_id)
        bucket = found.get(key)
        if bucket is None:
            bucket = found[key] = Gathered()
        bucket.names.add(row[2])
        day = place.published_on
        bucket.points.append((row[1], day, *row[6:]))
        priced = row[3] is not None or row[4] is not None or row[5] is not None
        if priced and (bucket.price is None or bucket.price[0] < day):
            bucket.price = (day, tuple(row[3:6]))
    return found


def pack_points(points: Sequence[tuple[Any, ...]]) -> bytes:
    """A block's bytes: sorted points (``Gathered.sorted_points``) as columns."""
    columns = [list(column) for column in zip(*points, strict=True)] or [[] for _ in PACKED_KINDS]
    columns[1] = [day.toordinal() for day in columns[1]]
    return packing.pack(columns, PACKED_KINDS)


class _Dates(dict[int, dt.date]):
    """Dates by proleptic ordinal, made once each: a history repeats a few thousand dates,
    and a dict look-up in ``map`` is a third of what ``fromordinal`` costs per point."""

    LIMIT = 100_000
    """Ordinals kept (three centuries of days): only damaged bytes could name more."""

    def __missing__(self, ordinal: int) -> dt.date:
        if len(self) >= self.LIMIT:
            self.clear()
        try:
            day = self[ordinal] = dt.date.fromordinal(ordinal)
        except (ValueError, OverflowError) as error:  # damaged bytes: no such date
            raise packing.PackingError(f"no date has the ordinal {ordinal}") from error
        return day


_dates = _Dates()


def unpack_series(data: bytes | memoryview, override: bool | None) -> Series:
    columns = packing.unpack(bytes(data), PACKED_KINDS)
    columns[1] = list(map(_dates.__getitem__, columns[1]))  # type: ignore[arg-type]
    if override is not None:
        columns[9] = [override] * len(columns[9])  # a curator's override wins, as on the board
    return Series(*columns)  # type: ignore[arg-type]


_new_point = partial(tuple.__new__, Point)
"""``Point`` from a tuple of its fields without ``_make``'s Python frame (a third of the
construction of a long history)."""
IN_LIST_LIMIT = 50
"""Snapshot ids a model history names in SQL when its blocks leave some out; more, and it
reads all the model's entries instead. PostgreSQL probes a long list one id at a time
through the (snapshot, model) index: 22 ms for a board's 1,095 snapshots, about what all of
a median model's 3,700 entries cost (by the (model, snapshot) index and the heap), and a
list that long is one board's blocks missing, where all the entries serve every board."""


# --- model page ------------------------------------------------------------------------------


@dataclass
class _Blocks:
    """What a model's blocks say: per board its series, names and newest price, and ``tails``:
    for each board whose blocks still hold, the snapshots they do not cover (an import added
    them since; empty when they cover the whole timeline). A board not in ``tails`` is read
    from the entries whole."""

    series: dict[int, Series] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    priced: dict[int, tuple[dt.date, tuple[Any, ...]]] = field(default_factory=dict)
    tails: dict[int, list[int]] = field(default_factory=dict)
    charted: dict[int, tuple[str, int]] = field(default_factory=dict)


def _read_blocks(model: AIModel, state: Timelines, *, charts: bool) -> _Blocks:
    """One query: every board's build (its fingerprint and length) with this model's block
    there, if any — one statement, so a rebuild committing meanwhile is seen whole or not at
    all. SQL of our own: the ORM's join and JSON conversion were most of the read. The chart
    text (``charts``) is a third of a block's bytes: read only for the page, which draws it."""
    build, block = HistoryBuild._meta.db_table, HistoryBlock._meta.db_table
    found = _Blocks()
    chart_text = "k.charts" if charts else "''"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT b.leaderboard_id, b.fingerprint, b.length, k.points, k.names, k.price, "
            f"{chart_text} "
            f"FROM {build} b LEFT JOIN {block} k "
            f"ON k.build_id = b.leaderboard_id AND k.model_id = %s",
            [model.pk],
        )
        rows = cursor.fetchall()
    for board_id, print_, length, packed, names, price, charted in rows:
        line = state.lines.get(board_id)
        if not print_ or line is None:
            continue  # blanked (a merge, an edit), or the board has no snapshot left
        if print_ == state.fingerprints[board_id]:
            tail: list[int] = []
        elif 0 < length < len(line) and print_ == state.prefix(board_id, length):
            tail = line[length:]  # newer snapshots since the build: only those from entries
        else:
            continue  # built from another timeline: the entries say
        if packed is not None:
            try:
                series = unpack_series(packed, model.preliminary_override)
            except packing.PackingError:
                logger.exception("history block of model %s on board %s", model.pk, board_id)
                continue  # unreadable: the entries say
            found.series[board_id] = series
            if charted:
                found.charted[board_id] = (charted, len(series.snapshot_id))
            found.names.update(json.loads(names))
            if price is not None:
                stored = json.loads(price)
                found.priced[board_id] = (dt.date.fromordinal(stored[0]), _price_values(stored))
        found.tails[board_id] = tail
    return found


def model_history(key: str, *, charts: bool = False) -> ModelHistory | None:
    """Everything the model page shows, or None for an unknown key; with ``charts``, each
    board's chart text from its block (``BoardHistory.charted``). Four queries: the model,
    the timelines' stamp, its blocks, its aliases (one more with a family or when blocks leave
    snapshots out; two more when the snapshots changed since this process last looked).

    Each board's points come from the model's block there (``HistoryBlock``: packed columns,
    unpacked without a Python loop per value) when the board's blocks were built from its
    timeline, or from its start (an import appended snapshots since: only those come from the
    entries). A board whose blocks cannot say — blanked by a merge, a snapshot replaced inside
    its timeline — is read from the model's entries, by their (model, snapshot) index without
    a join: which of them stand for their board and date comes from ``places``."""
    try:
        # get(), not first(): first() orders by name, and PostgreSQL then walked the name index.
        model = AIModel.objects.select_related("organization", "license", "family").get(key=key)
    except AIModel.DoesNotExist:
        return None
    state = places.timelines()
    stand = state.places
    override = model.preliminary_override
    read = _read_blocks(model, state, charts=charts)
    by_board, names, priced = read.series, read.names, read.priced
    # The snapshots no block covers: a board's newest ones since its blocks were built (an
    # import appended them), or every snapshot of a board whose blocks cannot say.
    wanted = [sid for board_id, tail in read.tails.items() for sid in tail]
    whole = [board_id for board_id in state.lines if board_id not in read.tails]
    wanted += [sid for board_id in whole for sid in state.lines[board_id]]
    if wanted:
        entries = Entry.objects.filter(model=model)
        if len(wanted) <= IN_LIST_LIMIT:
            entries = entries.filter(snapshot_id__in=wanted)
        rows = entries.order_by().values_list(*ENTRY_ROW)  # sorted per board below, not in SQL
        for (_, board_id), bucket in gather(rows, stand).items():
            points = [_point(row, override) for row in bucket.sorted_points()]
            tail = read.tails.get(board_id)
            if tail is None:  # no block can say: the entries are the whole history
                by_board[board_id] = Series.of(points)
            else:
                missing = set(tail)  # empty when the block covers it all (read whole anyway)
                points = [point for point in points if point.snapshot_id in missing]
                if not points:
                    continue
                block = by_board.get(board_id)
                by_board[board_id] = Series.of(points) if block is None else block.extended(points)
            names |= bucket.names
            newest = priced.get(board_id)
            if bucket.price is not None and (newest is None or newest[0] < bucket.price[0]):
                priced[board_id] = bucket.price
    aliases = ModelAlias.objects.filter(model=model).order_by().values_list("raw", flat=True)
    raw_names = sorted({*aliases, *names}, key=without_case)
    boards = state.boards
    histories = []
    for board_id, series in by_board.items():
        board = boards[board_id]
        current = series.find(board.current_snapshot_id)
        previous_id = state.previous_id(board.current_snapshot_id)
        standing = (
            Standing(
                board=board,
                point=current,
                previous=series.find(previous_id),
                has_previous_snapshot=previous_id is not None,
            )
            if current is not None
            else None
        )
        charted = read.charted.get(board_id, ("", 0))
        histories.append(BoardHistory(board, series, standing, charted))
    histories.sort(key=lambda h: (h.standing is None, h.board.display_order, h.board.slug))
    return ModelHistory(
        model=model,
        raw_names=raw_names,
        boards=histories,
        first_seen=min((h.series.published_on[0] for h in histories), default=None),
        last_seen=max((h.series.published_on[-1] for h in histories), default=None),
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


def _price_values(stored: Sequence[Any]) -> tuple[Decimal | None, Decimal | None, int | None]:
    _, price_in, price_out, context = stored
    return (
        None if price_in is None else Decimal(price_in),
        None if price_out is None else Decimal(price_out),
        context,
    )


# --- organisations ---------------------------------------------------------------------------


def organization_slugs(
    organizations: Iterable[Organization] | None = None,
) -> dict[str, Organization]:
    """``{slug: organisation}``, derived from names, deterministic. Of every organisation
    (no argument): held with the timelines, one query per change, the instances shared.

    Names are unique but their slugs need not be ("Allen AI" / "allen-ai"): the oldest
    organisation keeps the plain slug, later ones get ``-<id>``. A name with no letters or
    digits is ``org-<id>``. Unicode letters stay (``allow_unicode``), so 智谱 keeps a name.
    """
    if organizations is None:
        return places.timelines().organization_slugs
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
    """The organisation page, or None for an unknown slug. Four queries (three more when the
    snapshots changed since this process last looked: ``places``).

    Standings: each of its models on every board's current snapshot. Best ranks: for every
    board, the organisation's best rank on each snapshot of the timeline it appears on."""
    state = places.timelines()
    organization = state.organization_slugs.get(slug)
    if organization is None:
        return None
    models = list(AIModel.objects.filter(organization=organization).order_by("name"))
    overrides = {model.pk: model.preliminary_override for model in models}
    boards = [board for board in state.boards.values() if board.current_snapshot_id is not None]
    current_ids = [board.current_snapshot_id for board in boards]
    wanted = [*current_ids, *map(state.previous_id, current_ids)]
    rows = Entry.objects.filter(
        model_id__in=list(overrides), snapshot_id__in=[sid for sid in wanted if sid]
    ).values_list("model_id", *_POINT_FIELDS)
    points: dict[tuple[int, int], Point] = {}
    for row in rows:
        points[(row[0], row[1])] = _point(row[1:], overrides[row[0]])
    standings = []
    for model in models:
        mine = []
        for board in boards:
            current = points.get((model.pk, board.current_snapshot_id or 0))
            if current is None:
                continue
            previous_id = state.previous_id(current.snapshot_id)
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
    # By model id, no join: the (model, snapshot) index holds the rank; which snapshots
    # stand on a timeline (not superseded, one per date) comes from ``places``.
    best = dict(
        Entry.objects.filter(model_id__in=list(overrides))
        .order_by()
        .values("snapshot_id")
        .annotate(best=Min("rank"))
        .values_list("snapshot_id", "best")
    )
    best_ranks = []
    stand = state.places
    for board in boards:
        line = state.lines.get(board.pk, [])
        series = [(stand[sid].published_on, best[sid]) for sid in line if sid in best]
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
