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
from . import claims, planning
from .identity import Resolver
from .planning import Counts, ImportRequest, Plan, content_hash

logger = logging.getLogger(__name__)

ENTRY_BATCH_SIZE = 500
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
            "compressed": gzip.compress(data, mtime=0),
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
    plans = planning.plan(result, request)
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
    plans = planning.plan(result, request)
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
        for plan in plans:
            board, _ = Leaderboard.objects.get_or_create(
                arena=plan.board.arena,
                category=plan.board.category,
                style_control=plan.board.style_control,
                defaults={"metric": plan.data.metric},
            )
            digest = content_hash(plan)
            if Snapshot.objects.filter(leaderboard=board, content_hash=digest).exists():
                unchanged += 1
                continue
            purge_superseded(board=board)
            # Upstream revised the data of a date we hold: the new version replaces it. The old
            # one is only marked, so a reader that resolved it a moment ago still reads all of
            # its rows; the board's pointer moves to the new one below, in this transaction.
            replaced += Snapshot.objects.filter(
                leaderboard=board, published_on=plan.published_on, source=source_label
            ).update(superseded_at=timezone.now())
            board_changes = _write_snapshot(
                plan,
                board=board,
                digest=digest,
                run=run,
                source_label=source_label,
                resolver=resolver,
            )
            created += 1
            if board_changes is not None:
                changes[board.slug] = board_changes
        models_created = len(resolver.stats.new_models)  # this import's, not another's
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
) -> dict[str, object] | None:
    ranked = assign_ranks(plan.data.rows, rank_kind=plan.data.rank_kind)
    models = [resolver.model(item.row) for item in ranked]
    _refuse_merged_duplicates(ranked, models)
    votes = [item.row.votes for item in ranked if item.row.votes is not None]
    snapshot = Snapshot.objects.create(
        leaderboard=board,
        published_on=plan.published_on,
        source=source_label,
        rank_kind=plan.data.rank_kind or Snapshot.RankKind.POSITION,
        content_hash=digest,
        row_count=len(ranked),
        total_votes=sum(votes) if votes else None,
        import_run=run,
    )
    Entry.objects.bulk_create(
        (_entry(snapshot, item, model) for item, model in zip(ranked, models, strict=True)),
        batch_size=ENTRY_BATCH_SIZE,
    )
    previous = board.current_snapshot_id
    # Publish: only a snapshot at least as new as the current one takes its place, so a
    # back-fill of old dates adds history without moving the board back in time.
    became_current = (
        Leaderboard.objects.filter(pk=board.pk)
        .filter(
            Q(current_snapshot__isnull=True)
            | Q(current_snapshot__published_on__lte=plan.published_on)
        )
        .update(current_snapshot=snapshot)
    )
    if not became_current:
        return None
    return _diff(previous, snapshot, models, plan.published_on)


def _refuse_merged_duplicates(ranked: list[RankedRow], models: list[AIModel]) -> None:
    seen: dict[int, str] = {}
    for item, model in zip(ranked, models, strict=True):
        if model.pk in seen:
            raise Rejected(
                f"rows {seen[model.pk]!r} and {item.row.model!r} both map to the curated "
                f"model {model.name!r}: fix the alias in the admin"
            )
        seen[model.pk] = item.row.model


def _entry(snapshot: Snapshot, item: RankedRow, model: AIModel) -> Entry:
    row = item.row
    return Entry(
        snapshot=snapshot,
        model=model,
        rank=item.rank,
        upstream_rank=row.rank,
        rank_upper=item.rank_upper,
        rank_lower=item.rank_lower,
        score=row.score,
        rating_lower=row.rating_lower,
        rating_upper=row.rating_upper,
        votes=row.votes,
        preliminary=row.preliminary,
        raw_model=(row.raw_model or row.model)[:300],
        raw_organization=row.organization[:200],
        raw_license=row.license[:200],
        price_input=row.price_input,
        price_output=row.price_output,
        context_tokens=row.context_tokens,
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
