"""The import pipeline: bytes → adapter → validation gate → one atomic write per snapshot.

Guarantees:
- every attempt is recorded as an ImportRun (except dry runs), with the raw payload stored
  compressed before anything is parsed, so a rejected or failed payload can be re-parsed;
- nothing is written unless every snapshot of the payload passes the gate (or staff force
  past its soft problems with a reason);
- each snapshot is written in one transaction and becomes the board's current snapshot in
  the same transaction, so readers never see half a snapshot;
- importing identical content again changes nothing (content hash);
- two imports of one source or board never run at once (a lease in ImportClaim).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from leaderboard.boards import BoardKey

from .. import cache_keys, sources
from ..models import (
    AIModel,
    Entry,
    ImportRun,
    Leaderboard,
    RawPayload,
    Snapshot,
    Source,
)
from ..ranking import RankedRow, assign_ranks
from ..sources.base import ChallengePage, FormatError, ParseResult, RowData, SnapshotData
from ..validation import Verdict, check_snapshot
from . import claims
from .identity import Resolver

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

ENTRY_BATCH_SIZE = 500
Status = ImportRun.Status


@dataclass(frozen=True, slots=True)
class ImportRequest:
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
    forced_by: AbstractBaseUser | None = None

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
class Outcome:
    status: str
    reason: str = ""
    format: str = ""
    counts: dict[str, object] = field(default_factory=dict)
    changes: dict[str, object] = field(default_factory=dict)
    run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return self.status in {Status.SUCCEEDED, Status.UNCHANGED}


class Rejected(Exception):
    """The payload did not pass the gate; nothing was written."""


def import_payload(request: ImportRequest, *, dry_run: bool = False) -> Outcome:
    """Run the whole pipeline for one payload and record it. Never raises for bad data:
    the outcome (and its ImportRun) says what happened."""
    if dry_run:
        return _dry_run(request)
    abandon_stale_runs()
    run = ImportRun.objects.create(
        trigger=request.trigger,
        origin=request.origin[:500],
        source=request.source,
        board_key=request.hint.slug,
        published_on=request.published_on,
        forced_by=request.forced_by if request.force else None,
        force_reason=request.force_reason.strip(),
    )
    run.payload = store_payload(
        request.data, origin=request.origin, content_type=request.content_type
    )
    run.save(update_fields=["payload"])
    try:
        outcome = _parse_validate_write(request, run)
    except Exception as error:
        # A bug or a killed task (SoftTimeLimitExceeded): the write transaction rolled back;
        # the run must not stay "running". Re-raised so the caller's logs have the traceback.
        finish_run(run, Outcome(status=Status.FAILED, reason=f"unexpected error: {error!r}"[:2000]))
        raise
    return finish_run(run, outcome)


def abandon_stale_runs() -> int:
    """Mark runs still "running" past their lease as failed: their process died (a killed
    worker or command). Their snapshot transaction never committed, so nothing was published."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.ARENA_IMPORT_CLAIM_SECONDS)
    return ImportRun.objects.filter(status=Status.RUNNING, started_at__lt=cutoff).update(
        status=Status.FAILED,
        reason="abandoned: the importing process stopped before finishing",
        finished_at=timezone.now(),
    )


def finish_run(run: ImportRun, outcome: Outcome) -> Outcome:
    run.status = outcome.status
    run.reason = outcome.reason
    run.format = outcome.format or run.format
    run.counts = outcome.counts
    run.changes = outcome.changes
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "reason", "format", "counts", "changes", "finished_at"])
    outcome.run = run
    log = logger.info if outcome.ok else logger.warning
    log("import %s from %s: %s %s", run.pk, run.origin, outcome.status, outcome.reason)
    return outcome


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


def purge_superseded(*, board: Leaderboard) -> int:
    """Delete the board's replaced snapshots whose grace period has passed (no request is
    still reading them). Returns how many were deleted; call inside the import's lease."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.ARENA_SUPERSEDED_GRACE_SECONDS)
    expired = Snapshot.all_objects.filter(leaderboard=board, superseded_at__lt=cutoff)
    Entry.objects.filter(snapshot__in=expired).delete()
    deleted, _ = expired.delete()
    return deleted


def payload_bytes(payload: RawPayload) -> bytes:
    return gzip.decompress(bytes(payload.compressed))


def force_publish(*, run: ImportRun, user: AbstractBaseUser, reason: str) -> Outcome:
    """Re-import a rejected run's stored payload past its soft problems, recording who and why."""
    if run.status != Status.REJECTED or run.payload is None:
        raise ValueError("only a rejected run with a stored payload can be force-published")
    if not reason.strip():
        raise ValueError("force-publishing needs a written reason")
    return import_payload(
        ImportRequest(
            data=payload_bytes(run.payload),
            origin=run.origin,
            trigger=ImportRun.Trigger.ADMIN,
            hint=BoardKey.parse(run.board_key),
            format_name=run.format or None,
            published_on=run.published_on,
            source=run.source,
            content_type=run.payload.content_type,
            force_reason=reason,
            forced_by=user,
        )
    )


# --- the pipeline ------------------------------------------------------------------------


def _parse(request: ImportRequest) -> tuple[str, ParseResult]:
    adapter = (
        sources.get_adapter(request.format_name)
        if request.format_name
        else sources.detect(request.data)
    )
    return adapter.name, adapter.parse(request.data, hint=request.hint)


def _dry_run(request: ImportRequest) -> Outcome:
    try:
        format_name, result = _parse(request)
    except FormatError as error:
        return Outcome(status=Status.REJECTED, reason=str(error))
    plans = _plan(result, request)
    problems = _problems(plans, force=request.force)
    return Outcome(
        status=Status.REJECTED if problems else Status.SUCCEEDED,
        reason="; ".join(problems),
        format=format_name,
        counts=_plan_counts(result, plans),
    )


def _parse_validate_write(request: ImportRequest, run: ImportRun) -> Outcome:
    try:
        format_name, result = _parse(request)
    except ChallengePage as error:
        return Outcome(status=Status.FAILED, reason=f"blocked by a bot challenge: {error}")
    except FormatError as error:
        return Outcome(status=Status.REJECTED, reason=str(error))
    run.format = format_name
    plans = _plan(result, request)
    counts = _plan_counts(result, plans)
    if problems := _problems(plans, force=request.force):
        return Outcome(
            status=Status.REJECTED, reason="; ".join(problems), format=format_name, counts=counts
        )
    source_label = request.source.slug if request.source else format_name
    # The lease covers exactly the boards this payload writes (or the metadata), whatever
    # source or hint it came with.
    keys = sorted({f"board:{plan.board.slug}" for plan in plans}) or ["metadata"]
    ttl = dt.timedelta(seconds=settings.ARENA_IMPORT_CLAIM_SECONDS)
    try:
        with claims.held_all(keys=keys, ttl=ttl):
            written = _write(plans, result, run=run, source_label=source_label)
    except claims.ClaimBusy as busy:
        return Outcome(status=Status.SKIPPED, reason=str(busy), format=format_name, counts=counts)
    except Rejected as error:
        return Outcome(status=Status.REJECTED, reason=str(error), format=format_name, counts=counts)
    counts.update(written.counts)
    status = Status.SUCCEEDED if written.changed else Status.UNCHANGED
    return Outcome(status=status, format=format_name, counts=counts, changes=written.changes)


def _plan(result: ParseResult, request: ImportRequest) -> list[Plan]:
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
    for plan in plans:
        # Upstream sometimes repeats a row verbatim (fboulnois 2025-08-04: Yi-34B-Chat twice);
        # an exact repeat says nothing new. Two *different* rows for one model stay a hard error.
        unique_rows = list(dict.fromkeys(plan.data.rows))
        if len(unique_rows) < len(plan.data.rows):
            result.warnings.append(
                f"{plan.board.slug} {plan.published_on}: dropped "
                f"{len(plan.data.rows) - len(unique_rows)} verbatim repeated rows"
            )
            plan.data.rows = unique_rows
    plans.sort(key=lambda plan: (plan.board.slug, plan.published_on))
    max_drop = settings.ARENA_MAX_ROW_DROP
    previous_in_payload: dict[BoardKey, int] = {}
    for plan in plans:
        previous = previous_in_payload.get(plan.board) or _previous_row_count(plan)
        plan.verdict = check_snapshot(plan.data, previous_row_count=previous, max_row_drop=max_drop)
        previous_in_payload[plan.board] = len(plan.data.rows)
    return plans


def _previous_row_count(plan: Plan) -> int | None:
    """Rows in the board's latest snapshot published on or before this one's date (a same-day
    snapshot counts: this one would replace it). None for a new board."""
    return (
        Snapshot.objects.filter(
            leaderboard__arena=plan.board.arena,
            leaderboard__category=plan.board.category,
            leaderboard__style_control=plan.board.style_control,
            published_on__lte=plan.published_on,
        )
        .order_by("-published_on", "-imported_at")
        .values_list("row_count", flat=True)
        .first()
    )


def _problems(plans: list[Plan], *, force: bool) -> list[str]:
    problems = []
    for plan in plans:
        if not plan.verdict.publishable(force=force):
            reasons = plan.verdict.hard if force else plan.verdict.reasons()
            problems.append(f"{plan.board.slug} {plan.published_on}: " + "; ".join(reasons))
    return problems


def _plan_counts(result: ParseResult, plans: list[Plan]) -> dict[str, object]:
    return {
        "snapshots_parsed": len(plans),
        "rows_parsed": sum(len(plan.data.rows) for plan in plans),
        "metadata_rows": len(result.metadata),
        "boards": sorted({plan.board.slug for plan in plans}),
        "warnings": result.warnings[:50],
        "soft_problems": [
            f"{plan.board.slug} {plan.published_on}: {problem}"
            for plan in plans
            for problem in plan.verdict.soft
        ],
    }


@dataclass(slots=True)
class _Written:
    counts: dict[str, int]
    changes: dict[str, object]
    changed: bool


def _write(
    plans: list[Plan], result: ParseResult, *, run: ImportRun, source_label: str
) -> _Written:
    created = unchanged = replaced = 0
    changes: dict[str, object] = {}
    # One transaction for the whole payload: it is published whole or not at all, and a
    # problem found while writing a later snapshot (Rejected) leaves nothing behind.
    with transaction.atomic():
        models_before = AIModel.objects.count()
        resolver = Resolver()  # inside the transaction: it sees what concurrent imports did
        for metadata in result.metadata:
            resolver.model(
                RowData(
                    model=metadata.model or metadata.model_key,
                    model_key=metadata.model_key,
                    score=0.0,
                    organization=metadata.organization,
                    license=metadata.license,
                    url=metadata.url,
                )
            )
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
        models_created = AIModel.objects.count() - models_before
        changed = bool(created or models_created or resolver.stats.models_updated)
        if changed:
            transaction.on_commit(cache_keys.bump)
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


def content_hash(plan: Plan) -> str:
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
        )
        for row in plan.data.rows
    )
    # No date: a payload that carries none is dated on import, and the same data imported on
    # another day must still be "unchanged".
    canonical = json.dumps(
        [plan.board.slug, plan.data.rank_kind, rows],
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
