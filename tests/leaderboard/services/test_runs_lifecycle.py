"""``services.runs`` function by function: each step of a run's life touches exactly the run
it is given, stamps the times it promises and keeps what the caller passed.

The scenario tests in test_runs.py go through the import door; these pin the contract of
each step (mutation testing found steps that could touch every run, or drop a field, with
the scenarios still passing).

Past 400 lines: one section per function of ``services.runs`` and its heartbeat thread;
``make mutate`` runs each runs mutant against this file and test_runs.py."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.utils import timezone

from leaderboard.models import ImportClaim, ImportRun, RawPayload, Source
from leaderboard.services import claims, runs
from leaderboard.services.imports import Outcome
from leaderboard.services.planning import Counts
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


def test_a_started_run_keeps_its_source_and_upstream_times() -> None:
    source = Source.objects.create(
        slug="a-test-source", format="hf-dataset", url="https://hf.example/"
    )
    fetched = timezone.now() - dt.timedelta(minutes=3)
    updated = timezone.now() - dt.timedelta(days=2)
    run = runs.start(
        trigger=ImportRun.Trigger.SCHEDULE, origin="a-test-source", source=source,
        fetched_at=fetched, upstream_updated_at=updated,
    )  # fmt: skip
    run.refresh_from_db()
    assert run.source == source and run.trigger == ImportRun.Trigger.SCHEDULE
    assert (run.fetched_at, run.upstream_updated_at) == (fetched, updated)


def test_a_started_run_begins_when_its_work_began_but_never_in_the_future() -> None:
    earlier = timezone.now() - dt.timedelta(seconds=40)  # a fetch that failed after 40 s
    assert running(started_at=earlier).started_at == earlier
    assert near(running(started_at=timezone.now() + dt.timedelta(hours=1)).started_at,
                timezone.now())  # fmt: skip
    assert near(running().started_at, timezone.now())


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


# --- finish ---------------------------------------------------------------------------------


def test_finish_records_the_whole_outcome_on_that_run_only() -> None:
    run, other = running(format_name="markdown"), running()
    counts = Counts(rows_parsed=3, boards=["text/overall"], written=True, snapshots_created=1)
    outcome = Outcome(status=Status.SUCCEEDED, reason="published", format="hf-dataset",
                      counts=counts, changes={"entered": ["m"]})  # fmt: skip
    ImportRun.objects.filter(pk=run.pk).update(progress="writing")
    run.progress = "writing"

    assert runs.finish(run, outcome) is outcome and outcome.run is run

    run.refresh_from_db()
    assert (run.status, run.reason, run.format) == (Status.SUCCEEDED, "published", "hf-dataset")
    assert run.counts == counts.as_json() and run.counts["snapshots_created"] == 1
    assert run.changes == {"entered": ["m"]}
    assert near(run.finished_at, timezone.now()) and run.progress == ""
    other.refresh_from_db()
    assert other.status == Status.RUNNING and other.finished_at is None


def test_finish_writes_only_the_outcome_not_what_others_stamped_meanwhile() -> None:
    run = running()
    later = timezone.now() + dt.timedelta(minutes=5)
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=later)  # a beat after we loaded it

    runs.finish(run, Outcome(status=Status.SUCCEEDED))

    run.refresh_from_db()
    assert run.heartbeat_at == later and run.status == Status.SUCCEEDED


def test_finish_keeps_the_runs_format_when_the_outcome_names_none() -> None:
    run = running(format_name="markdown")
    runs.finish(run, Outcome(status=Status.FAILED, reason="broken"))
    run.refresh_from_db()
    assert run.format == "markdown" and run.counts == Counts().as_json()


@pytest.mark.parametrize(
    ("status", "level"),
    [(Status.SUCCEEDED, logging.INFO), (Status.UNCHANGED, logging.INFO),
     (Status.REJECTED, logging.WARNING), (Status.FAILED, logging.WARNING)],
)  # fmt: skip
def test_finish_logs_each_run_a_failure_as_a_warning(
    status: str, level: int, caplog: pytest.LogCaptureFixture
) -> None:
    run = running()
    with caplog.at_level(logging.INFO, logger="leaderboard.services.runs"):
        runs.finish(run, Outcome(status=status, reason="why"))
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (level, f"import {run.pk} from test: {status} why")
    ]


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


def test_a_run_is_dead_only_once_its_heartbeat_is_a_whole_lease_old() -> None:
    lease = claims.lease()
    recent, dead = running(), running()
    never_beat_old, never_beat_new = running(), running()
    now = timezone.now()
    ImportRun.objects.filter(pk=recent.pk).update(  # a long import, still beating
        heartbeat_at=now - lease + 10 * SECOND, started_at=now - 10 * lease
    )
    ImportRun.objects.filter(pk=dead.pk).update(heartbeat_at=now - lease - 10 * SECOND)
    # Runs recorded before heartbeats existed: their start counts instead.
    ImportRun.objects.filter(pk=never_beat_old.pk).update(
        heartbeat_at=None, started_at=now - lease - 10 * SECOND
    )
    ImportRun.objects.filter(pk=never_beat_new.pk).update(heartbeat_at=None, started_at=now)

    assert runs.abandon_dead_runs() == 2

    status = dict(ImportRun.objects.values_list("pk", "status"))
    assert status == {
        recent.pk: Status.RUNNING, dead.pk: Status.FAILED,
        never_beat_old.pk: Status.FAILED, never_beat_new.pk: Status.RUNNING,
    }  # fmt: skip


def test_ending_dead_runs_frees_their_leases_only() -> None:
    dead, live = running(), running()
    claims.acquire(key="board:text/overall", ttl=claims.lease(), run=dead)
    claims.acquire(key="board:vision/overall", ttl=claims.lease(), run=live)
    long_ago = timezone.now() - claims.lease() - dt.timedelta(minutes=1)
    ImportRun.objects.filter(pk=dead.pk).update(heartbeat_at=long_ago)

    assert runs.abandon_dead_runs() == 1

    assert list(ImportClaim.objects.values_list("key", "run_id")) == [
        ("board:vision/overall", live.pk)
    ]


def test_with_no_dead_run_the_sweep_changes_nothing() -> None:
    live = running()
    claims.acquire(key="board:text/overall", ttl=claims.lease(), run=live)
    assert runs.abandon_dead_runs() == 0
    assert ImportClaim.objects.count() == 1


# --- the heartbeat thread ---------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_a_live_run_beats_every_third_of_a_lease_with_its_phase(settings: Any) -> None:
    settings.ARENA_IMPORT_CLAIM_SECONDS = 3  # a beat every second
    run = running()
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    beats: list[float] = []
    started = time.monotonic()

    with runs.alive(run) as heart:
        heart.report("writing snapshots")
        assert wait_until(
            lambda: ImportRun.objects.filter(pk=run.pk, progress="writing snapshots").exists(),
            timeout=10,
        )
        beats.append(time.monotonic() - started)
        assert heart._thread.daemon  # a process that exits never waits for it
    stopped = time.monotonic() - started

    run.refresh_from_db()
    assert near(run.heartbeat_at, timezone.now())
    assert 0.9 <= beats[0] < 5  # the first beat comes after a third of a lease, not at once
    assert not heart._thread.is_alive()
    assert stopped - beats[0] < 1.0  # stopping does not wait out a lease


@pytest.mark.django_db(transaction=True)
def test_a_beat_before_any_phase_is_reported_clears_the_old_progress(settings: Any) -> None:
    settings.ARENA_IMPORT_CLAIM_SECONDS = 1.5  # a beat every half second
    run = running()
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=hour_ago, progress="picked up")

    with runs.alive(run):
        assert wait_until(
            lambda: ImportRun.objects.filter(pk=run.pk, heartbeat_at__gt=hour_ago).exists()
        )

    run.refresh_from_db()
    assert run.progress == ""


@pytest.mark.django_db(transaction=True)
def test_a_stuck_beat_holds_up_the_end_of_a_run_for_a_lease_at_most(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ARENA_IMPORT_CLAIM_SECONDS = 0.6
    stuck, release = threading.Event(), threading.Event()

    def hanging(*, run_id: int, progress: str = "") -> None:
        stuck.set()
        release.wait(timeout=30)  # a database that stopped answering

    monkeypatch.setattr(runs, "beat", hanging)
    try:
        with runs.alive(running()) as heart:
            assert stuck.wait(timeout=10)
            started = time.monotonic()
        waited = time.monotonic() - started
        assert heart._thread.is_alive()  # left behind: a daemon thread, it ends with its beat
        assert 0.5 <= waited < 5
    finally:
        release.set()
        heart._thread.join(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_missed_heartbeat_is_logged_and_the_next_one_still_comes(
    settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ARENA_IMPORT_CLAIM_SECONDS = 1.5  # a beat every half second
    run = running()
    real_beat, calls = runs.beat, []

    def flaky(*, run_id: int, progress: str = "") -> None:
        calls.append(run_id)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        real_beat(run_id=run_id, progress=progress)

    monkeypatch.setattr(runs, "beat", flaky)
    with (
        caplog.at_level(logging.WARNING, logger="leaderboard.services.runs"),
        runs.alive(run) as heart,
    ):
        heart.report("second beat")
        assert wait_until(lambda: len(calls) >= 2)
        assert wait_until(
            lambda: ImportRun.objects.filter(pk=run.pk, progress="second beat").exists()
        )
    assert set(calls) == {run.pk}
    assert f"heartbeat of run {run.pk} missed: database is locked" in caplog.messages


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
