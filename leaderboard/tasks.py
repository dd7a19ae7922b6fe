"""Celery entry points: thin, each loads what it needs by id and calls one service."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

from . import page_cache
from .models import ImportRun, Source
from .services import alerts, enrichment, heartbeat, history_blocks, importing, imports, runs

logger = logging.getLogger(__name__)

Status = ImportRun.Status


def busy_retry_delay(retries: int) -> dt.timedelta:
    """Backoff for a payload whose board another import holds: base · 2^retries, capped."""
    base = settings.ARENA_IMPORT_BUSY_RETRY_SECONDS
    return dt.timedelta(seconds=min(base * 2**retries, 30 * 60))


@shared_task(acks_late=True)  # idempotent: a redelivery only moves the timestamp
def record_heartbeat(name: str = "beat") -> None:
    heartbeat.record_heartbeat(name=name)


@shared_task
def import_enabled_sources() -> None:
    """Fan out: one task per enabled source, so one slow upstream delays no other."""
    for source_id in Source.objects.filter(enabled=True).values_list("pk", flat=True):
        import_source.delay(source_id)


# Idempotent (content hash + lease), so acking late is safe. A task whose process dies (an
# out-of-memory payload) is not requeued: it would kill the next worker too; the sweep marks
# its run failed within a minute and the next scheduled run tries again.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=False)
def import_source(
    self: Task,
    source_id: int,
    trigger: str = ImportRun.Trigger.SCHEDULE,
    force_fetch: bool = False,
) -> None:
    """Import one source; a busy board is retried with backoff (``ARENA_IMPORT_BUSY_RETRIES``
    times), each attempt its own run."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        logger.warning("import_source: source %s no longer exists", source_id)
        return
    outcome = importing.import_origin(
        importing.FromSource(source),
        importing.ImportOptions(trigger=trigger, force_fetch=force_fetch),
    )
    retries = self.request.retries
    if outcome.status == Status.SKIPPED and retries < settings.ARENA_IMPORT_BUSY_RETRIES:
        raise self.retry(countdown=busy_retry_delay(retries).total_seconds(), max_retries=None)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=False)
def import_run(self: Task, run_id: int) -> None:
    """Import a queued run (an upload). A busy board puts it back in the queue and retries
    with backoff; past the retries it ends SKIPPED."""
    retries = self.request.retries
    delay = busy_retry_delay(retries)
    final = retries >= settings.ARENA_IMPORT_BUSY_RETRIES
    outcome = importing.run_queued(run_id=run_id, requeue_in=None if final else delay)
    if outcome is not None and outcome.status == Status.QUEUED:
        raise self.retry(countdown=delay.total_seconds(), max_retries=None)


@shared_task
def sweep_import_runs() -> None:
    """Every minute: fail runs whose process died, resend queued runs no worker picked up,
    delete replaced snapshots past their grace period."""
    runs.abandon_dead_runs()
    imports.purge_superseded()
    for run_id in runs.queued_to_resend():
        import_run.delay(run_id)


@shared_task
def send_freshness_alerts() -> None:
    alerts.send_freshness_alerts()


@shared_task
def warm_pages(token: str | None = None) -> None:
    """Queued by ``cache_keys.bump`` after each import or curation change: render every
    board's plain views into the page cache. A newer change skips this one (it has its own)."""
    statuses = page_cache.warm_boards(token=token)
    failed = sorted(path for path, status in statuses.items() if status != 200)
    logger.info("warmed %d page(s); %d not 200: %s", len(statuses), len(failed), failed[:10])


def enqueue_import(source: Source, *, trigger: str, force_fetch: bool = False) -> None:
    """Queue an import once the caller's transaction has committed. ``force_fetch`` downloads
    even when the upstream revision is the one imported last (staff asked for it). With the
    broker down this logs and returns: the next scheduled run imports the source anyway."""
    _publish_after_commit(
        lambda: import_source.apply_async((source.pk, trigger, force_fetch)),
        what=f"the import of {source.slug}",
    )


def enqueue_run(run: ImportRun) -> None:
    """Hand a queued run to the worker once the caller's transaction has committed. With the
    broker down this logs and returns: the request still answers, the run stays queued and
    the every-minute sweep sends it again."""
    _publish_after_commit(lambda: import_run.apply_async((run.pk,)), what=f"import run {run.pk}")


def _publish_after_commit(publish: Callable[[], object], *, what: str) -> None:
    """A broker outage costs the queued work a delay, never the request that asked for it."""

    def guarded() -> None:
        try:
            publish()
        except (OperationalError, OSError) as error:
            logger.error("could not queue %s (broker down?): %s", what, error)

    transaction.on_commit(guarded)


@shared_task(acks_late=True)  # idempotent: a board already current is skipped
def refresh_history_blocks() -> None:
    """Queued by ``cache_keys.bump`` after each import or curation change, and hourly (after
    a deploy, after a broker outage): rebuild the history blocks of the boards it moved."""
    rebuilt = history_blocks.refresh()
    logger.info("history blocks rebuilt for %d board(s)", len(rebuilt))


@shared_task(acks_late=True)  # idempotent: a redelivery re-checks the same catalogue
def enrich_models() -> None:
    """Daily: model facts from the installed catalogue (a new package version brings news)."""
    enrichment.enrich_models()
