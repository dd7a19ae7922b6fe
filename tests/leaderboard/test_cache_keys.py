"""The content version that keys every cached page: read, created when missing, bumped."""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from kombu.exceptions import OperationalError

from leaderboard import cache_keys
from leaderboard.models import ContentVersion

pytestmark = pytest.mark.django_db

LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def stored() -> tuple[int, dt.datetime]:
    row = ContentVersion.objects.get(pk=1)
    return row.version, row.changed_at


def test_the_version_and_its_time_are_read_as_stored() -> None:
    ContentVersion.objects.filter(pk=1).update(version=7, changed_at=LONG_AGO)
    assert cache_keys.current() == (7, LONG_AGO)


def test_reading_the_version_is_one_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        cache_keys.current()


def test_the_first_read_without_a_version_row_creates_it_at_version_one() -> None:
    ContentVersion.objects.all().delete()
    before = timezone.now()

    version, changed_at = cache_keys.current()

    assert version == 1
    assert before <= changed_at <= timezone.now()
    assert stored() == (version, changed_at)
    assert cache_keys.current() == (version, changed_at)  # the next read finds the same row


def test_a_bump_increments_the_version_and_stamps_the_time() -> None:
    ContentVersion.objects.filter(pk=1).update(version=7, changed_at=LONG_AGO)
    before = timezone.now()

    cache_keys.bump()

    version, changed_at = stored()
    assert version == 8
    assert before <= changed_at <= timezone.now()
    assert cache_keys.current() == (8, changed_at)


def test_every_bump_gives_a_new_version() -> None:
    versions = []
    for _ in range(3):
        cache_keys.bump()
        versions.append(cache_keys.current()[0])
    assert versions == [versions[0], versions[0] + 1, versions[0] + 2]


def test_a_bump_without_a_version_row_creates_it() -> None:
    ContentVersion.objects.all().delete()
    before = timezone.now()

    cache_keys.bump()

    version, changed_at = stored()  # created by the bump itself, before any read
    assert version == 1
    assert before <= changed_at <= timezone.now()
    assert ContentVersion.objects.count() == 1


# --- the token file (local-memory cache: every process on the machine reads it) -------------


LOCAL_MEMORY = {"default": {"BACKEND": cache_keys.LOCAL_MEMORY}}


def shared(tmp_path: Path) -> dict[str, Any]:
    """A cache every process shares, as Redis in production: a file cache stands in here."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
            # Entries that name no expiry never expire: what must expire says so itself.
            "TIMEOUT": None,
        }
    }


@pytest.fixture
def shared_cache(settings: Any, tmp_path: Path) -> None:
    settings.CACHES = shared(tmp_path)


@pytest.fixture
def token_file(settings: Any, tmp_path: Path) -> Path:
    """A token file of this test's own, two folders down from any that exists."""
    settings.CACHES = LOCAL_MEMORY
    settings.ARENA_CONTENT_TOKEN_FILE = tmp_path / "var" / "tokens" / "content-token"
    return settings.ARENA_CONTENT_TOKEN_FILE


def test_the_first_read_publishes_the_token_in_a_file_and_later_reads_need_no_sql(
    token_file: Path, django_assert_num_queries: Any
) -> None:
    ContentVersion.objects.filter(pk=1).update(version=7, changed_at=LONG_AGO)
    with django_assert_num_queries(1):
        first = cache_keys.token()

    assert first == f"7@{LONG_AGO.timestamp():.6f}"
    assert token_file.read_text(encoding="ascii") == first  # its folder made on the way
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o644 & ~_umask()
    with django_assert_num_queries(0):
        assert cache_keys.token() == first


def test_a_read_fills_a_missing_file_in_an_existing_folder(token_file: Path) -> None:
    token_file.parent.mkdir(parents=True)
    published = cache_keys.token()
    assert token_file.read_text(encoding="ascii") == published


def test_a_read_never_overwrites_a_token_a_bump_wrote_meanwhile(token_file: Path) -> None:
    token_file.parent.mkdir(parents=True)
    token_file.write_text("9@1.000000", encoding="ascii")  # a bump between our read and fill

    cache_keys._stamp.create("8@0.000000")

    assert token_file.read_text(encoding="ascii") == "9@1.000000"
    assert cache_keys.token() == "9@1.000000"


def test_a_bump_replaces_the_file_and_leaves_no_temporary_behind(token_file: Path) -> None:
    cache_keys.token()
    cache_keys.bump()

    version, changed_at = cache_keys.current()
    assert token_file.read_text(encoding="ascii") == f"{version}@{changed_at.timestamp():.6f}"
    assert [p.name for p in token_file.parent.iterdir()] == [token_file.name]


def test_a_replace_makes_the_folder_it_needs(token_file: Path) -> None:
    cache_keys._stamp.replace("5@5.000000")
    assert token_file.read_text(encoding="ascii") == "5@5.000000"
    assert cache_keys.token() == "5@5.000000"


def test_a_failed_write_removes_the_file_so_readers_fall_back_to_the_database(
    token_file: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cache_keys._stamp.replace("5@5.000000")

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_keys.os, "replace", full_disk)
    cache_keys._stamp.replace("6@6.000000")
    monkeypatch.undo()

    assert list(token_file.parent.iterdir()) == []  # neither the old token nor the temporary
    assert [r.getMessage() for r in caplog.records] == [
        f"could not write the content token {token_file}: [Errno 28] No space left on device"
    ]
    version, changed_at = cache_keys.current()
    assert cache_keys.token() == f"{version}@{changed_at.timestamp():.6f}"  # from the row


def test_a_write_that_fails_before_any_file_exists_is_logged_not_raised(
    token_file: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(Path, "write_text", read_only)
    cache_keys._stamp.replace("6@6.000000")  # no temporary, no old token to remove

    assert not token_file.exists()
    assert "Read-only file system" in caplog.text


def test_a_temporary_that_cannot_be_removed_still_removes_the_token(
    token_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_keys._stamp.replace("5@5.000000")
    # Where this thread's temporary goes, a folder: the write fails, and so does its removal.
    blocker = token_file.with_name(f".{token_file.name}.{os.getpid()}.{threading.get_ident()}")
    blocker.mkdir()

    cache_keys._stamp.replace("6@6.000000")

    assert not token_file.exists()
    assert "could not write the content token" in caplog.text


def test_a_reader_follows_each_new_file_and_ignores_an_empty_one(token_file: Path) -> None:
    stamp = cache_keys._Stamp()  # as each process builds its own
    assert stamp.read() is None
    stamp.replace("1@1.000000")
    assert stamp.read() == "1@1.000000"
    assert stamp.read() == "1@1.000000"  # unchanged: not read again
    stamp.replace("2@2.000000")  # a new file (rename): a new inode
    assert stamp.read() == "2@2.000000"
    token_file.write_text("", encoding="ascii")
    assert stamp.read() is None
    token_file.unlink()
    assert stamp.read() is None


def test_the_token_published_in_a_shared_cache_expires(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that a bump whose publish an outage dropped is read from the database in time."""
    settings.CACHES = LOCAL_MEMORY
    now = time.time()
    cache_keys._publish("3@3.000000")
    assert cache.get(cache_keys.TOKEN_KEY) == "3@3.000000"

    monkeypatch.setattr(time, "time", lambda: now + cache_keys.TOKEN_SECONDS + 1)
    assert cache.get(cache_keys.TOKEN_KEY) is None


def test_a_bump_with_the_broker_down_logs_why_and_goes_on(
    shared_cache: None, settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    settings.ARENA_WARM_PAGES = True  # with a shared cache: the warm-up is queued

    def refused(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(cache_keys.current_app, "send_task", refused)
    with caplog.at_level(logging.ERROR, logger="leaderboard.cache_keys"):
        cache_keys.bump()

    assert [r.getMessage() for r in caplog.records] == [
        "could not queue the work after a change (broker down?): connection refused"
    ]


def test_a_bump_of_an_existing_version_is_one_update(django_assert_num_queries: Any) -> None:
    cache_keys.current()
    with django_assert_num_queries(4):  # savepoint, update, read back, release
        cache_keys.bump()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# --- the token in a shared cache -------------------------------------------------------------


def test_a_shared_cache_holds_the_token_the_first_read_published(
    shared_cache: None, django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ContentVersion.objects.filter(pk=1).update(version=7, changed_at=LONG_AGO)
    with django_assert_num_queries(1):
        first = cache_keys.token()
    assert first == f"7@{LONG_AGO.timestamp():.6f}"
    assert cache.get(cache_keys.TOKEN_KEY) == first
    with django_assert_num_queries(0):
        assert cache_keys.token() == first

    now = time.time()  # published with an expiry: after it, the row is read again
    monkeypatch.setattr(time, "time", lambda: now + cache_keys.TOKEN_SECONDS + 1)
    assert cache.get(cache_keys.TOKEN_KEY) is None


def test_the_token_another_process_published_wins_over_the_row(shared_cache: None) -> None:
    cache.set(cache_keys.TOKEN_KEY, "9@9.000000")
    cache.set("page", "its entry")
    assert cache_keys.token() == "9@9.000000"
    assert cache_keys.token_and("page") == ("9@9.000000", "its entry")
    assert cache_keys.token_and("another-page") == ("9@9.000000", None)


def test_token_and_entry_come_from_the_file_and_the_local_cache(token_file: Path) -> None:
    assert cache_keys.token_and("page") == (None, None)  # nothing published yet
    cache_keys._stamp.replace("4@4.000000")
    cache.set("page", "its entry")
    assert cache_keys.token_and("page") == ("4@4.000000", "its entry")


def test_a_reader_reads_the_file_again_only_when_it_changed(token_file: Path) -> None:
    stamp = cache_keys._Stamp()
    stamp.replace("1@1.000000")
    assert stamp.read() == "1@1.000000"
    # Rewritten in place with its time put back: the same file for a reader that stats it.
    before = token_file.stat()
    token_file.write_text("2@2.000000", encoding="ascii")
    os.utime(token_file, ns=(before.st_atime_ns, before.st_mtime_ns))

    assert stamp.read() == "1@1.000000"  # a stat, no read
    assert cache_keys._Stamp().read() == "2@2.000000"  # a fresh reader reads it


def test_a_bump_with_a_shared_cache_queues_the_warm_up_for_its_own_token(
    shared_cache: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ARENA_WARM_PAGES = True
    sent: list[tuple[object, object]] = []
    monkeypatch.setattr(
        cache_keys.current_app, "send_task", lambda name, kwargs: sent.append((name, kwargs))
    )

    cache_keys.bump()

    assert sent == [
        ("leaderboard.tasks.warm_pages", {"token": cache_keys.token()}),
        ("leaderboard.tasks.refresh_history_blocks", {}),
    ]


@pytest.mark.parametrize("local", [True, False])
def test_no_warm_up_is_queued_when_turned_off_or_the_cache_is_per_process(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local: bool
) -> None:
    """A worker's local memory is not the web processes': warming it would help nobody."""
    if local:
        settings.CACHES = LOCAL_MEMORY
        settings.ARENA_CONTENT_TOKEN_FILE = tmp_path / "token"
        settings.ARENA_WARM_PAGES = True
    else:
        settings.CACHES = shared(tmp_path)
        settings.ARENA_WARM_PAGES = False
    sent: list[object] = []
    monkeypatch.setattr(cache_keys.current_app, "send_task", lambda *a, **k: sent.append(a[0]))

    cache_keys.bump()

    # The history blocks live in the database: their rebuild is queued whatever the cache.
    assert sent == (["leaderboard.tasks.refresh_history_blocks"] if local else [])
