"""An import run's life (``services.runs``): the one door for every origin, its options
honoured or refused, leases held by the run's heartbeat, dead runs abandoned within a lease,
any exit recorded, and queued uploads."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from leaderboard import tasks
from leaderboard.boards import BoardKey
from leaderboard.models import AIModel, ImportClaim, ImportRun, RawPayload, Snapshot, Source
from leaderboard.services import claims, importing, runs
from leaderboard.services import imports as imports_service
from leaderboard.services.importing import force_publish, import_payload
from leaderboard.services.planning import ImportRequest
from tests import fake_upstream
from tests.fake_upstream import FakeUpstream, Reply
from tests.paths import SEED, UPSTREAM

pytestmark = pytest.mark.django_db

upstream = fake_upstream.upstream
fast_fetch = fake_upstream.fast_fetch

CATALOG = UPSTREAM / "json-arena-catalog" / "leaderboard-vision_json_2025-05-24.json"
Status = ImportRun.Status
COMMAND = ImportRun.Trigger.COMMAND


def import_file(path: Path = SEED, **options: Any) -> importing.Outcome:
    return importing.import_origin(
        importing.FromFile(data=path.read_bytes(), name=str(path)),
        importing.ImportOptions(trigger=COMMAND, **options),
    )


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("import_leaderboard", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def arena_text(upstream: FakeUpstream, fast_fetch: None) -> Source:
    """The seeded ``arena-text`` source, pointed at a fake upstream serving the seed page."""
    upstream.route("/leaderboard", Reply(200, body=SEED.read_bytes()))
    source, _ = Source.objects.update_or_create(
        slug="arena-text",
        defaults={
            "format": "markdown",
            "url": upstream.url("/leaderboard"),
            "options": {"arena": "text", "category": "overall", "style_control": True},
        },
    )
    return source


# --- one door, every option ---------------------------------------------------------------


def test_a_configured_source_can_be_dry_run_from_the_command_line(arena_text: Source) -> None:
    output = command("arena-text", "--dry-run")

    assert output.startswith("dry run, nothing written — succeeded: format markdown")
    assert ImportRun.objects.count() == 0
    assert Snapshot.objects.count() == 0


def test_board_format_and_date_are_honoured_for_a_configured_source(
    upstream: FakeUpstream, fast_fetch: None
) -> None:
    upstream.route("/catalog.json", Reply(200, body=CATALOG.read_bytes()))
    Source.objects.create(slug="catalog", format="markdown", url=upstream.url("/catalog.json"))

    output = command(
        "catalog", "--board", "vision/overall", "--format", "arena-catalog",
        "--published-on", "2024-01-15",
    )  # fmt: skip

    assert output.startswith("succeeded: format arena-catalog")
    placed = set(Snapshot.objects.values_list("leaderboard__arena", "published_on"))
    assert placed == {("vision", dt.date(2024, 1, 15))}
    run = ImportRun.objects.get()
    assert (run.board_key, run.published_on) == ("vision/overall", dt.date(2024, 1, 15))
    assert Source.objects.get(slug="catalog").last_revision == ""  # imported off its config


def test_force_is_honoured_for_a_configured_source(
    upstream: FakeUpstream, fast_fetch: None
) -> None:
    two_models = CATALOG.read_text()  # a real catalog; cut to a tiny board it is "soft" only

    catalog = json.loads(two_models)
    tiny = json.dumps({"full": dict(list(catalog["full"].items())[:2])}).encode()
    upstream.route("/tiny.json", Reply(200, body=tiny))
    Source.objects.create(
        slug="tiny", format="arena-catalog", url=upstream.url("/tiny.json"),
        options={"arena": "vision", "category": "overall"},
    )  # fmt: skip
    with pytest.raises(CommandError, match="rejected"):
        command("tiny")

    output = command("tiny", "--force", "--reason", "a tiny board, known and fine")

    assert output.startswith("succeeded:")
    forced = ImportRun.objects.get(status=Status.SUCCEEDED)
    assert forced.force_reason == "a tiny board, known and fine"


@pytest.mark.parametrize(
    ("origin", "options", "message"),
    [
        ("file", {"force": True}, "needs a written reason"),
        ("file", {"force_reason": "because I say so"}, "without forcing"),
        ("file", {"format_name": "pickle"}, "unknown format 'pickle'"),
        ("file", {"force_fetch": True}, "only a configured source"),
        ("url", {"force_fetch": True}, "only a configured source"),
    ],
)
def test_options_that_cannot_be_honoured_are_refused_before_anything_is_written(
    origin: str, options: dict[str, Any], message: str
) -> None:
    where: importing.Origin = (
        importing.FromFile(data=SEED.read_bytes(), name="seed.md")
        if origin == "file"
        else importing.FromUrl("http://127.0.0.1:9/x")
    )

    with pytest.raises(importing.ImportRefused, match=message):
        importing.import_origin(where, importing.ImportOptions(trigger=COMMAND, **options))

    assert ImportRun.objects.count() == 0


def test_a_url_that_cannot_be_fetched_is_a_failed_run(fast_fetch: None) -> None:
    outcome = importing.import_origin(
        importing.FromUrl("http://127.0.0.1:9/gone"), importing.ImportOptions(trigger=COMMAND)
    )

    assert outcome.status == Status.FAILED
    assert outcome.run is not None and outcome.run.origin == "http://127.0.0.1:9/gone"


def test_counts_are_typed_and_stored_with_their_json_keys() -> None:
    outcome = import_file()

    assert outcome.counts.rows_parsed == 266 and outcome.counts.snapshots_created == 1
    stored = ImportRun.objects.get().counts
    assert stored["rows_parsed"] == 266 and stored["snapshots_created"] == 1
    assert "written" not in stored
    dry = import_file(dry_run=True).counts.as_json()
    assert "snapshots_created" not in dry and dry["rows_parsed"] == 266


def test_models_created_counts_only_this_imports_models(monkeypatch: pytest.MonkeyPatch) -> None:
    original = imports_service._write_snapshot

    def another_import_creates_a_model_meanwhile(*args: Any, **kwargs: Any) -> Any:
        AIModel.objects.create(key="someone-elses", name="Someone else's model")
        return original(*args, **kwargs)

    monkeypatch.setattr(
        imports_service, "_write_snapshot", another_import_creates_a_model_meanwhile
    )

    outcome = import_file()

    assert outcome.counts.models_created == AIModel.objects.count() - 1


# --- leases, heartbeats, abandonment -------------------------------------------------------


def test_a_published_file_is_unchanged_even_while_its_board_is_leased() -> None:
    assert import_file().status == Status.SUCCEEDED
    claims.acquire(key="board:text/overall", ttl=dt.timedelta(minutes=5))

    outcome = import_file()

    assert outcome.status == Status.UNCHANGED, outcome.reason


def test_a_run_whose_heartbeat_stopped_a_lease_ago_is_abandoned_and_frees_its_board() -> None:
    dead = runs.start(trigger=COMMAND, origin="killed import")
    claims.acquire(key="board:text/overall", ttl=dt.timedelta(minutes=5), run=dead)
    ImportRun.objects.filter(pk=dead.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=61)
    )

    outcome = import_file()

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    dead.refresh_from_db()
    assert dead.status == Status.FAILED and "abandoned" in dead.reason
    assert not ImportClaim.objects.exists()


def test_a_live_run_is_not_abandoned_and_keeps_its_board() -> None:
    alive = runs.start(trigger=COMMAND, origin="slow import")
    claims.acquire(key="board:text/overall", ttl=dt.timedelta(minutes=5), run=alive)
    ImportRun.objects.filter(pk=alive.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=30)
    )

    outcome = import_file()

    assert outcome.status == Status.SKIPPED
    alive.refresh_from_db()
    assert alive.status == Status.RUNNING


def test_the_sweep_keeps_the_leases_of_a_run_whose_heartbeat_landed_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    late = runs.start(trigger=COMMAND, origin="slow import")
    claims.acquire(key="board:text/overall", ttl=dt.timedelta(minutes=5), run=late)
    ImportRun.objects.filter(pk=late.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=61)
    )
    end_dead = runs._end_dead

    def beat_first(*args: Any, **kwargs: Any) -> int:
        runs.beat(run_id=late.pk)  # between the sweep's look-up and its update
        return end_dead(*args, **kwargs)

    monkeypatch.setattr(runs, "_end_dead", beat_first)

    assert runs.abandon_dead_runs() == 0
    late.refresh_from_db()
    assert late.status == Status.RUNNING
    assert ImportClaim.objects.filter(run=late).exists()


def test_an_import_whose_lease_was_taken_over_mid_write_publishes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = imports_service._write_snapshot

    def taken_over(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        # The lease ran out (a starved heartbeat) and another import took the board.
        ImportClaim.objects.update(token="another-import", run=None)
        return result

    monkeypatch.setattr(imports_service, "_write_snapshot", taken_over)

    outcome = import_file()

    assert outcome.status == Status.SKIPPED
    assert "took it over" in outcome.reason
    assert not Snapshot.objects.exists()


def test_a_queued_run_with_an_unreadable_payload_ends_failed_not_running(
    queued: ImportRun,
) -> None:
    RawPayload.objects.filter(runs=queued).update(compressed=b"not gzip")

    with pytest.raises(gzip.BadGzipFile):
        importing.run_queued(run_id=queued.pk)

    queued.refresh_from_db()
    assert queued.status == Status.FAILED and queued.reason.startswith("unexpected error")


def test_a_busy_run_the_sweep_ended_meanwhile_records_its_outcome_instead_of_waiting(
    queued: ImportRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy_and_swept(request: Any, *, run: ImportRun, **kwargs: Any) -> Any:
        ImportRun.objects.filter(pk=run.pk).update(status=Status.FAILED)  # the sweep's verdict
        return imports_service.Outcome(status=Status.SKIPPED, reason="another import is busy")

    monkeypatch.setattr(imports_service, "process", busy_and_swept)

    outcome = importing.run_queued(run_id=queued.pk, requeue_in=dt.timedelta(seconds=30))

    assert outcome is not None and outcome.status == Status.SKIPPED
    queued.refresh_from_db()
    assert queued.status == Status.SKIPPED and queued.finished_at is not None


def test_a_redelivered_message_does_not_run_a_queued_run_before_its_retry_time(
    queued: ImportRun,
) -> None:
    ImportRun.objects.filter(pk=queued.pk).update(
        heartbeat_at=timezone.now() + dt.timedelta(seconds=30)
    )

    assert importing.run_queued(run_id=queued.pk) is None
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED


def test_the_sweep_purges_replaced_snapshots_past_their_grace_period(settings: Any) -> None:
    import_file()
    import_file_data = SEED.read_text().replace("| 3,298   |", "| 3,300   |", 1).encode()
    importing.import_origin(
        importing.FromFile(data=import_file_data, name="revised.md"),
        importing.ImportOptions(trigger=COMMAND),
    )
    assert Snapshot.all_objects.filter(superseded_at__isnull=False).count() == 1
    settings.ARENA_SUPERSEDED_GRACE_SECONDS = 0

    tasks.sweep_import_runs.apply()

    assert not Snapshot.all_objects.filter(superseded_at__isnull=False).exists()
    assert Snapshot.objects.count() == 1


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_any_exit_ends_the_run_as_failed_and_releases_its_lease(
    interruption: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise interruption()

    monkeypatch.setattr(imports_service, "_write_snapshot", interrupted)

    with pytest.raises(interruption):
        import_file()

    run = ImportRun.objects.get()
    assert run.status == Status.FAILED and run.finished_at is not None
    assert interruption.__name__ in run.reason
    assert not ImportClaim.objects.exists()
    assert Snapshot.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_a_slow_write_holds_the_database(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the renewal (its own connection) passes the write transaction; on SQLite
    it waits behind it. Either way the import finishes, and nobody takes the board meanwhile."""
    settings.ARENA_IMPORT_CLAIM_SECONDS = 1  # beats every third of a second
    original = imports_service._write_snapshot
    writing = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        writing.set()
        time.sleep(4)  # inside the write transaction, well past the 1 s lease
        return original(*args, **kwargs)

    monkeypatch.setattr(imports_service, "_write_snapshot", slow)
    outcomes: list[importing.Outcome] = []

    def first() -> None:
        try:
            outcomes.append(import_file())
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    started = time.monotonic()
    thread.start()
    assert writing.wait(timeout=30)
    time.sleep(1.2)  # the lease, had nobody renewed it, has expired
    # On SQLite these reads wait for nothing (WAL): they see the lease renewed or not. Polled,
    # so a heartbeat thread starved for a moment on a loaded machine still counts.
    renewed, deadline = False, time.monotonic() + 2.5
    while not renewed and time.monotonic() < deadline:
        renewed = ImportClaim.objects.filter(
            key="board:text/overall", expires_at__gt=timezone.now()
        ).exists()
        time.sleep(0.1)
    second = import_file()  # PostgreSQL: the lease is held; SQLite: waits for the writer
    thread.join(timeout=60)
    elapsed = time.monotonic() - started

    assert not thread.is_alive(), "the import and its heartbeat deadlocked"
    assert outcomes[0].status == Status.SUCCEEDED, outcomes[0].reason
    assert second.status in {Status.SKIPPED, Status.UNCHANGED}, second.reason
    assert Snapshot.objects.count() == 1
    assert not ImportClaim.objects.exists()
    if connections["default"].vendor != "sqlite":
        assert renewed, "the lease was not renewed while the write held its transaction"
    print(
        f"\nslow write of 4 s under a 1 s lease ({connections['default'].vendor}): "
        f"finished in {elapsed:.1f} s, lease renewed meanwhile: {renewed}, "
        f"concurrent import: {second.status}"
    )


# --- queued runs (uploads) -------------------------------------------------------------------


@pytest.fixture
def queued() -> ImportRun:
    return importing.queue_upload(
        data=SEED.read_bytes(),
        name="seed.md",
        content_type="text/markdown",
        options=importing.ImportOptions(trigger=ImportRun.Trigger.UPLOAD, board=BoardKey()),
    )


def test_a_queued_run_is_imported_once_however_often_it_is_sent(queued: ImportRun) -> None:
    first = importing.run_queued(run_id=queued.pk)
    second = importing.run_queued(run_id=queued.pk)

    assert first is not None and first.status == Status.SUCCEEDED
    assert second is None
    assert Snapshot.objects.count() == 1


def test_a_queued_run_for_a_busy_board_goes_back_in_the_queue(queued: ImportRun) -> None:
    claims.acquire(key="board:text/overall", ttl=dt.timedelta(minutes=5))

    outcome = importing.run_queued(run_id=queued.pk, requeue_in=dt.timedelta(seconds=30))

    assert outcome is not None and outcome.status == Status.QUEUED
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED and "next try in 30 s" in queued.progress
    assert runs.queued_to_resend() == []  # it waits for its retry, not for the sweep


def test_the_sweep_resends_queued_runs_no_worker_picked_up(queued: ImportRun) -> None:
    ImportRun.objects.filter(pk=queued.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=61)
    )

    assert runs.queued_to_resend() == [queued.pk]
    assert runs.queued_to_resend() == []  # stamped: a second sweep leaves it alone


def test_a_dry_run_is_never_queued() -> None:
    with pytest.raises(importing.ImportRefused, match="nothing to queue"):
        importing.queue_upload(
            data=b"x", name="x", content_type="",
            options=importing.ImportOptions(trigger=ImportRun.Trigger.UPLOAD, dry_run=True),
        )  # fmt: skip


# --- the tasks ------------------------------------------------------------------------------


@pytest.fixture
def worker_in_process() -> Iterator[None]:
    from arenasite.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def test_a_busy_board_is_retried_by_the_task_then_left_skipped(
    arena_text: Source, settings: Any, worker_in_process: None
) -> None:
    settings.ARENA_IMPORT_BUSY_RETRIES = 2
    claims.acquire(key="board:text/overall", ttl=dt.timedelta(minutes=5))

    tasks.import_source.apply(args=[arena_text.pk])

    statuses = list(ImportRun.objects.values_list("status", flat=True))
    assert statuses == [Status.SKIPPED] * 3  # the first try and two retries


def test_the_retry_backoff_doubles_and_is_capped(settings: Any) -> None:
    settings.ARENA_IMPORT_BUSY_RETRY_SECONDS = 30

    delays = [tasks.busy_retry_delay(n).total_seconds() for n in range(8)]

    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 30 * 60


def test_the_every_minute_sweep_ends_dead_runs_and_imports_forgotten_uploads(
    queued: ImportRun, worker_in_process: None
) -> None:
    dead = runs.start(trigger=COMMAND, origin="killed import")
    a_minute_ago = timezone.now() - dt.timedelta(seconds=61)
    ImportRun.objects.filter(pk__in=[dead.pk, queued.pk]).update(heartbeat_at=a_minute_ago)

    tasks.sweep_import_runs.apply()

    dead.refresh_from_db()
    queued.refresh_from_db()
    assert dead.status == Status.FAILED
    assert queued.status == Status.SUCCEEDED
    assert Snapshot.objects.filter(import_run=queued).count() == 1


def run(data: bytes, slug: str = "text/overall", **fields: object) -> imports_service.Outcome:
    return import_payload(
        ImportRequest(data=data, origin="test", trigger=ImportRun.Trigger.COMMAND,
                      hint=BoardKey.parse(slug), **fields)  # type: ignore[arg-type]
    )  # fmt: skip


def test_an_unexpected_error_ends_the_run_as_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports_service, "_write_snapshot", explode)

    with pytest.raises(RuntimeError, match="disk on fire"):
        run(SEED.read_bytes())

    recorded = ImportRun.objects.get()
    assert recorded.status == Status.FAILED
    assert "disk on fire" in recorded.reason
    assert recorded.finished_at is not None
    assert Snapshot.objects.count() == 0


def test_force_publish_keeps_the_date_the_upload_was_given() -> None:
    catalog = json.loads(CATALOG.read_text())
    two_models = dict(list(catalog["full"].items())[:2])  # real rows; "only 2 rows" is soft
    payload = json.dumps({"full": two_models}).encode()
    rejected = run(payload, "vision/overall", published_on=dt.date(2024, 1, 15)).run
    assert rejected is not None
    assert rejected.status == Status.REJECTED, rejected.reason
    user = get_user_model().objects.create_user("boss", is_staff=True)

    outcome = force_publish(run=rejected, user=user, reason="a tiny board, known and fine")

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    assert Snapshot.objects.get().published_on == dt.date(2024, 1, 15)
