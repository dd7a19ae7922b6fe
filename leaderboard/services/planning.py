"""Planning an import: bytes → adapter → snapshots placed on their boards and dates → the
validation gate's verdict on each. Reads the database (previous row counts, published content
hashes) and never writes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet

from leaderboard.boards import BoardKey

from .. import sources
from ..models import Snapshot, Source
from ..sources.base import ParseResult, RowData, SnapshotData
from ..validation import Verdict, check_snapshot

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """One payload's bytes and everything said about them."""

    data: bytes
    origin: str
    trigger: str
    hint: BoardKey = field(default_factory=BoardKey)
    format_name: str | None = None
    """Adapter name; None sniffs the bytes."""
    published_on: dt.date | None = None
    """Used when the payload carries no date of its own."""
    fetched_at: dt.datetime | None = None
    """When the bytes were fetched live; None for a file (see ``date_snapshot``)."""
    upstream_updated_at: dt.datetime | None = None
    """When upstream says the fetched revision was made, from outside the payload (the HF
    dataset's commit time)."""
    source: Source | None = None
    content_type: str = ""
    force_reason: str = ""
    forced_by: User | None = None

    @property
    def force(self) -> bool:
        return bool(self.force_reason.strip())


@dataclass(slots=True)
class Plan:
    """One parsed snapshot, placed on its board and date, with its gate verdict."""

    board: BoardKey
    published_on: dt.date
    data: SnapshotData
    verdict: Verdict
    dated_by: str = Snapshot.DatedBy.PAYLOAD
    upstream_updated_at: dt.datetime | None = None
    digest: str = ""
    """``content_hash`` once computed (the rows do not change after planning)."""


@dataclass(slots=True)
class Counts:
    """What an import read and (once ``written``) wrote. Stored on ``ImportRun.counts`` as
    JSON with these field names as keys; the write counts only once something was written."""

    snapshots_parsed: int = 0
    rows_parsed: int = 0
    metadata_rows: int = 0
    boards: list[str] = field(default_factory=list)
    dating: list[str] = field(default_factory=list)
    """How each snapshot not dated by the payload itself got its date."""
    warnings: list[str] = field(default_factory=list)
    soft_problems: list[str] = field(default_factory=list)
    written: bool = False
    snapshots_created: int = 0
    snapshots_unchanged: int = 0
    snapshots_replaced: int = 0
    models_created: int = 0
    models_updated: int = 0
    organizations_created: int = 0
    licenses_created: int = 0
    aliases_created: int = 0

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        del data["written"]
        if not self.written:
            for name in _WRITE_FIELDS:
                del data[name]
        return data


_NAMES = [f.name for f in fields(Counts)]
_WRITE_FIELDS = _NAMES[_NAMES.index("written") + 1 :]


def parse(request: ImportRequest) -> tuple[str, ParseResult]:
    """The adapter's name and its result. Raises FormatError (ChallengePage included)."""
    adapter = (
        sources.get_adapter(request.format_name)
        if request.format_name
        else sources.detect(request.data)
    )
    return adapter.name, adapter.parse(request.data, hint=request.hint)


class Undated(ValueError):
    """A file's snapshot carries no date, its name names none and none was given."""


# A date in a file name: leaderboard_table_20240109.csv, elo_results_20240109.pkl,
# leaderboard-text_json_2025-03-07.json. Digits around it belong to something else.
_NAME_DATE = re.compile(r"(?<!\d)(20\d\d)(-?)([01]\d)\2([0-3]\d)(?!\d)")


def name_date(origin: str) -> dt.date | None:
    """The one date named by the last segment of a file path or URL path; None when it
    names none, or two different ones (``…_2026-06-04_to_2026-10-02…``: which?)."""
    path = urlsplit(origin).path if "://" in origin else origin
    name = PurePosixPath(path.replace("\\", "/")).name
    found = set()
    for match in _NAME_DATE.finditer(name):
        year, _, month, day = match.groups()
        try:
            found.add(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found.pop() if len(found) == 1 else None


def date_snapshot(
    data: SnapshotData, result: ParseResult, request: ImportRequest
) -> tuple[dt.date, str]:
    """The publish date of one parsed snapshot and where it came from: the one place that
    decides it. First the payload's own date (the snapshot's, else the time the payload says
    it was produced), then the date given with the import (``--published-on``, the upload
    form), then a date in the file or URL name, then — a live fetch only — the fetch date.
    A file with none of them raises ``Undated``: never silently today's date."""
    stated = data.updated_at or result.generated_at
    if data.published_on is not None:
        return data.published_on, Snapshot.DatedBy.PAYLOAD
    if stated is not None:
        return stated.astimezone(dt.UTC).date(), Snapshot.DatedBy.PAYLOAD
    if request.published_on is not None:
        return request.published_on, Snapshot.DatedBy.GIVEN
    if (named := name_date(request.origin)) is not None:
        return named, Snapshot.DatedBy.FILE_NAME
    if request.fetched_at is not None:
        return request.fetched_at.astimezone(dt.UTC).date(), Snapshot.DatedBy.FETCH
    raise Undated(
        f"{request.origin or 'the payload'}: it carries no date of its own and its name holds "
        "none (YYYYMMDD or YYYY-MM-DD); give the date upstream published it with "
        "--published-on YYYY-MM-DD (in the admin: the upload's published-on date)"
    )


def plan(result: ParseResult, request: ImportRequest) -> list[Plan]:
    """Place every snapshot on its board and date (``date_snapshot``) and run the gate on
    it. Raises ``Undated`` for a file snapshot that nothing dates."""
    plans = []
    for data in result.snapshots:
        published_on, dated_by = date_snapshot(data, result, request)
        plans.append(
            Plan(
                board=BoardKey(
                    arena=data.arena or request.hint.arena,
                    category=data.category or request.hint.category,
                    style_control=(
                        data.style_control
                        if data.style_control is not None
                        else request.hint.style_control
                    ),
                ),
                published_on=published_on,
                data=data,
                verdict=Verdict(),
                dated_by=dated_by,
                upstream_updated_at=data.updated_at or result.generated_at,
            )
        )
    if request.upstream_updated_at is not None and plans:
        # A revision's commit time says when its newest data was published, not when a
        # years-old snapshot of the ``full`` split was.
        newest = max(item.published_on for item in plans)
        for item in plans:
            if item.upstream_updated_at is None and item.published_on == newest:
                item.upstream_updated_at = request.upstream_updated_at
    for item in plans:
        # Upstream sometimes repeats a row verbatim (fboulnois 2025-08-04: Yi-34B-Chat twice);
        # an exact repeat says nothing new. Two *different* rows for one model stay a hard error.
        unique_rows = list(dict.fromkeys(item.data.rows))
        if len(unique_rows) < len(item.data.rows):
            result.warnings.append(
                f"{item.board.slug} {item.published_on}: dropped "
                f"{len(item.data.rows) - len(unique_rows)} verbatim repeated rows"
            )
            item.data.rows = unique_rows
    plans.sort(key=lambda item: (item.board.slug, item.published_on))
    max_drop = settings.ARENA_MAX_ROW_DROP
    previous_in_payload: dict[BoardKey, int] = {}
    for item in plans:
        previous = (
            previous_in_payload[item.board]
            if item.board in previous_in_payload
            else _previous_row_count(item)
        )
        item.verdict = check_snapshot(item.data, previous_row_count=previous, max_row_drop=max_drop)
        previous_in_payload[item.board] = len(item.data.rows)
    return plans


def _previous_row_count(item: Plan) -> int | None:
    """Rows in the board's latest snapshot published on or before this one's date (a same-day
    snapshot counts: this one would replace it). None for a new board."""
    return (
        _board_snapshots(item.board)
        .filter(published_on__lte=item.published_on)
        .order_by("-published_on", "-imported_at")
        .values_list("row_count", flat=True)
        .first()
    )


def _board_snapshots(board: BoardKey) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(
        leaderboard__arena=board.arena,
        leaderboard__category=board.category,
        leaderboard__style_control=board.style_control,
    )


def problems(plans: list[Plan], *, force: bool) -> list[str]:
    """Why the payload may not be published (empty: it may)."""
    found = []
    for item in plans:
        if not item.verdict.publishable(force=force):
            reasons = item.verdict.hard if force else item.verdict.reasons()
            found.append(f"{item.board.slug} {item.published_on}: " + "; ".join(reasons))
    return found


_DATING: dict[str, str] = {
    Snapshot.DatedBy.GIVEN: "the date given with the import",
    Snapshot.DatedBy.FILE_NAME: "the date in the file name",
    Snapshot.DatedBy.FETCH: "the fetch date: the payload carries no date",
}


def plan_counts(result: ParseResult, plans: list[Plan]) -> Counts:
    return Counts(
        snapshots_parsed=len(plans),
        rows_parsed=sum(len(item.data.rows) for item in plans),
        metadata_rows=len(result.metadata),
        boards=sorted({item.board.slug for item in plans}),
        dating=[
            f"{item.board.slug} {item.published_on}: dated by {_DATING[item.dated_by]}"
            for item in plans
            if item.dated_by != Snapshot.DatedBy.PAYLOAD
        ][:50],
        warnings=result.warnings[:50],
        soft_problems=[
            f"{item.board.slug} {item.published_on}: {problem}"
            for item in plans
            for problem in item.verdict.soft
        ],
    )


def already_published(plans: list[Plan]) -> list[Plan]:
    """The plans whose exact content (``content_hash``) their board already holds. One
    query per board."""
    by_board: dict[BoardKey, list[Plan]] = {}
    for item in plans:
        by_board.setdefault(item.board, []).append(item)
    found = []
    for board, items in by_board.items():
        held = set(
            _board_snapshots(board)
            .filter(content_hash__in=[content_hash(item) for item in items])
            .values_list("content_hash", flat=True)
        )
        found += [item for item in items if item.digest in held]
    return found


def _price_and_context(row: RowData) -> tuple[object, ...]:
    """Price and context join a row's hashed fields only when the row carries one: a changed
    price is a changed table, while a row without them hashes exactly as before they were
    read, so re-importing an old payload of a format without them stays "unchanged"."""
    values = (row.price_input, row.price_output, row.context_tokens)
    return ("price-context", *values) if any(v is not None for v in values) else ()


def content_hash(item: Plan) -> str:
    """sha256 of everything a snapshot's rows say, independent of row order and curation."""
    if item.digest:
        return item.digest
    rows = sorted(
        (
            row.model_key,
            row.model,
            row.score,
            row.rating_lower,
            row.rating_upper,
            row.votes,
            row.rank,
            row.rank_upper,
            row.rank_lower,
            row.preliminary,
            row.organization,
            row.license,
            row.url,
            *_price_and_context(row),
        )
        for row in item.data.rows
    )
    # No date: a payload that carries none is dated by its name or its fetch, and the same
    # data imported under another name or on another day must still be "unchanged".
    canonical = json.dumps(
        [item.board.slug, item.data.rank_kind, rows],
        default=str,
        separators=(",", ":"),
    )
    item.digest = hashlib.sha256(canonical.encode()).hexdigest()
    return item.digest
