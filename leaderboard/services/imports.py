"""Importing one stored payload for a started ImportRun: plan (``planning``), gate, write.

Guarantees:
- nothing is written unless every snapshot of the payload passes the gate (or staff force
  past its soft problems with a reason);
- the whole payload is written in **one** transaction, and each snapshot becomes its board's
  current one inside it: readers see all of the payload or none of it, and a problem found
  while writing a later snapshot (``Rejected``) leaves nothing behind;
- importing identical content again changes nothing (content hash); a payload of snapshots
  only (no model metadata) is found "unchanged" before any lease is waited for;
- two imports of one board never write at once: a lease per board in ImportClaim, held by
  the run (its heartbeat renews it), and confirmed inside the write transaction just before
  it commits, so an import whose lease ran out and was taken over rolls back (SKIPPED).

The run itself (start, heartbeat, finish, failure) belongs to ``services.runs``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import cache_keys
from ..models import AIModel, Entry, ImportRun, Leaderboard, RawPayload, Snapshot
from ..ranking import RankedRow, assign_ranks
from ..sources.base import ChallengePage, FormatError, ModelMetadata, ParseResult, RowData
from . import bulk, claims, families, planning
from .identity import Resolver
from .planning import Counts, ImportRequest, Plan, content_hash

logger = logging.getLogger(__name__)

Status = ImportRun.Status


@dataclass(slots=True)
class Outcome:
    status: str
    reason: str = ""
    format: str = ""
    counts: Counts = field(default_factory=Counts)
    changes: dict[str, object] = field(default_factory=dict)
    run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return self.status in {Status.SUCCEEDED, Status.UNCHANGED}


class Rejected(Exception):
    """The payload did not pass the gate; nothing was written."""


def store_payload(data: bytes, *, origin: str, content_type: str = "") -> RawPayload:
    """Keep the exact bytes (gzip), once per content. Idempotent."""
    digest = hashlib.sha256(data).hexdigest()
    payload, _ = RawPayload.objects.get_or_create(
        sha256=digest,
        defaults={
            "size": len(data),
            "compressed": gzip.compress(data, compresslevel=6, mtime=0),  # 2× faster than 9
            "origin": origin[:500],
            "content_type": content_type[:100],
        },
    )
    return payload


def purge_superseded(*, board: Leaderboard | None = None) -> int:
    """Delete replaced snapshots (of ``board``, or of every board) whose grace period has
    passed: no request is still reading them. One transaction; returns how many snapshots
    went. Each import purges its boards; the every-minute sweep purges the rest."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.ARENA_SUPERSEDED_GRACE_SECONDS)
    expired = Snapshot.all_objects.filter(superseded_at__lt=cutoff)
    if board is not None:
        expired = expired.filter(leaderboard=board)
    with transaction.atomic():
        Entry.objects.filter(snapshot__in=expired).delete()
        deleted, _ = expired.delete()
    return deleted


def payload_bytes(payload: RawPayload) -> bytes:
    return gzip.decompress(bytes(payload.compressed))


def dry_run(request: ImportRequest) -> Outcome:
    """Parse and gate only: writes nothing at all (no run, no payload)."""
    try:
        format_name, result = planning.parse(request)
    except FormatError as error:
        return Outcome(status=Status.REJECTED, reason=str(error))
    try:
        plans = planning.plan(result, request)
    except planning.Undated as error:
        return Outcome(status=Status.REJECTED, reason=str(error), format=format_name)
    problems = planning.problems(plans, force=request.force)
    return Outcome(
        status=Status.REJECTED if problems else Status.SUCCEEDED,
        reason="; ".join(problems),
        format=format_name,
        counts=planning.plan_counts(result, plans),
    )


def process(
    request: ImportRequest, *, run: ImportRun, report: Callable[[str], None] = lambda _: None
) -> Outcome:
    """Parse, gate and write ``request`` for ``run`` (already started, payload stored).

    Never raises for bad data or a busy board: the outcome says REJECTED, FAILED (a bot
    challenge), SKIPPED (another import holds a board) or UNCHANGED. ``report`` hears the
    phase, for the run's progress line."""
    report("parsing")
    try:
        format_name, result = planning.parse(request)
    except ChallengePage as error:
        return Outcome(status=Status.FAILED, reason=f"blocked by a bot challenge: {error}")
    except FormatError as error:
        return Outcome(status=Status.REJECTED, reason=str(error))
    run.format = format_name
    report("validating")
    try:
        plans = planning.plan(result, request)
    except planning.Undated as error:
        return Outcome(status=Status.REJECTED, reason=str(error), format=format_name)
    counts = planning.plan_counts(result, plans)
    if problems := planning.problems(plans, force=request.force):
        return Outcome(
            status=Status.REJECTED, reason="; ".join(problems), format=format_name, counts=counts
        )
    if plans and not result.metadata and len(planning.already_published(plans)) == len(plans):
        # Decided before waiting for any lease: a rerun of a published file is never "busy".
        counts.written, counts.snapshots_unchanged = True, len(plans)
        return Outcome(status=Status.UNCHANGED, format=format_name, counts=counts)
    source_label = request.source.slug if request.source else format_name
    # The lease covers exactly the boards this payload writes (or the metadata), whatever
    # source or hint it came with.
    keys = sorted({f"board:{item.board.slug}" for item in plans}) or ["metadata"]
    report(f"writing {len(plans)} snapshot(s), {counts.rows_parsed} rows")
    try:
        with claims.held_all(keys=keys, ttl=claims.lease(), run=run) as held:
            written = _write(plans, result, run=run, source_label=source_label, held=held)
    except claims.ClaimBusy as busy:
        return Outcome(status=Status.SKIPPED, reason=str(busy), format=format_name, counts=counts)
    except Rejected as error:
        return Outcome(status=Status.REJECTED, reason=str(error), format=format_name, counts=counts)
    _merge(counts, written.counts)
    status = Status.SUCCEEDED if written.changed else Status.UNCHANGED
    return Outcome(status=status, format=format_name, counts=counts, changes=written.changes)


def _merge(counts: Counts, written: dict[str, int]) -> None:
    counts.written = True
    for name, value in written.items():
        setattr(counts, name, value)


@dataclass(slots=True)
class _Written:
    counts: dict[str, int]
    changes: dict[str, object]
    changed: bool


@dataclass(slots=True)
class _BoardState:
    """One board while a payload writes it: read once, then kept up to date in memory, so the
    payload costs a few statements per board instead of a dozen per snapshot."""

    board: Leaderboard
    hashes: set[str]
    """Content hashes of its live snapshots (unique per board)."""
    dates: dict[dt.date, tuple[str, Snapshot | None]]
    """Its live snapshots from this source: date → (content hash, the snapshot when this
    payload creates it, else None: it is in the database)."""
    current: tuple[Snapshot | int, dt.date] | None
    """Its current snapshot (as this payload moves it) and that snapshot's date."""
    replaced_dates: list[dt.date] = field(default_factory=list)
    """Dates whose live snapshot in the database a new version replaces."""
    previous: Snapshot | int | None = None
    """The current snapshot before ``current`` (what the change summary compares with)."""
    published: tuple[Snapshot, list[AIModel]] | None = None
    """The newest snapshot of this payload that takes the board's current place."""


def _board_state(plan: Plan, source_label: str) -> _BoardState:
    board, _ = Leaderboard.objects.select_related("current_snapshot").get_or_create(
        arena=plan.board.arena,
        category=plan.board.category,
        style_control=plan.board.style_control,
        defaults={"metric": plan.data.metric},
    )
    purge_superseded(board=board)
    hashes: set[str] = set()
    dates: dict[dt.date, tuple[str, Snapshot | None]] = {}
    live = Snapshot.objects.filter(leaderboard=board)
    for published_on, source, digest in live.values_list("published_on", "source", "content_hash"):
        hashes.add(digest)
        if source == source_label:
            dates[published_on] = (digest, None)
    current = board.current_snapshot
    return _BoardState(
        board=board,
        hashes=hashes,
        dates=dates,
        current=(current.pk, current.published_on) if current is not None else None,
    )


def _write(
    plans: list[Plan],
    result: ParseResult,
    *,
    run: ImportRun,
    source_label: str,
    held: claims.Held | None = None,
) -> _Written:
    created = unchanged = replaced = 0
    changes: dict[str, object] = {}
    # One transaction for the whole payload: it is published whole or not at all, and a
    # problem found while writing a later snapshot (Rejected) leaves nothing behind.
    with transaction.atomic():
        resolver = Resolver()  # inside the transaction: it sees what concurrent imports did
        # New names first, in one sorted order: two imports creating the same new names
        # cannot then wait on each other's half (a deadlock on PostgreSQL otherwise).
        resolver.prepare(
            [*(_metadata_row(metadata) for metadata in result.metadata)]
            + [row for plan in plans for row in plan.data.rows]
        )
        for metadata in result.metadata:
            resolver.model(_metadata_row(metadata))
        # First decide, in memory, what each snapshot does; then write it all in a few
        # statements: the replaced dates marked, the snapshots, their entries, the pointers.
        boards: dict[object, _BoardState] = {}
        written: list[tuple[Snapshot, list[RankedRow], list[AIModel]]] = []
        now = timezone.now()
        for plan in plans:
            state = boards.get(plan.board)
            if state is None:
                state = boards[plan.board] = _board_state(plan, source_label)
            digest = content_hash(plan)
            if digest in state.hashes:
                unchanged += 1
                continue
            snapshot, ranked, models = _write_snapshot(
                plan, board=state.board, digest=digest, run=run, source_label=source_label,
                resolver=resolver,
            )  # fmt: skip
            written.append((snapshot, ranked, models))
            created += 1
            if (old := state.dates.get(plan.published_on)) is not None:
                # Upstream revised the data of a date we hold: the new version replaces it.
                # The old one is only marked, so a reader that resolved it a moment ago still
                # reads all of its rows; the board's pointer moves below, in this transaction.
                old_digest, old_snapshot = old
                if old_snapshot is None:
                    state.replaced_dates.append(plan.published_on)
                else:  # created by this very payload: it is written already replaced
                    old_snapshot.superseded_at = now
                    replaced += 1
                state.hashes.discard(old_digest)
            state.hashes.add(digest)
            state.dates[plan.published_on] = (digest, snapshot)
            # Only a snapshot at least as new as the current one takes its place, so a
            # back-fill of old dates adds history without moving the board back in time.
            if state.current is None or state.current[1] <= plan.published_on:
                state.previous = state.current[0] if state.current else None
                state.current = (snapshot, plan.published_on)
                state.published = (snapshot, models)
        for state in boards.values():
            if state.replaced_dates:
                replaced += Snapshot.objects.filter(
                    leaderboard=state.board,
                    source=source_label,
                    published_on__in=state.replaced_dates,
                ).update(superseded_at=now)
        Snapshot.objects.bulk_create([snapshot for snapshot, _, _ in written])
        bulk.insert_entries(
            _entry_row(snapshot.pk, item, model.pk)
            for snapshot, ranked, models in written
            for item, model in zip(ranked, models, strict=True)
        )
        for state in boards.values():
            if (board_changes := _publish(state)) is not None:
                changes[state.board.slug] = board_changes
        models_created = len(resolver.stats.new_models)  # this import's, not another's
        if models_created:
            families.apply_family_rules()  # new variants join their family at once
        changed = bool(created or models_created or resolver.stats.models_updated)
        if changed:
            transaction.on_commit(cache_keys.bump)
        if held is not None:
            held.confirm()  # still ours, up to the commit: else roll back (SKIPPED)
    stats = resolver.stats
    if stats.disagreements:
        changes["disagreements"] = stats.disagreements[:50]
    return _Written(
        counts={
            "snapshots_created": created,
            "snapshots_unchanged": unchanged,
            "snapshots_replaced": replaced,
            "models_created": models_created,
            "models_updated": stats.models_updated,
            "organizations_created": len(stats.new_organizations),
            "licenses_created": len(stats.new_licenses),
            "aliases_created": stats.new_aliases,
        },
        changes=changes,
        changed=changed,
    )


def _metadata_row(metadata: ModelMetadata) -> RowData:
    return RowData(
        model=metadata.model or metadata.model_key,
        model_key=metadata.model_key,
        score=0.0,
        organization=metadata.organization,
        license=metadata.license,
        url=metadata.url,
    )


def _write_snapshot(
    plan: Plan,
    *,
    board: Leaderboard,
    digest: str,
    run: ImportRun,
    source_label: str,
    resolver: Resolver,
) -> tuple[Snapshot, list[RankedRow], list[AIModel]]:
    """Rank and resolve one snapshot's rows; the snapshot (not saved yet: ``_write`` saves
    them all in one statement) with its ranked rows and their models."""
    ranked = assign_ranks(plan.data.rows, rank_kind=plan.data.rank_kind)
    models = [resolver.model(item.row) for item in ranked]
    _refuse_merged_duplicates(ranked, models)
    votes = [item.row.votes for item in ranked if item.row.votes is not None]
    snapshot = Snapshot(
        leaderboard=board,
        published_on=plan.published_on,
        dated_by=plan.dated_by,
        upstream_updated_at=plan.upstream_updated_at,
        source=source_label,
        rank_kind=plan.data.rank_kind or Snapshot.RankKind.POSITION,
        content_hash=digest,
        row_count=len(ranked),
        total_votes=sum(votes) if votes else None,
        import_run=run,
    )
    return snapshot, ranked, models


def _publish(state: _BoardState) -> dict[str, object] | None:
    """Point the board at the newest snapshot this payload gave it (if it is at least as new
    as its current one) and summarise the change; None when it did not move."""
    if state.published is None:
        return None
    snapshot, models = state.published
    moved = (
        Leaderboard.objects.filter(pk=state.board.pk)
        .filter(
            Q(current_snapshot__isnull=True)
            | Q(current_snapshot__published_on__lte=snapshot.published_on)
        )
        .update(current_snapshot=snapshot)
    )
    if not moved:
        return None
    previous = state.previous.pk if isinstance(state.previous, Snapshot) else state.previous
    return _diff(previous, snapshot, models, snapshot.published_on)


def _refuse_merged_duplicates(ranked: list[RankedRow], models: list[AIModel]) -> None:
    seen: dict[int, str] = {}
    for item, model in zip(ranked, models, strict=True):
        if model.pk in seen:
            raise Rejected(
                f"rows {seen[model.pk]!r} and {item.row.model!r} both map to the curated "
                f"model {model.name!r}: fix the alias in the admin"
            )
        seen[model.pk] = item.row.model


def _entry_row(snapshot_id: int, item: RankedRow, model_id: int) -> tuple[object, ...]:
    """One entry as ``bulk.ENTRY_FIELDS`` orders it (the strings cut to their columns)."""
    row = item.row
    return (
        snapshot_id,
        model_id,
        item.rank,
        row.rank,
        item.rank_upper,
        item.rank_lower,
        row.score,
        row.rating_lower,
        row.rating_upper,
        row.votes,
        row.preliminary,
        (row.raw_model or row.model)[:300],
        row.organization[:200],
        row.license[:200],
        row.price_input,
        row.price_output,
        row.context_tokens,
    )


def _diff(
    previous_id: int | None, snapshot: Snapshot, models: list[AIModel], published_on: dt.date
) -> dict[str, object]:
    new_ranks = {model.pk: rank for rank, model in enumerate(models, start=1)}
    old_ranks = (
        dict(Entry.objects.filter(snapshot_id=previous_id).values_list("model_id", "rank"))
        if previous_id
        else {}
    )
    names = {model.pk: model.name for model in models}
    dropped = AIModel.objects.filter(pk__in=old_ranks.keys() - new_ranks.keys())
    return {
        "published_on": published_on.isoformat(),
        "snapshot": snapshot.pk,
        "previous_snapshot": previous_id,
        "new_models": sorted(names[pk] for pk in new_ranks.keys() - old_ranks.keys())[:50],
        "dropped_models": sorted(dropped.values_list("name", flat=True))[:50],
        "rank_changes": sum(
            1 for pk, rank in new_ranks.items() if pk in old_ranks and old_ranks[pk] != rank
        ),
    }
