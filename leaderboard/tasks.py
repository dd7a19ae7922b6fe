"""Celery entry points: thin, each loads what it needs and calls one service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError

from .models import ImportRun, Source
from .services import alerts, fetching, heartbeat

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)  # idempotent: a redelivery only moves the timestamp
def record_heartbeat(name: str = "beat") -> None:
    heartbeat.record_heartbeat(name=name)


@shared_task
def import_enabled_sources() -> None:
    """Fan out: one task per enabled source, so one slow upstream delays no other."""
    for source_id in Source.objects.filter(enabled=True).values_list("pk", flat=True):
        import_source.delay(source_id)


# Idempotent (content hash + lease), so acking late is safe. A task whose process dies (an
# out-of-memory payload) is not requeued: it would kill the next worker too; the next
# scheduled run tries again.
@shared_task(acks_late=True, reject_on_worker_lost=False)
def import_source(
    source_id: int, trigger: str = ImportRun.Trigger.SCHEDULE, force_fetch: bool = False
) -> None:
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        logger.warning("import_source: source %s no longer exists", source_id)
        return
    fetching.import_source(source=source, trigger=trigger, force_fetch=force_fetch)


@shared_task
def send_freshness_alerts() -> None:
    alerts.send_freshness_alerts()


def enqueue_import(source: Source, *, trigger: str, force_fetch: bool = False) -> None:
    """Queue an import once the caller's transaction has committed. ``force_fetch`` downloads
    even when the upstream revision is the one imported last (staff asked for it).

    Never raises for a broker outage: the request that asked goes on (the error is logged and
    the next scheduled run imports the source anyway)."""

    def publish() -> None:
        try:
            import_source.delay(source.pk, trigger, force_fetch)
        except OperationalError as error:
            logger.error("could not queue the import of %s (broker down?): %s", source, error)

    transaction.on_commit(publish)
