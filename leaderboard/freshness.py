"""How fresh the published data is, per board and per source (reads only).

A board is *stale* when its published snapshot was imported more than
``ARENA_STALE_AFTER_HOURS`` ago; a source is *failing* when its last
``ARENA_FAILING_AFTER_RUNS`` finished runs (or more) were all failed or rejected. The status
page, the admin banner, ``/readyz`` and the alert mails all read these same functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from .models import UNEXPECTED_ERROR, ImportRun, Leaderboard, Snapshot, Source

GOOD = (ImportRun.Status.SUCCEEDED, ImportRun.Status.UNCHANGED)
"""Runs that prove the source works (an unchanged revision is a successful check)."""
BAD = (ImportRun.Status.FAILED, ImportRun.Status.REJECTED)
"""Runs that count towards a failing streak. Running and skipped runs count for neither."""


@dataclass(frozen=True, slots=True)
class BoardFreshness:
    board: Leaderboard
    snapshot: Snapshot | None
    age: dt.timedelta | None
    """Since the published snapshot was imported; None without one."""
    stale: bool


@dataclass(frozen=True, slots=True)
class SourceFreshness:
    source: Source
    last_success: ImportRun | None
    upstream_date: dt.date | None
    """The newest publish date among the snapshots of the last run that published one."""
    last_failure: ImportRun | None
    failures_in_a_row: int
    failing: bool

    @property
    def public_failure_reason(self) -> str:
        """What the public status page may say of the last failure: upstream's side (HTTP
        errors, challenges, unreadable or rejected data) in full, our own errors only as such —
        their text can name hosts, users and paths (the admin shows it)."""
        if self.last_failure is None:
            return ""
        return public_reason(self.last_failure.reason)

    @property
    def age(self) -> dt.timedelta | None:
        if self.last_success is None or self.last_success.finished_at is None:
            return None
        return timezone.now() - self.last_success.finished_at


@dataclass(frozen=True, slots=True)
class Problem:
    STALE = "stale"
    FAILING = "failing"

    kind: str
    subject: str
    """A board slug or a source slug."""
    detail: str

    @property
    def key(self) -> str:
        """Stable across checks: one incident per key until it clears."""
        return f"{self.kind}:{self.subject}"


def first_line(reason: str) -> str:
    return (reason.strip().splitlines() or [""])[0][:200]


def public_reason(reason: str) -> str:
    if reason.startswith(UNEXPECTED_ERROR):
        return gettext("internal error (the details are in the admin)")
    return first_line(reason)


def stale_after() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.ARENA_STALE_AFTER_HOURS))


def boards(now: dt.datetime | None = None) -> list[BoardFreshness]:
    """Every board, in display order, with the age of its published snapshot. One query."""
    now = now or timezone.now()
    limit = stale_after()
    result = []
    for board in Leaderboard.objects.select_related("current_snapshot"):
        snapshot = board.current_snapshot
        age = now - snapshot.imported_at if snapshot is not None else None
        result.append(
            BoardFreshness(
                board=board, snapshot=snapshot, age=age, stale=age is None or age > limit
            )
        )
    return result


def sources() -> list[SourceFreshness]:
    """Every source with its last good and bad run and its current failing streak.

    A few queries per source; sources are a handful."""
    threshold = int(settings.ARENA_FAILING_AFTER_RUNS)
    result = []
    for source in Source.objects.all():
        runs = source.runs.order_by("-started_at", "-pk")
        last_success = runs.filter(status__in=GOOD).first()
        last_failure = runs.filter(status__in=BAD).first()
        since = runs.filter(status__in=BAD)
        if last_success is not None:
            since = since.filter(started_at__gt=last_success.started_at)
        streak = since.count()
        published = (
            Snapshot.objects.filter(import_run__source=source)
            .order_by("-imported_at")
            .values("import_run")[:1]
        )
        upstream_date = Snapshot.objects.filter(import_run__in=published).aggregate(
            newest=Max("published_on")
        )["newest"]
        result.append(
            SourceFreshness(
                source=source,
                last_success=last_success,
                upstream_date=upstream_date,
                last_failure=last_failure,
                failures_in_a_row=streak,
                failing=source.enabled and streak >= threshold,
            )
        )
    return result


def problems(now: dt.datetime | None = None) -> list[Problem]:
    """Stale boards (that have data; an empty board is not yet an incident) and failing
    sources, in a stable order."""
    found = [
        Problem(
            Problem.STALE,
            item.board.slug,
            f"last imported {item.snapshot.imported_at:%Y-%m-%d %H:%M} UTC, "
            f"upstream date {item.snapshot.published_on}",
        )
        for item in boards(now)
        if item.stale and item.snapshot is not None
    ]
    found += [
        Problem(
            Problem.FAILING,
            item.source.slug,
            f"{item.failures_in_a_row} failed runs in a row; last: "
            + (first_line(item.last_failure.reason) if item.last_failure else ""),
        )
        for item in sources()
        if item.failing
    ]
    return found
