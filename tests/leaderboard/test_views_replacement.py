"""Readers during same-date replacements: a board page or export is the old snapshot or the new
one, whole, never an empty table (a CDN would keep that for a minute)."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from leaderboard import selectors
from leaderboard.boards import BoardKey
from leaderboard.models import ImportRun, Snapshot
from leaderboard.services.importing import import_payload
from leaderboard.services.imports import Outcome
from leaderboard.services.planning import ImportRequest
from tests.paths import SEED

SEED_ROWS = 266

pytestmark = pytest.mark.faults


def _import(data: bytes) -> Outcome:
    return import_payload(
        ImportRequest(
            data=data,
            origin="test",
            trigger=ImportRun.Trigger.COMMAND,
            hint=BoardKey.parse("text/overall"),
        )
    )


def _revised(votes: int) -> bytes:
    """The seed with the leader's vote count changed: the same date, new content."""
    return SEED.read_text().replace("| 3,298   |", f"| {votes:,}   |".ljust(10), 1).encode()


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _replace_right_after_the_board_is_resolved(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[], Any]
) -> None:
    real = selectors.board_by_slug

    def resolve_then_replace(slug: str) -> Any:
        board = real(slug)
        then()
        return board

    monkeypatch.setattr(selectors, "board_by_slug", resolve_then_replace)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/text/overall/", "/text/overall/export.csv"])
def test_a_reader_that_resolved_the_old_snapshot_still_reads_all_of_it(
    client: Client, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    assert _import(SEED.read_bytes()).status == ImportRun.Status.SUCCEEDED
    _replace_right_after_the_board_is_resolved(monkeypatch, lambda: _import(_revised(3300)))

    response = client.get(path)

    assert response.status_code == 200
    if path.endswith(".csv"):
        rows = _csv_rows(response.content)
        assert len(rows) == SEED_ROWS
        assert rows[0]["votes"] == "3298"  # the snapshot it resolved, whole
    else:
        assert response.content.count(b"<tr") > SEED_ROWS
    assert Snapshot.objects.get().entries.get(rank=1).votes == 3300  # and the new one is live


@pytest.mark.django_db
def test_a_view_whose_rows_vanished_mid_request_is_a_503_that_is_never_cached(
    client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Past the grace period a replaced snapshot is deleted; a request that still held it (it
    would have to run for minutes) must not publish an empty table."""
    settings.ARENA_SUPERSEDED_GRACE_SECONDS = 0
    _import(SEED.read_bytes())

    def replace_twice() -> None:
        _import(_revised(3300))  # marks the first version superseded
        _import(_revised(3301))  # purges it (grace 0) and supersedes the second

    _replace_right_after_the_board_is_resolved(monkeypatch, replace_twice)
    response = client.get("/text/overall/export.csv")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    monkeypatch.undo()
    again = client.get("/text/overall/export.csv")
    assert again.status_code == 200
    assert _csv_rows(again.content)[0]["votes"] == "3301"


@pytest.mark.django_db(transaction=True)
def test_readers_in_a_loop_during_replacements_never_see_an_empty_board() -> None:
    """Real concurrency: a writer thread republishes the same date while a reader loops over
    the page and the CSV export. Bounded: a few seconds, whatever the machine."""
    assert _import(SEED.read_bytes()).status == ImportRun.Status.SUCCEEDED
    deadline = time.monotonic() + 6
    replacements = 0
    failures: list[BaseException] = []

    def write() -> None:
        nonlocal replacements
        try:
            votes = 3300
            while time.monotonic() < deadline:
                outcome = _import(_revised(votes))
                assert outcome.status == ImportRun.Status.SUCCEEDED, outcome.reason
                replacements += 1
                votes += 1
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    client = Client()
    pages = empty = 0
    try:
        while writer.is_alive():
            for path in ("/text/overall/", "/text/overall/export.csv"):
                response = client.get(path)
                pages += 1
                assert response.status_code == 200, response.status_code
                if path.endswith(".csv"):
                    empty += len(_csv_rows(response.content)) != SEED_ROWS
                else:
                    empty += response.content.count(b"grok-4.1-thinking") == 0
    finally:
        writer.join()
    print(f"\n{empty} empty of {pages} pages during {replacements} same-date replacements")
    assert not failures, failures
    assert replacements >= 2
    assert empty == 0
