"""The import pipeline's admin: run records, payload download, upload, force-publish, import now.

Driven through the test client as a superuser, as staff with only view permissions, and
anonymously, against the real pipeline and the real seed page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arenasite.celery import app as celery_app
from leaderboard import tasks
from leaderboard.admin import imports as leaderboard_admin
from leaderboard.boards import BoardKey
from leaderboard.models import ImportRun, Leaderboard, RawPayload, Snapshot, Source
from leaderboard.services.importing import import_payload
from leaderboard.services.imports import Outcome
from leaderboard.services.planning import ImportRequest
from tests.paths import REPO, UPSTREAM
from tests.processes import database_url, stop

pytestmark = pytest.mark.django_db


SEED_PATH = UPSTREAM / "markdown-cherry/seed_en_2025-11-18.md"
SEED = SEED_PATH.read_bytes()
SEED_ROWS = 266
UPLOAD_URL = reverse("admin:leaderboard_importrun_upload")
RUNS_URL = reverse("admin:leaderboard_importrun_changelist")
SOURCES_URL = reverse("admin:leaderboard_source_changelist")


def run_url(run: ImportRun, view: str = "change") -> str:
    return reverse(f"admin:leaderboard_importrun_{view}", args=[run.pk])


def top_rows_next_day(n: int) -> bytes:
    """The seed cut to its first ``n`` rows and dated a day later: a sharp drop in rows."""
    lines = []
    rows = 0
    for line in SEED.decode().splitlines(keepends=True):
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 1 and cells[1].strip().isdigit():
            rows += 1
            if rows > n:
                continue
        lines.append(line)
    return "".join(lines).replace("2025-11-18", "2025-11-19").encode()


def import_bytes(data: bytes, origin: str) -> Outcome:
    return import_payload(
        ImportRequest(
            data=data,
            origin=origin,
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("text/overall"),
        )
    )


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def viewer(django_user_model: Any) -> Any:
    """Staff who may look at everything in the app and change nothing."""
    user = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="leaderboard", codename__startswith="view_"
        )
    )
    return user


@pytest.fixture
def viewer_client(viewer: Any) -> Client:
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def seeded() -> ImportRun:
    outcome = import_bytes(SEED, "seed_en_2025-11-18.md")
    assert outcome.status == ImportRun.Status.SUCCEEDED
    assert outcome.run is not None
    return outcome.run


@pytest.fixture
def rejected(seeded: ImportRun) -> ImportRun:
    outcome = import_bytes(top_rows_next_day(20), "top20_2025-11-19.md")
    assert outcome.status == ImportRun.Status.REJECTED
    assert "row count fell sharply" in outcome.reason
    assert outcome.run is not None
    return outcome.run


class RecordingTask:
    """Stands in for the Celery task: records what would have been sent to the broker."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def apply_async(self, args: tuple[Any, ...], **options: Any) -> None:
        self.sent.append(args)


@pytest.fixture
def recorded_task(monkeypatch: pytest.MonkeyPatch) -> RecordingTask:
    recorder = RecordingTask()
    monkeypatch.setattr(tasks, "import_source", recorder)
    return recorder


# --- run records ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin_client", "viewer_client"])
def test_run_list_and_detail_render_counts_changes_snapshots_and_download_link(
    who: str, request: pytest.FixtureRequest, seeded: ImportRun
) -> None:
    client = request.getfixturevalue(who)
    snapshot = Snapshot.objects.get(import_run=seeded)

    listing = client.get(RUNS_URL)
    detail = client.get(run_url(seeded))

    assert listing.status_code == 200
    assert b"seed_en_2025-11-18.md" in listing.content
    assert b"admin/img/icon-yes.svg" in listing.content
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "<pre>{\n  &quot;aliases_created&quot;" in body
    assert "&quot;snapshots_created&quot;: 1" in body
    assert "&quot;text/overall&quot;: {" in body  # the changes, per board
    assert reverse("admin:leaderboard_snapshot_change", args=[snapshot.pk]) in body
    assert "text/overall 2025-11-18 (266 rows, dated by the payload&#x27;s own date)" in body
    assert run_url(seeded, "payload") in body
    assert 'name="_save"' not in body  # a record, not a form


def test_run_detail_offers_force_publish_only_to_those_who_may_on_a_rejected_run(
    admin_client: Client, viewer_client: Client, seeded: ImportRun, rejected: ImportRun
) -> None:
    force_url = run_url(rejected, "force_publish")

    assert force_url in admin_client.get(run_url(rejected)).content.decode()
    assert force_url not in viewer_client.get(run_url(rejected)).content.decode()
    assert (
        run_url(seeded, "force_publish") not in admin_client.get(run_url(seeded)).content.decode()
    )
    assert "Forced past the gate" in admin_client.get(run_url(rejected)).content.decode()


def test_runs_cannot_be_added_edited_or_deleted_even_by_a_superuser(
    admin_client: Client, seeded: ImportRun
) -> None:
    add = admin_client.get(reverse("admin:leaderboard_importrun_add"))
    edit = admin_client.post(run_url(seeded), {"reason": "rewritten", "status": "failed"})
    delete = admin_client.post(run_url(seeded, "delete"), {"post": "yes"})

    assert add.status_code == 403
    assert edit.status_code == 403
    assert delete.status_code == 403
    seeded.refresh_from_db()
    assert (seeded.status, seeded.reason) == (ImportRun.Status.SUCCEEDED, "")


@pytest.mark.parametrize(
    "url",
    [
        RUNS_URL,
        UPLOAD_URL,
        SOURCES_URL,
        reverse("admin:leaderboard_importrun_payload", args=[1]),
        reverse("admin:leaderboard_importrun_force_publish", args=[1]),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_run_list_takes_the_same_number_of_queries_for_one_run_or_ten(
    admin_client: Client,
) -> None:
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(RUNS_URL).status_code == 200
        return len(captured)

    source = Source.objects.create(slug="run-list", format="hf-dataset", url="https://x.test/")
    ImportRun.objects.create(trigger=ImportRun.Trigger.SCHEDULE, source=source)
    one = queries_for_list()
    for n in range(9):
        other = Source.objects.create(
            slug=f"run-list-{n}", format="markdown", url="https://x.test/"
        )
        ImportRun.objects.create(trigger=ImportRun.Trigger.SCHEDULE, source=other)
    ten = queries_for_list()

    assert one == ten


# --- payload download ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin_client", "viewer_client"])
def test_payload_download_returns_the_exact_original_bytes_as_an_attachment(
    who: str, request: pytest.FixtureRequest, seeded: ImportRun
) -> None:
    client = request.getfixturevalue(who)

    response = client.get(run_url(seeded, "payload"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SEED
    assert response["Content-Disposition"] == (
        f'attachment; filename="run-{seeded.pk}-seed_en_2025-11-18.md"'
    )
    assert response["Content-Type"] == "text/markdown"  # stored without a type: from the name
    assert response["X-Content-Type-Options"] == "nosniff"


def test_payload_download_is_refused_to_staff_without_view_permission(
    django_user_model: Any, seeded: ImportRun
) -> None:
    client = Client()
    client.force_login(
        django_user_model.objects.create_user(username="bare", password="x", is_staff=True)
    )

    assert client.get(run_url(seeded, "payload")).status_code == 403


@pytest.mark.parametrize(
    ("origin", "content_type", "filename", "served_as"),
    [
        (
            "https://datasets-server.huggingface.co/rows?dataset=a/b&offset=0",
            "application/json; charset=utf-8",
            "run-7-rows.json",
            "application/json; charset=utf-8",
        ),
        (
            '../../etc/pass"wd\r\nX-Evil: 1.md',
            "text/html\r\nX-Evil: 1",
            "run-7-pass_wd_X-Evil_1.md",
            "text/markdown",
        ),
        ("", "", "run-7-payload-abcdefabcdef.bin", "application/octet-stream"),
    ],
)
def test_payload_filenames_and_types_cannot_carry_paths_quotes_or_headers(
    origin: str, content_type: str, filename: str, served_as: str
) -> None:
    run = ImportRun(pk=7, origin=origin)
    payload = RawPayload(
        origin=origin, sha256="abcdefabcdef" * 5 + "abcd", content_type=content_type
    )

    name = leaderboard_admin.payload_filename(run, payload)

    assert name == filename
    assert leaderboard_admin.payload_content_type(payload, name) == served_as


# --- upload ---------------------------------------------------------------------------------


def upload(client: Client, data: bytes, name: str = "seed_en_2025-11-18.md", **fields: Any) -> Any:
    form = {"board": "text/overall", "format": "", "published_on": ""} | fields
    return client.post(UPLOAD_URL, form | {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def worker_in_process() -> Iterator[None]:
    """Tasks sent run at once in this process (the worker's code path, without a broker)."""
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False


def test_an_upload_answers_at_once_with_its_queued_run_and_the_worker_publishes_it(
    admin_client: Client, worker_in_process: None, django_capture_on_commit_callbacks: Any
) -> None:
    assert admin_client.get(UPLOAD_URL).status_code == 200
    assert UPLOAD_URL in admin_client.get(RUNS_URL).content.decode()

    with django_capture_on_commit_callbacks() as sent:
        response = upload(admin_client, SEED)

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run_url(run)
    assert (run.status, run.trigger) == ("queued", "upload")
    assert not Snapshot.objects.exists()
    assert messages_of(response) == [f"Queued upload as run {run.pk}: the worker imports it."]
    page = admin_client.get(run_url(run)).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert len(sent) == 1

    sent[0]()  # the commit hands the run to the worker

    run.refresh_from_db()
    assert (run.status, run.trigger, run.format) == ("succeeded", "upload", "markdown")
    board = Leaderboard.objects.get(arena="text", category="overall", style_control=True)
    assert board.current_snapshot is not None
    assert board.current_snapshot.row_count == SEED_ROWS
    assert board.current_snapshot.entries.count() == SEED_ROWS
    assert board.current_snapshot.published_on == dt.date(2025, 11, 18)
    assert admin_client.get(run_url(run, "payload")).getvalue() == SEED
    assert 'http-equiv="refresh"' not in admin_client.get(run_url(run)).content.decode()


def test_a_dateless_upload_is_dated_by_its_name_or_the_form_or_rejected_naming_the_date(
    admin_client: Client, worker_in_process: None, django_capture_on_commit_callbacks: Any
) -> None:
    dateless = (UPSTREAM / "csv-fboulnois" / "lmsys_csv_2024-06-19_arena_elo.csv").read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        upload(admin_client, dateless, name="arena.csv")
    refused = ImportRun.objects.get()
    assert refused.status == "rejected"
    assert "no date of its own" in refused.reason and "--published-on" in refused.reason
    assert not Snapshot.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        upload(admin_client, dateless, name="arena.csv", published_on="2024-06-19")
    given = ImportRun.objects.exclude(pk=refused.pk).get()
    assert given.status == "succeeded", given.reason
    page = admin_client.get(run_url(given)).content.decode()
    assert "2024-06-19 (" in page and "dated by the date given with the import)" in page
    assert "&quot;dating&quot;: [" in page  # and the run's counts say it too


def test_uploading_garbage_ends_as_a_rejected_run_with_its_reason_and_publishes_nothing(
    admin_client: Client, worker_in_process: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, b"\x00\x01 not a leaderboard \xff", name="junk.bin")

    run = ImportRun.objects.get()
    assert response["Location"] == run_url(run)
    assert run.status == ImportRun.Status.REJECTED
    assert run.reason.startswith("unrecognised payload")
    assert not Snapshot.objects.exists()


def test_an_upload_with_the_broker_down_still_answers_and_its_run_says_it_waits(
    admin_client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks.import_run, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, SEED)

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.status == ImportRun.Status.QUEUED
    ImportRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=30),
        heartbeat_at=timezone.now() - dt.timedelta(seconds=30),
    )
    assert "not picked up by the worker yet" in admin_client.get(run_url(run)).content.decode()


def test_a_dry_run_shows_what_would_happen_and_writes_nothing(admin_client: Client) -> None:
    response = upload(admin_client, SEED, dry_run="on")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Dry run: nothing was stored" in body
    assert "&quot;rows_parsed&quot;: 266" in body
    assert "Succeeded" in body
    assert not ImportRun.objects.exists()
    assert not Snapshot.objects.exists()
    assert not RawPayload.objects.exists()


def test_a_dry_run_of_garbage_shows_the_reason(admin_client: Client) -> None:
    response = upload(admin_client, b"nothing to see", name="junk.txt", dry_run="on")

    assert "unrecognised payload" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_upload_refuses_a_bad_board_an_oversized_file_and_an_unknown_format(
    admin_client: Client, settings: Any
) -> None:
    settings.ARENA_FETCH_MAX_BYTES = 1000

    bad_board = upload(admin_client, b"x" * 10, board="overall")
    too_big = upload(admin_client, SEED)
    bad_format = upload(admin_client, b"x" * 10, format="pickle")

    assert "board must look like ARENA/CATEGORY" in bad_board.content.decode()
    assert "the limit is 1000" in too_big.content.decode()
    assert "Select a valid choice" in bad_format.content.decode()
    assert not ImportRun.objects.exists()


def test_staff_with_view_permission_only_cannot_upload(viewer_client: Client) -> None:
    assert viewer_client.get(UPLOAD_URL).status_code == 403
    assert upload(viewer_client, SEED).status_code == 403
    assert UPLOAD_URL not in viewer_client.get(RUNS_URL).content.decode()
    assert not ImportRun.objects.exists()


# --- force-publish --------------------------------------------------------------------------


def test_force_publish_needs_a_reason_of_a_few_words(
    admin_client: Client, rejected: ImportRun
) -> None:
    url = run_url(rejected, "force_publish")

    page = admin_client.get(url)
    empty = admin_client.post(url, {"reason": "   "})
    one_word = admin_client.post(url, {"reason": "ok"})

    assert page.status_code == 200
    assert "row count fell sharply: 20 rows after 266" in page.content.decode()
    assert "This field is required." in empty.content.decode()
    assert "at least 3 words" in one_word.content.decode()
    assert ImportRun.objects.count() == 2  # the seed's run and the rejected one


def test_force_publish_publishes_the_rejected_payload_and_records_who_and_why(
    admin_client: Client, admin_user: Any, rejected: ImportRun
) -> None:
    reason = "Upstream really did cut the board to its top 20 today."

    response = admin_client.post(run_url(rejected, "force_publish"), {"reason": reason})

    forced = ImportRun.objects.latest("pk")
    assert forced.pk != rejected.pk
    assert response["Location"] == run_url(forced)
    assert forced.status == ImportRun.Status.SUCCEEDED
    assert (forced.forced_by, forced.force_reason) == (admin_user, reason)
    assert forced.payload_id == rejected.payload_id
    board = Leaderboard.objects.get(arena="text", category="overall", style_control=True)
    assert board.current_snapshot is not None
    assert (board.current_snapshot.row_count, board.current_snapshot.import_run) == (20, forced)
    assert messages_of(response) == [f"Force-published as run {forced.pk}: Succeeded"]
    log = LogEntry.objects.get(object_id=str(rejected.pk))
    assert log.get_change_message() == f"Force-published as run {forced.pk}: {reason}"
    detail = admin_client.get(run_url(forced)).content.decode()
    assert reason in detail


def test_force_publish_is_refused_for_a_run_that_was_not_rejected(
    admin_client: Client, seeded: ImportRun
) -> None:
    response = admin_client.post(
        run_url(seeded, "force_publish"), {"reason": "publish it again anyway please"}
    )

    assert response.status_code == 302
    assert response["Location"] == run_url(seeded)
    assert messages_of(response) == [
        "Only a rejected run with a stored payload can be force-published."
    ]
    assert ImportRun.objects.count() == 1


def test_force_publish_is_forbidden_to_staff_with_view_permission_only(
    viewer_client: Client, rejected: ImportRun
) -> None:
    url = run_url(rejected, "force_publish")

    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"reason": "I would like this published now"}).status_code == 403
    assert ImportRun.objects.count() == 2
    assert Snapshot.objects.get().row_count == SEED_ROWS


# --- sources: import now and the latest run -------------------------------------------------


def make_sources(count: int, *, start: int = 0) -> list[Source]:
    made = []
    for n in range(start, start + count):
        source = Source.objects.create(
            slug=f"source-{n}", format="markdown", url=f"https://example.test/{n}.md"
        )
        ImportRun.objects.create(trigger=ImportRun.Trigger.SCHEDULE, source=source)
        ImportRun.objects.create(
            trigger=ImportRun.Trigger.SCHEDULE, source=source, status=ImportRun.Status.FAILED
        )
        made.append(source)
    return made


def test_import_now_queues_one_import_per_selected_source_after_commit(
    admin_client: Client,
    recorded_task: RecordingTask,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, _, third = make_sources(3)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            SOURCES_URL,
            {"action": "import_now", "_selected_action": [first.pk, third.pk]},
        )

    assert response.status_code == 302
    assert sorted(recorded_task.sent) == sorted(
        [(first.pk, ImportRun.Trigger.ADMIN, True), (third.pk, ImportRun.Trigger.ADMIN, True)]
    )
    assert messages_of(response) == ["Queued 2 imports: source-0, source-2."]


def test_import_now_is_not_offered_to_staff_with_view_permission_only(
    viewer_client: Client,
    recorded_task: RecordingTask,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (source,) = make_sources(1)

    listing = viewer_client.get(SOURCES_URL)
    with django_capture_on_commit_callbacks(execute=True):
        viewer_client.post(SOURCES_URL, {"action": "import_now", "_selected_action": [source.pk]})

    assert listing.status_code == 200
    assert 'value="import_now"' not in listing.content.decode()
    assert recorded_task.sent == []


def test_source_list_shows_each_sources_latest_run(admin_client: Client) -> None:
    (source,) = make_sources(1)
    newest = ImportRun.objects.filter(source=source).latest("started_at", "pk")

    body = admin_client.get(SOURCES_URL).content.decode()

    assert newest.status == ImportRun.Status.FAILED
    assert 'alt="failed"> Failed' in body
    assert "Running" not in body  # the older run is not the one shown


def test_source_list_takes_the_same_number_of_queries_for_one_source_or_ten(
    admin_client: Client,
) -> None:
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(SOURCES_URL)
        assert response.status_code == 200
        return len(captured)

    Source.objects.all().delete()  # the sources a migration seeds: compare exactly 1 and 10
    make_sources(1)
    one = queries_for_list()
    make_sources(9, start=1)
    ten = queries_for_list()

    assert one == ten
    assert Source.objects.count() == 10
    assert "source-9" in admin_client.get(SOURCES_URL).content.decode()


def test_import_admin_pages_carry_no_inline_script_style_or_handlers(
    admin_client: Client, rejected: ImportRun
) -> None:
    """The site's CSP allows scripts and styles from files only."""
    urls = [RUNS_URL, UPLOAD_URL, SOURCES_URL, run_url(rejected)]
    urls.append(run_url(rejected, "force_publish"))

    for url in urls:
        response = admin_client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response.headers, url
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == [], url
        assert re.findall(r"\sstyle=|\son[a-z]+=", body) == [], url


# --- a big upload, imported by a real worker --------------------------------------------------

HISTORY = UPSTREAM / "csv-history/jasontrigg0_alltime_2025-03-29.csv"
WORKER_SECONDS = 300


def big_history(size: int) -> bytes:
    """A real history-long CSV grown to ``size`` bytes: its latest day's rows, one date a day
    going back (same rows: the worker parses and gates all of them, and writes one snapshot)."""
    header, *rows = HISTORY.read_bytes().splitlines()
    last = max(row.rsplit(b",", 1)[1] for row in rows)
    latest = [row.rsplit(b",", 1)[0] for row in rows if row.endswith(b"," + last)]
    lines, total, day = [header], len(header), dt.date(2025, 3, 29)
    while total < size:
        stamp = day.strftime("%Y%m%d").encode()
        lines.extend(row + b"," + stamp for row in latest)
        total += sum(len(row) + len(stamp) + 2 for row in latest)
        day -= dt.timedelta(days=1)
    return b"\n".join(lines) + b"\n"


@pytest.fixture
def worker(tmp_path: Path, settings: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``celery worker`` on the test database and this process's broker."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "arenasite.settings",
        "SECRET_KEY": "test",
        "DATABASE_URL": database_url(),
        "ARENA_VAR_DIR": str(settings.VAR_DIR),  # the filesystem broker's folder, when used
    }
    log = (tmp_path / "worker.log").open("w+b")
    command = [
        str(Path(sys.executable).parent / "celery"), "-A", "arenasite", "worker",
        "--pool=solo", "--without-gossip", "--without-mingle", "--loglevel=INFO",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield process
    finally:
        stop(process)
        log.seek(0)
        print(log.read().decode(errors="replace")[-3000:] if process.returncode else "")
        log.close()


@pytest.mark.django_db(transaction=True)
def test_a_30_mb_upload_answers_at_once_and_a_real_worker_imports_it(
    admin_client: Client, worker: subprocess.Popen[bytes]
) -> None:
    data = big_history(30 * 1024 * 1024)
    started = time.monotonic()

    response = upload(admin_client, data, name="history-30mb.csv")

    answered = time.monotonic() - started
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run_url(run)
    assert answered < 20, f"the upload request took {answered:.1f} s"
    while run.status in {ImportRun.Status.QUEUED, ImportRun.Status.RUNNING}:
        assert worker.poll() is None, "the worker exited"
        assert time.monotonic() - started < WORKER_SECONDS, f"still {run.status}: {run.progress}"
        time.sleep(0.5)
        run.refresh_from_db()
    finished = time.monotonic() - started

    assert run.status == ImportRun.Status.SUCCEEDED, run.reason
    assert run.counts["rows_parsed"] > 300_000
    assert Snapshot.objects.filter(import_run=run).count() == 1
    print(
        f"\n{len(data) / 2**20:.1f} MB upload ({connection.vendor}): request answered in "
        f"{answered:.2f} s; the worker finished the import {finished:.1f} s after the upload "
        f"({run.counts['rows_parsed']:,} rows)"
    )
