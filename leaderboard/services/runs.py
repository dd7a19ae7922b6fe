"""An import run's life: queued, started, alive, finished, failed or abandoned.

Guarantees:
- a run never stays ``running``: any exit of ``alive``'s block (``BaseException`` included: a
  worker's time limit, SystemExit from gunicorn's timeout, KeyboardInterrupt) ends it as
  FAILED, and a run whose process died (SIGKILL, power loss) stops beating and is ended by
  the next import or the every-minute sweep once its heartbeat is older than one lease;
- while a run is alive a heartbeat thread, on its own database connection, stamps the run
  and renews the run's board leases every third of a lease. The import's write transaction
  never touches those rows, so on PostgreSQL the renewal never waits for it; on SQLite (one
  writer) the renewal waits behind it and nobody else can write meanwhile either, so the
  lease cannot be taken over while the write is under way;
- a queued run is taken by exactly one worker (a conditional ``QUEUED → RUNNING`` update).

The door every import comes through is ``services.importing``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import DatabaseError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import UNEXPECTED_ERROR, ImportClaim, ImportRun, RawPayload, Source
from . import claims
from .imports import Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

Status = ImportRun.Status


def start(
    *,
    trigger: str,
    origin: str,
    source: Source | None = None,
    board_key: str = "",
    format_name: str = "",
    published_on: dt.date | None = None,
    fetched_at: dt.datetime | None = None,
    upstream_updated_at: dt.datetime | None = None,
    forced_by: User | None = None,
    force_reason: str = "",
    started_at: dt.datetime | None = None,
) -> ImportRun:
    """A new RUNNING run, alive as of now; ``started_at`` when the work began earlier (a run
    recorded after a failed fetch), so its duration is the real one."""
    now = timezone.now()
    return ImportRun.objects.create(
        started_at=min(started_at or now, now),
        trigger=trigger,
        origin=origin[:500],
        source=source,
        board_key=board_key,
        format=format_name,
        published_on=published_on,
        fetched_at=fetched_at,
        upstream_updated_at=upstream_updated_at,
        forced_by=forced_by,
        force_reason=force_reason,
        heartbeat_at=now,
    )


def queue(
    *,
    payload: RawPayload,
    trigger: str,
    origin: str,
    board_key: str,
    format_name: str = "",
    published_on: dt.date | None = None,
    forced_by: User | None = None,
    force_reason: str = "",
) -> ImportRun:
    """A new QUEUED run of a stored payload, for the worker (``take_queued``)."""
    return ImportRun.objects.create(
        status=Status.QUEUED,
        trigger=trigger,
        origin=origin[:500],
        board_key=board_key,
        format=format_name,
        published_on=published_on,
        payload=payload,
        forced_by=forced_by,
        force_reason=force_reason,
        heartbeat_at=timezone.now(),
        progress="queued: waiting for the worker",
    )


def take_queued(run_id: int) -> ImportRun | None:
    """Start a queued run; None when it is not queued (another worker took it, or it ended)
    or its retry time has not come (a redelivered message must not defeat the backoff)."""
    # A few seconds' slack: clocks of web and worker hosts differ, and a retry's countdown may
    # deliver a moment early; the backoff steps are tens of seconds.
    due = timezone.now() + dt.timedelta(seconds=5)
    taken = ImportRun.objects.filter(pk=run_id, status=Status.QUEUED, heartbeat_at__lte=due).update(
        status=Status.RUNNING, heartbeat_at=timezone.now(), progress="picked up by the worker"
    )
    if not taken:
        return None
    # A queued run is an upload: a payload, perhaps a curator, never a configured source.
    return ImportRun.objects.select_related("payload", "forced_by").get(pk=run_id)


def requeue(run: ImportRun, *, reason: str, retry_in: dt.timedelta) -> bool:
    """Put a running run back in the queue, to be tried again no sooner than ``retry_in``.
    False when it is no longer running (a sweep ended it): the caller records the outcome."""
    wait = f"{retry_in.total_seconds():.0f} s"
    return (
        ImportRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            status=Status.QUEUED,
            heartbeat_at=timezone.now() + retry_in,
            progress=f"waiting: {reason}; next try in {wait}"[:200],
        )
        == 1
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
    with transaction.atomic():
        ended = _end_dead(dead.filter(pk__in=dead_ids), now=now)
        # Only now, and only for runs that really ended: a run whose heartbeat landed since
        # the look-up above is still RUNNING and keeps its leases.
        ImportClaim.objects.filter(run_id__in=dead_ids).exclude(run__status=Status.RUNNING).delete()
    return ended


def _end_dead(dead: QuerySet[ImportRun], *, now: dt.datetime) -> int:
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
            finish(
                run, Outcome(status=Status.FAILED, reason=f"{UNEXPECTED_ERROR}: {error!r}"[:2000])
            )
        except Exception:
            logger.exception("could not record run %s as failed", run.pk)
        raise
    finally:
        heart.stop()


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


def _lease() -> dt.timedelta:
    return claims.lease()
