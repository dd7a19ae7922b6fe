"""Freshness alerts: mail ADMINS once per incident of a stale board or a failing source."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .. import freshness
from ..models import FreshnessAlert

logger = logging.getLogger(__name__)


def send_freshness_alerts(*, now: dt.datetime | None = None) -> list[str]:
    """Open an alert per new problem, mail the unmailed ones in one message, close the alerts
    whose problem cleared. Returns the keys mailed.

    Idempotent: a problem that persists is mailed once however often this runs; each alert
    is claimed by a conditional UPDATE before mailing, so two runs at once never both mail it.
    A failed mail releases its claims, so the next run tries again.
    """
    now = now or timezone.now()
    current = {problem.key: problem for problem in freshness.problems(now)}
    FreshnessAlert.objects.filter(resolved_at__isnull=True).exclude(key__in=current).update(
        resolved_at=now
    )
    for key, problem in current.items():
        try:
            with transaction.atomic():
                FreshnessAlert.objects.get_or_create(
                    key=key, resolved_at=None, defaults={"detail": problem.detail, "opened_at": now}
                )
        except IntegrityError:
            pass  # another run opened it a moment ago: the unique constraint kept one

    claimed = [
        alert
        for alert in FreshnessAlert.objects.filter(resolved_at__isnull=True, mailed_at__isnull=True)
        if FreshnessAlert.objects.filter(pk=alert.pk, mailed_at__isnull=True).update(mailed_at=now)
    ]
    if not claimed:
        return []
    if not settings.ADMINS:
        logger.warning(
            "freshness alerts %s: ADMINS is empty, nobody is told", [a.key for a in claimed]
        )
    try:
        mail_admins(_subject(claimed), _body(claimed), fail_silently=False)
    except Exception:
        FreshnessAlert.objects.filter(pk__in=[a.pk for a in claimed]).update(mailed_at=None)
        raise
    return [alert.key for alert in claimed]


def _subject(alerts: list[FreshnessAlert]) -> str:
    return f"{len(alerts)} freshness problem(s): " + ", ".join(a.key for a in alerts)[:150]


def _body(alerts: list[FreshnessAlert]) -> str:
    lines = [f"- {alert.key}: {alert.detail}" for alert in alerts]
    return "\n".join(
        [
            "New since the last check (each is mailed once, until it clears):",
            "",
            *lines,
            "",
            f"Status page: {settings.SITE_URL}{reverse('leaderboard:status')}",
            f"Stale means no new import for {settings.ARENA_STALE_AFTER_HOURS:g} hours; failing "
            f"means {settings.ARENA_FAILING_AFTER_RUNS} failed or rejected runs in a row.",
        ]
    )
