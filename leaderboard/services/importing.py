"""The one door every import comes through: a configured source, a URL, a file, bytes in
hand, or an upload queued for the worker. Tasks, commands and the admin only build the origin
and the options.

Guarantees:
- options are honoured for every origin or refused with ``ImportRefused`` before anything is
  started or written;
- every attempt but a dry run is recorded as an ImportRun (``services.runs``), its raw
  payload stored (gzip) before anything is parsed; a fetch that fails is a FAILED run;
- never raises for bad data, a failed fetch or a busy board (the outcome says so); an
  unexpected error ends the run as FAILED and is raised again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from leaderboard.boards import BoardKey

from .. import http, sources
from ..models import UNEXPECTED_ERROR, ImportRun, Source
from ..sources.base import FormatError
from . import fetching, imports, runs
from .imports import Outcome
from .planning import ImportRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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
    started_at = timezone.now()  # a run recorded after the fetch still starts here
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
        return _record_without_payload(
            source, label, options, Status.FAILED, str(error), started_at=started_at
        )
    except BaseException as error:  # a bug, or the worker's time limit: recorded, then raised
        reason = f"{UNEXPECTED_ERROR}: {error!r}"[:1000]
        _record_without_payload(
            source, label, options, Status.FAILED, reason, started_at=started_at
        )
        raise
    if fetched is None:
        assert source is not None  # only a source can be "revision already imported"
        reason = f"upstream revision {source.last_revision} already imported"
        return _record_without_payload(
            source, label, options, Status.UNCHANGED, reason, started_at=started_at
        )
    if source is not None:
        options = _with_source_defaults(options, source)
    request = dataclasses.replace(
        _request(
            options, data=fetched.data, origin=fetched.url, content_type=fetched.content_type,
            source=source,
        ),
        fetched_at=timezone.now(),
        upstream_updated_at=fetched.upstream_updated_at,
    )  # fmt: skip
    outcome = import_payload(request, dry_run=options.dry_run, started_at=started_at)
    # The revision counts as imported only when it went where the source sends it.
    recorded = fetched.revision and outcome.ok and not options.dry_run
    if source is not None and recorded and _as_configured(request, source):
        Source.objects.filter(pk=source.pk).update(last_revision=fetched.revision)
        source.last_revision = fetched.revision  # the caller may run this source again
    return outcome


def import_payload(
    request: ImportRequest, *, dry_run: bool = False, started_at: dt.datetime | None = None
) -> Outcome:
    """Import bytes in hand, recorded as a run (a dry run writes nothing at all). Never raises
    for bad data; an unexpected error ends the run as FAILED and is raised again.
    ``started_at``: when the work began (before the fetch), else now."""
    if dry_run:
        return imports.dry_run(request)
    runs.abandon_dead_runs()
    run = runs.start(
        trigger=request.trigger,
        origin=request.origin,
        source=request.source,
        board_key=request.hint.slug,
        published_on=request.published_on,
        fetched_at=request.fetched_at,
        upstream_updated_at=request.upstream_updated_at,
        forced_by=request.forced_by if request.force else None,
        force_reason=request.force_reason.strip(),
        started_at=started_at,
    )
    with runs.alive(run) as heart:
        run.payload = imports.store_payload(
            request.data, origin=request.origin, content_type=request.content_type
        )
        run.save(update_fields=["payload"])
        return runs.finish(run, imports.process(request, run=run, report=heart.report))


def queue_upload(*, data: bytes, name: str, content_type: str, options: ImportOptions) -> ImportRun:
    """Store an upload and a QUEUED run for the worker (``run_queued``); the caller enqueues it
    once its transaction commits. Raises ImportRefused (a dry run is never queued)."""
    check_options(FromFile(data=data, name=name), options)
    if options.dry_run:
        raise ImportRefused("a dry run writes nothing, so there is nothing to queue")
    with transaction.atomic():
        return runs.queue(
            payload=imports.store_payload(data, origin=name, content_type=content_type),
            trigger=options.trigger,
            origin=name,
            board_key=(options.board or DEFAULT_BOARD).slug,
            format_name=options.format_name or "",
            published_on=options.published_on,
            forced_by=options.forced_by if options.force else None,
            force_reason=options.force_reason.strip(),
        )


def run_queued(*, run_id: int, requeue_in: dt.timedelta | None = None) -> Outcome | None:
    """Import a QUEUED run's stored payload. None when the run is not queued (another worker
    took it, or it ended). A busy board puts the run back in the queue, retried no sooner
    than ``requeue_in`` (the outcome says QUEUED); without ``requeue_in`` it ends SKIPPED."""
    runs.abandon_dead_runs()
    run = runs.take_queued(run_id)
    if run is None:
        return None
    assert run.payload is not None  # queue_upload always stores one
    payload = run.payload
    with runs.alive(run) as heart:  # from here any error ends the run as FAILED
        request = ImportRequest(
            data=imports.payload_bytes(payload),
            origin=run.origin,
            trigger=run.trigger,
            hint=BoardKey.parse(run.board_key),
            format_name=run.format or None,
            published_on=run.published_on,
            source=run.source,
            content_type=payload.content_type,
            force_reason=run.force_reason,
            forced_by=run.forced_by,
        )
        outcome = imports.process(request, run=run, report=heart.report)
        if (
            outcome.status == Status.SKIPPED
            and requeue_in is not None
            and runs.requeue(run, reason=outcome.reason, retry_in=requeue_in)
        ):
            outcome.status, outcome.run = Status.QUEUED, run
            return outcome
        return runs.finish(run, outcome)


def force_publish(*, run: ImportRun, user: User, reason: str) -> Outcome:
    """Re-import a rejected run's stored payload past its soft problems, recording who and why.
    Raises ImportRefused for any other run or an empty reason."""
    if not runs.can_force_publish(run) or run.payload is None:
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
            # A fetched payload keeps its fetch: the date it had then is still its date.
            fetched_at=run.fetched_at,
            upstream_updated_at=run.upstream_updated_at,
            source=run.source,
            content_type=run.payload.content_type,
            force_reason=reason,
            forced_by=user,
        )
    )


# --- helpers ----------------------------------------------------------------------------


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
    source: Source | None,
    origin: str,
    options: ImportOptions,
    status: str,
    reason: str,
    *,
    started_at: dt.datetime,
) -> Outcome:
    """A run that never got bytes to import (a failed fetch, an unchanged revision); a dry
    run records nothing."""
    outcome = Outcome(status=status, reason=reason)
    if options.dry_run:
        return outcome
    run = runs.start(
        trigger=options.trigger,
        origin=origin,
        source=source,
        format_name=options.format_name or (source.format if source else ""),
        started_at=started_at,
    )
    return runs.finish(run, outcome)
