"""An import run's life, and the one door every import comes through.

``import_origin`` imports a configured source, a URL or a file; ``import_payload`` bytes in
hand; ``queue_upload`` + ``run_queued`` an upload the worker imports later. Tasks, commands
and the admin are thin doors into these.

Guarantees:
- every attempt but a dry run is recorded as an ImportRun, its raw payload stored (gzip) before
  anything is parsed; a fetch that fails is a FAILED run;
- a run never stays ``running``: any exit (``BaseException`` included: a worker's time limit,
  SystemExit from gunicorn's timeout, KeyboardInterrupt) ends it as FAILED, and a run whose
  process died (SIGKILL, power loss) stops beating and is marked FAILED by the next import or
  the every-minute sweep once its heartbeat is older than one lease;
- while a run is alive a heartbeat thread, on its own database connection, stamps the run
  and renews the run's board leases every third of a lease. The import's write transaction
  never touches those rows, so on PostgreSQL the renewal never waits for it; on SQLite (one
  writer) the renewal waits behind it and nobody else can write meanwhile either, so the
  lease cannot be taken over while the write is under way;
- options are honoured for every origin or refused with ``ImportRefused`` before anything
  is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from leaderboard.boards import BoardKey

from .. import http, sources
from ..models import ImportClaim, ImportRun, Source
from ..sources.base import FormatError
from . import claims, fetching, imports
from .imports import Outcome
from .planning import ImportRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

Status = ImportRun.Status
DEFAULT_BOARD = BoardKey()


class ImportRefused(ValueError):
    """The options cannot be honoured for this origin; nothing was started or written."""


@dataclass(frozen=True, slots=True)
class FromSource:
    source: Source


@dataclass(frozen=True, slots=True)
class FromUrl:
    url: str


@dataclass(frozen=True, slots=True)
class FromFile:
    data: bytes
    name: str
    content_type: str = ""


Origin = FromSource | FromUrl | FromFile


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOptions:
    trigger: str
    board: BoardKey | None = None
    """The board for payloads that do not say; None: the source's own, else text/overall."""
    format_name: str | None = None
    """Adapter name; None: the source's format, else sniffed from the bytes."""
    published_on: dt.date | None = None
    dry_run: bool = False
    force: bool = False
    force_reason: str = ""
    forced_by: User | None = None
    force_fetch: bool = False
    """Sources only: download even when the upstream revision is the one imported last."""


def check_options(origin: Origin, options: ImportOptions) -> None:
    """Raise ImportRefused, with a sentence a person can act on, for options that cannot be
    honoured for ``origin``."""
    if options.force and not options.force_reason.strip():
        raise ImportRefused("forcing past the gate needs a written reason")
    if options.force_reason.strip() and not options.force:
        raise ImportRefused("a force reason was given without forcing")
    if options.format_name is not None and options.format_name not in sources.names():
        known = ", ".join(sources.names())
        raise ImportRefused(f"unknown format {options.format_name!r}; known: {known}")
    if options.force_fetch and not isinstance(origin, FromSource):
        raise ImportRefused("only a configured source has an upstream revision to fetch past")


def import_origin(origin: Origin, options: ImportOptions) -> Outcome:
    """Import (or with ``dry_run`` only parse and gate) one origin. Raises ImportRefused for
    options it cannot honour; otherwise never raises for bad data or a failed fetch."""
    check_options(origin, options)
    if isinstance(origin, FromFile):
        request = _request(
            options, data=origin.data, origin=origin.name, content_type=origin.content_type
        )
        return import_payload(request, dry_run=options.dry_run)
    source = origin.source if isinstance(origin, FromSource) else None
    label = source.url if source is not None else origin.url if isinstance(origin, FromUrl) else ""
    try:
        if source is None:
            fetched: fetching.Fetched | None = fetching.fetch_url(label)
        else:
            # A dry run wants to see the data, even of a revision imported already.
            force_fetch = options.force_fetch or options.dry_run
            fetched = fetching.fetch_source(source, force_fetch=force_fetch)
    except (http.FetchError, FormatError) as error:
        return _record_without_payload(source, label, options, Status.FAILED, str(error))
    except BaseException as error:  # a bug, or the worker's time limit: recorded, then raised
        reason = f"unexpected error: {error!r}"[:1000]
        _record_without_payload(source, label, options, Status.FAILED, reason)
        raise
    if fetched is None:
        assert source is not None  # only a source can be "revision already imported"
        reason = f"upstream revision {source.last_revision} already imported"
        return _record_without_payload(source, label, options, Status.UNCHANGED, reason)
    if source is not None:
        options = _with_source_defaults(options, source)
    request = _request(
        options, data=fetched.data, origin=fetched.url, content_type=fetched.content_type,
        source=source,
    )  # fmt: skip
    outcome = import_payload(request, dry_run=options.dry_run)
    # The revision counts as imported only when it went where the source sends it.
    recorded = fetched.revision and outcome.ok and not options.dry_run
    if source is not None and recorded and _as_configured(request, source):
        Source.objects.filter(pk=source.pk).update(last_revision=fetched.revision)
        source.last_revision = fetched.revision  # the caller may run this source again
    return outcome


def import_payload(request: ImportRequest, *, dry_run: bool = False) -> Outcome:
    """Import bytes in hand, recorded as a run (a dry run writes nothing at all). Never raises
    for bad data; an unexpected error ends the run as FAILED and is raised again."""
    if dry_run:
        return imports.dry_run(request)
    abandon_dead_runs()
    run = start(
        trigger=request.trigger,
        origin=request.origin,
        source=request.source,
        board_key=request.hint.slug,
        published_on=request.published_on,
        forced_by=request.forced_by if request.force else None,
        force_reason=request.force_reason.strip(),
    )
    with alive(run) as heart:
        run.payload = imports.store_payload(
            request.data, origin=request.origin, content_type=request.content_type
        )
        run.save(update_fields=["payload"])
        return finish(run, imports.process(request, run=run, report=heart.report))


def queue_upload(*, data: bytes, name: str, content_type: str, options: ImportOptions) -> ImportRun:
    """Store an upload and a QUEUED run for the worker (``run_queued``); the caller enqueues it
    once its transaction commits. Raises ImportRefused (a dry run is never queued)."""
    check_options(FromFile(data=data, name=name), options)
    if options.dry_run:
        raise ImportRefused("a dry run writes nothing, so there is nothing to queue")
    with transaction.atomic():
        payload = imports.store_payload(data, origin=name, content_type=content_type)
        return ImportRun.objects.create(
            status=Status.QUEUED,
            trigger=options.trigger,
            origin=name[:500],
            board_key=(options.board or DEFAULT_BOARD).slug,
            format=options.format_name or "",
            published_on=options.published_on,
            payload=payload,
            forced_by=options.forced_by if options.force else None,
            force_reason=options.force_reason.strip(),
            heartbeat_at=timezone.now(),
            progress="queued: waiting for the worker",
        )


def run_queued(*, run_id: int, requeue_in: dt.timedelta | None = None) -> Outcome | None:
    """Import a QUEUED run's stored payload. None when the run is not queued (another worker
    took it, or it ended). A busy board puts the run back in the queue, retried no sooner
    than ``requeue_in`` (the outcome says QUEUED); without ``requeue_in`` it ends SKIPPED."""
    abandon_dead_runs()
    now = timezone.now()
    taken = ImportRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.RUNNING, heartbeat_at=now, progress="picked up by the worker"
    )
    if not taken:
        return None
    run = ImportRun.objects.select_related("payload", "source", "forced_by").get(pk=run_id)
    assert run.payload is not None  # queue_upload always stores one
    request = ImportRequest(
        data=imports.payload_bytes(run.payload),
        origin=run.origin,
        trigger=run.trigger,
        hint=BoardKey.parse(run.board_key),
        format_name=run.format or None,
        published_on=run.published_on,
        source=run.source,
        content_type=run.payload.content_type,
        force_reason=run.force_reason,
        forced_by=run.forced_by,
    )
    with alive(run) as heart:
        outcome = imports.process(request, run=run, report=heart.report)
        if outcome.status == Status.SKIPPED and requeue_in is not None:
            wait = f"{requeue_in.total_seconds():.0f} s"
            ImportRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
                status=Status.QUEUED,
                heartbeat_at=timezone.now() + requeue_in,
                progress=f"waiting: {outcome.reason}; next try in {wait}"[:200],
            )
            outcome.status, outcome.run = Status.QUEUED, run
            return outcome
        return finish(run, outcome)


def queued_to_resend() -> list[int]:
    """Queued runs no worker has picked up for a lease (the broker was down, or the message
    was lost), each stamped as handed over again so a concurrent sweep skips it."""
    now = timezone.now()
    cutoff = now - _lease()
    resend = []
    waiting = ImportRun.objects.filter(status=Status.QUEUED, heartbeat_at__lt=cutoff)
    for run_id in waiting.values_list("pk", flat=True):
        if waiting.filter(pk=run_id).update(heartbeat_at=now):  # one sweep wins each run
            resend.append(run_id)
    return resend


def can_force_publish(run: ImportRun) -> bool:
    """The one guard of ``force_publish``: a rejected run with its payload stored."""
    return run.status == Status.REJECTED and run.payload_id is not None


def force_publish(*, run: ImportRun, user: User, reason: str) -> Outcome:
    """Re-import a rejected run's stored payload past its soft problems, recording who and why.
    Raises ImportRefused for any other run or an empty reason."""
    if not can_force_publish(run) or run.payload is None:
        raise ImportRefused("only a rejected run with a stored payload can be force-published")
    if not reason.strip():
        raise ImportRefused("force-publishing needs a written reason")
    return import_payload(
        ImportRequest(
            data=imports.payload_bytes(run.payload),
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


# --- the lifecycle ----------------------------------------------------------------------


def start(
    *,
    trigger: str,
    origin: str,
    source: Source | None = None,
    board_key: str = "",
    format_name: str = "",
    published_on: dt.date | None = None,
    forced_by: User | None = None,
    force_reason: str = "",
) -> ImportRun:
    """A new RUNNING run, alive as of now."""
    return ImportRun.objects.create(
        trigger=trigger,
        origin=origin[:500],
        source=source,
        board_key=board_key,
        format=format_name,
        published_on=published_on,
        forced_by=forced_by,
        force_reason=force_reason,
        heartbeat_at=timezone.now(),
    )


def finish(run: ImportRun, outcome: Outcome) -> Outcome:
    """Record ``outcome`` on ``run``. Unconditional: the process that finished knows better
    than a sweep that took a slow SQLite write for a dead process."""
    run.status = outcome.status
    run.reason = outcome.reason
    run.format = outcome.format or run.format
    run.counts = outcome.counts.as_json()
    run.changes = outcome.changes
    run.finished_at = timezone.now()
    run.progress = ""
    run.save(
        update_fields=["status", "reason", "format", "counts", "changes", "finished_at", "progress"]
    )
    outcome.run = run
    log = logger.info if outcome.ok else logger.warning
    log("import %s from %s: %s %s", run.pk, run.origin, outcome.status, outcome.reason)
    return outcome


def abandon_dead_runs() -> int:
    """Mark RUNNING runs whose heartbeat is older than one lease as ended and free their
    leases: their process died. FAILED when their write never committed (nothing was
    published); SUCCEEDED when it had (they died recording the outcome). Returns how many."""
    now = timezone.now()
    cutoff = now - _lease()
    dead = ImportRun.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    dead_ids = list(dead.values_list("pk", flat=True))
    if not dead_ids:
        return 0
    ImportClaim.objects.filter(run_id__in=dead_ids).delete()
    dead = dead.filter(pk__in=dead_ids)
    # Killed between its commit and recording its outcome: what it published stands.
    published = (
        dead.filter(snapshots__isnull=False)
        .distinct()
        .update(
            status=Status.SUCCEEDED,
            reason="abandoned after publishing: the process stopped before recording its counts",
            finished_at=now,
            progress="",
        )
    )
    return published + dead.update(
        status=Status.FAILED,
        reason="abandoned: the importing process stopped before finishing",
        finished_at=now,
        progress="",
    )


class _Heart:
    """The heartbeat thread of one live run (see the module docstring)."""

    def __init__(self, run_id: int) -> None:
        self._run_id = run_id
        self._stop = threading.Event()
        self._phase = ""
        self._thread = threading.Thread(target=self._beat_until_stopped, daemon=True)

    def report(self, phase: str) -> None:
        self._phase = phase

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=_lease().total_seconds())

    def _beat_until_stopped(self) -> None:
        try:
            while not self._stop.wait(_lease().total_seconds() / 3):
                try:
                    beat(run_id=self._run_id, progress=self._phase)
                except DatabaseError as error:  # SQLite's writer busy past its timeout
                    logger.warning("heartbeat of run %s missed: %s", self._run_id, error)
        finally:
            connection.close()  # this thread's own connection


def beat(*, run_id: int, progress: str = "") -> None:
    """Stamp a running run as alive and renew its leases."""
    ImportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
        heartbeat_at=timezone.now(), progress=progress[:200]
    )
    claims.renew(run_id=run_id, ttl=_lease())


@contextmanager
def alive(run: ImportRun) -> Iterator[_Heart]:
    """Keep ``run`` beating for the block; on any exception (``BaseException`` included) end
    it as FAILED and raise again."""
    heart = _Heart(run.pk)
    heart.start()
    try:
        yield heart
    except BaseException as error:
        try:
            finish(run, Outcome(status=Status.FAILED, reason=f"unexpected error: {error!r}"[:2000]))
        except Exception:
            logger.exception("could not record run %s as failed", run.pk)
        raise
    finally:
        heart.stop()


# --- helpers ----------------------------------------------------------------------------


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ARENA_IMPORT_CLAIM_SECONDS)


def _as_configured(request: ImportRequest, source: Source) -> bool:
    return request.hint == fetching.source_hint(source) and request.format_name == source.format


def _with_source_defaults(options: ImportOptions, source: Source) -> ImportOptions:
    return dataclasses.replace(
        options,
        board=options.board or fetching.source_hint(source),
        format_name=options.format_name or source.format,
    )


def _request(
    options: ImportOptions,
    *,
    data: bytes,
    origin: str,
    content_type: str,
    source: Source | None = None,
) -> ImportRequest:
    return ImportRequest(
        data=data,
        origin=origin,
        trigger=options.trigger,
        hint=options.board or DEFAULT_BOARD,
        format_name=options.format_name,
        published_on=options.published_on,
        source=source,
        content_type=content_type,
        force_reason=options.force_reason if options.force else "",
        forced_by=options.forced_by if options.force else None,
    )


def _record_without_payload(
    source: Source | None, origin: str, options: ImportOptions, status: str, reason: str
) -> Outcome:
    """A run that never got bytes to import (a failed fetch, an unchanged revision); a dry
    run records nothing."""
    outcome = Outcome(status=status, reason=reason)
    if options.dry_run:
        return outcome
    run = start(
        trigger=options.trigger,
        origin=origin,
        source=source,
        format_name=options.format_name or (source.format if source else ""),
    )
    return finish(run, outcome)
