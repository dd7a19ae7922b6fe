"""``services.runs`` function by function: each step of a run's life touches exactly the run
it is given, stamps the times it promises and keeps what the caller passed.

The scenario tests in test_runs.py go through the import door; these pin the contract of
each step (mutation testing found steps that could touch every run, or drop a field, with
the scenarios still passing)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from leaderboard.models import ImportClaim, ImportRun, RawPayload
from leaderboard.services import claims, runs
from tests.leaderboard import factories

pytestmark = pytest.mark.django_db

Status = ImportRun.Status
UPLOAD = ImportRun.Trigger.UPLOAD
SECOND = dt.timedelta(seconds=1)
_digits = itertools.count()


def payload() -> RawPayload:
    return RawPayload.objects.create(
        sha256=f"{next(_digits):064x}",
        size=1,
        compressed=b"x",
        origin="seed.md",
        content_type="text/markdown",
    )


def running(**fields: Any) -> ImportRun:
    return runs.start(trigger=UPLOAD, origin="test", **fields)


def queued(**fields: Any) -> ImportRun:
    fields.setdefault("board_key", "text/overall")
    return runs.queue(payload=fields.pop("payload", None) or payload(), trigger=UPLOAD,
                      origin="upload.md", **fields)  # fmt: skip


def near(moment: dt.datetime | None, expected: dt.datetime) -> bool:
    return moment is not None and abs(moment - expected) < 2 * SECOND


# --- queue ------------------------------------------------------------------------------------


def test_a_queued_run_keeps_everything_it_was_given() -> None:
    curator = get_user_model().objects.create_user("curator")
    stored = payload()

    run = runs.queue(
        payload=stored, trigger=UPLOAD, origin="x" * 600, board_key="text/overall",
        format_name="markdown", published_on=dt.date(2025, 11, 18), forced_by=curator,
        force_reason="upstream fixed a typo",
    )  # fmt: skip

    run.refresh_from_db()
    assert run.status == Status.QUEUED
    assert run.payload_id == stored.pk and run.trigger == UPLOAD
    assert run.origin == "x" * 500  # the column's size, not an error
    assert run.board_key == "text/overall" and run.format == "markdown"
    assert run.published_on == dt.date(2025, 11, 18)
    assert run.forced_by == curator and run.force_reason == "upstream fixed a typo"
    assert near(run.heartbeat_at, timezone.now())
    assert run.progress == "queued: waiting for the worker"


def test_a_queued_run_given_no_format_or_reason_records_none() -> None:
    run = queued()
    run.refresh_from_db()
    assert (run.format, run.force_reason, run.forced_by, run.published_on) == ("", "", None, None)


def test_a_started_run_keeps_everything_it_was_given() -> None:
    curator = get_user_model().objects.create_user("curator")
    run = runs.start(
        trigger=UPLOAD, origin="y" * 600, board_key="webdev/overall", format_name="hf-dataset",
        published_on=dt.date(2026, 1, 2), forced_by=curator, force_reason="why",
    )  # fmt: skip
    run.refresh_from_db()
    assert run.status == Status.RUNNING and run.origin == "y" * 500
    assert (run.board_key, run.format, run.published_on) == (
        "webdev/overall", "hf-dataset", dt.date(2026, 1, 2),
    )  # fmt: skip
    assert run.forced_by == curator and run.force_reason == "why"
    assert near(run.heartbeat_at, timezone.now())


def test_a_started_run_given_only_its_origin_records_no_board_format_or_reason() -> None:
    run = runs.start(trigger=UPLOAD, origin="https://example.org/page")  # e.g. a failed fetch
    run.refresh_from_db()
    assert (run.board_key, run.format, run.force_reason, run.forced_by) == ("", "", "", None)


# --- take_queued ------------------------------------------------------------------------------


def test_taking_a_queued_run_takes_that_run_only() -> None:
    first, second = queued(), queued()

    taken = runs.take_queued(first.pk)

    assert taken is not None and taken.pk == first.pk and taken.status == Status.RUNNING
    second.refresh_from_db()
    assert second.status == Status.QUEUED  # another worker's message will take it


def test_a_taken_run_is_stamped_alive_now_and_says_who_has_it() -> None:
    run = queued()
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))

    runs.take_queued(run.pk)

    run.refresh_from_db()
    assert near(run.heartbeat_at, timezone.now())  # or the sweep would think it dead
    assert run.progress == "picked up by the worker"


def test_a_queued_run_is_taken_up_to_five_seconds_before_its_retry_time() -> None:
    early, on_time = queued(), queued()
    now = timezone.now()
    ImportRun.objects.filter(pk=early.pk).update(heartbeat_at=now + 5.5 * SECOND)
    ImportRun.objects.filter(pk=on_time.pk).update(heartbeat_at=now + 4.5 * SECOND)

    assert runs.take_queued(early.pk) is None
    assert runs.take_queued(on_time.pk) is not None


def test_a_taken_run_comes_with_its_payload_and_curator_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    run = queued(forced_by=get_user_model().objects.create_user("curator"), force_reason="why")

    taken = runs.take_queued(run.pk)

    assert taken is not None
    with django_assert_num_queries(0):  # the worker reads all three at once
        assert (taken.payload is not None, taken.source, taken.forced_by is not None) == (
            True, None, True,
        )  # fmt: skip


# --- requeue ----------------------------------------------------------------------------------


def test_requeue_puts_back_that_run_only_and_waits_for_its_retry_time() -> None:
    run, other = running(), running()

    assert runs.requeue(run, reason="board busy", retry_in=dt.timedelta(seconds=30))

    run.refresh_from_db()
    other.refresh_from_db()
    assert run.status == Status.QUEUED
    assert near(run.heartbeat_at, timezone.now() + dt.timedelta(seconds=30))
    assert run.progress == "waiting: board busy; next try in 30 s"
    assert other.status == Status.RUNNING


def test_requeue_keeps_progress_to_its_column_size() -> None:
    run = running()
    runs.requeue(run, reason="r" * 300, retry_in=SECOND)
    run.refresh_from_db()
    assert len(run.progress) == 200


def test_requeue_of_a_run_no_longer_running_changes_nothing() -> None:
    run = running()
    ImportRun.objects.filter(pk=run.pk).update(status=Status.FAILED)

    assert runs.requeue(run, reason="busy", retry_in=SECOND) is False
    run.refresh_from_db()
    assert run.status == Status.FAILED


# --- beat -------------------------------------------------------------------------------------


def test_a_beat_stamps_that_running_run_and_renews_its_leases() -> None:
    run, other, ended = running(), running(), running()
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    ImportRun.objects.update(heartbeat_at=hour_ago)
    ImportRun.objects.filter(pk=ended.pk).update(status=Status.FAILED)
    claims.acquire(key="board:text/overall", ttl=SECOND, run=run)
    claims.acquire(key="board:vision/overall", ttl=SECOND, run=other)

    runs.beat(run_id=run.pk, progress="writing")
    runs.beat(run_id=ended.pk, progress="late")

    for each in (run, other, ended):
        each.refresh_from_db()
    assert near(run.heartbeat_at, timezone.now()) and run.progress == "writing"
    assert other.heartbeat_at == hour_ago and other.progress == ""
    assert ended.heartbeat_at == hour_ago and ended.progress == ""  # an ended run stays ended
    leases = dict(ImportClaim.objects.values_list("run_id", "expires_at"))
    assert near(leases[run.pk], timezone.now() + claims.lease())
    assert leases[other.pk] < timezone.now() + 2 * SECOND


def test_a_beat_without_progress_clears_it_and_long_progress_is_cut() -> None:
    run = running()
    runs.beat(run_id=run.pk, progress="p" * 300)
    run.refresh_from_db()
    assert len(run.progress) == 200

    runs.beat(run_id=run.pk)
    run.refresh_from_db()
    assert run.progress == ""


# --- queued_to_resend -------------------------------------------------------------------------


def test_only_queued_runs_are_resent() -> None:
    stuck, busy = queued(), running()
    long_ago = timezone.now() - claims.lease() - dt.timedelta(minutes=1)
    ImportRun.objects.update(heartbeat_at=long_ago)

    assert runs.queued_to_resend() == [stuck.pk]
    busy.refresh_from_db()
    assert busy.heartbeat_at == long_ago  # a running run is the sweep's other business


# --- abandon_dead_runs ------------------------------------------------------------------------


def test_dead_runs_end_failed_unless_they_had_published_and_each_is_counted() -> None:
    published, unpublished, alive = running(), running(), running()
    factories.snapshot(factories.board(), import_run=published)
    long_ago = timezone.now() - claims.lease() - dt.timedelta(minutes=1)
    ImportRun.objects.exclude(pk=alive.pk).update(heartbeat_at=long_ago, progress="writing")

    assert runs.abandon_dead_runs() == 2

    for each in (published, unpublished, alive):
        each.refresh_from_db()
    assert published.status == Status.SUCCEEDED  # what it published stands
    assert published.reason == (
        "abandoned after publishing: the process stopped before recording its counts"
    )
    assert unpublished.status == Status.FAILED
    assert unpublished.reason == "abandoned: the importing process stopped before finishing"
    for ended in (published, unpublished):
        assert near(ended.finished_at, timezone.now()) and ended.progress == ""
    assert alive.status == Status.RUNNING and alive.finished_at is None


# --- can_force_publish ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "stored", "allowed"),
    [
        (Status.REJECTED, True, True),
        (Status.REJECTED, False, False),  # nothing to publish
        (Status.FAILED, True, False),  # only a rejection is a judgement a curator may overrule
        (Status.SUCCEEDED, True, False),
    ],
)
def test_only_a_rejected_run_with_its_payload_can_be_force_published(
    status: str, stored: bool, allowed: bool
) -> None:
    run = ImportRun(status=status, payload=payload() if stored else None)
    assert runs.can_force_publish(run) is allowed
