"""Planning an import: bytes → adapter → snapshots placed on their boards and dates → the
validation gate's verdict on each. Reads the database (previous row counts, published content
hashes) and never writes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

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


@dataclass(slots=True)
class Counts:
    """What an import read and (once ``written``) wrote. Stored on ``ImportRun.counts`` as
    JSON with these field names as keys; the write counts only once something was written."""

    snapshots_parsed: int = 0
    rows_parsed: int = 0
    metadata_rows: int = 0
    boards: list[str] = field(default_factory=list)
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


def plan(result: ParseResult, request: ImportRequest) -> list[Plan]:
    """Place every snapshot on its board and date and run the gate on it."""
    fallback_date = (
        request.published_on
        or (result.generated_at.date() if result.generated_at else None)
        or timezone.now().date()
    )
    plans = [
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
            published_on=data.published_on or fallback_date,
            data=data,
            verdict=Verdict(),
        )
        for data in result.snapshots
    ]
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


def plan_counts(result: ParseResult, plans: list[Plan]) -> Counts:
    return Counts(
        snapshots_parsed=len(plans),
        rows_parsed=sum(len(item.data.rows) for item in plans),
        metadata_rows=len(result.metadata),
        boards=sorted({item.board.slug for item in plans}),
        warnings=result.warnings[:50],
        soft_problems=[
            f"{item.board.slug} {item.published_on}: {problem}"
            for item in plans
            for problem in item.verdict.soft
        ],
    )


def already_published(plans: list[Plan]) -> list[Plan]:
    """The plans whose exact content (``content_hash``) their board already holds."""
    return [
        item
        for item in plans
        if _board_snapshots(item.board).filter(content_hash=content_hash(item)).exists()
    ]


def _price_and_context(row: RowData) -> tuple[object, ...]:
    """Price and context join a row's hashed fields only when the row carries one: a changed
    price is a changed table, while a row without them hashes exactly as before they were
    read, so re-importing an old payload of a format without them stays "unchanged"."""
    values = (row.price_input, row.price_output, row.context_tokens)
    return ("price-context", *values) if any(v is not None for v in values) else ()


def content_hash(item: Plan) -> str:
    """sha256 of everything a snapshot's rows say, independent of row order and curation."""
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
    # No date: a payload that carries none is dated on import, and the same data imported on
    # another day must still be "unchanged".
    canonical = json.dumps(
        [item.board.slug, item.data.rank_kind, rows],
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
