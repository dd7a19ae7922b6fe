"""Atomicity under real failure and real concurrency: a process killed in the middle of writing
a snapshot publishes nothing, and two imports of one board at once produce one snapshot."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from leaderboard.boards import BoardKey
from leaderboard.models import AIModel, Entry, ImportRun, Organization, Snapshot
from leaderboard.services import runs
from leaderboard.services.importing import import_payload
from leaderboard.services.imports import Outcome
from leaderboard.services.planning import ImportRequest
from tests.paths import REPO, SEED
from tests.processes import database_url

pytestmark = pytest.mark.django_db(transaction=True)

UPSTREAM = REPO / "tests" / "data" / "upstream"
DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"

# Runs the real import command in a child process that stops for good at one point of the
# import (printing where), so the parent can SIGKILL it there.
CHILD = textwrap.dedent(
    """
    import sys, time, django
    django.setup()
    from leaderboard.services import bulk, planning, runs

    point = sys.argv[2]

    def stop_here():
        print(point, flush=True)
        time.sleep(600)

    if point == "PARSING":
        original_parse = planning.parse
        def parse(request):
            stop_here()
        planning.parse = parse
    elif point == "FIRST-BATCH-WRITTEN":
        original = bulk.insert_entries
        def first_batch_then_hang(rows):
            original(list(rows)[:50])
            stop_here()
        bulk.insert_entries = first_batch_then_hang
    elif point == "COMMITTED":
        original_finish = runs.finish
        def finish(run, outcome):
            stop_here()
        runs.finish = finish
    from django.core.management import call_command
    call_command("import_leaderboard", sys.argv[1])
    """
)
LEASE_SECONDS = 3
"""The lease in these tests (60 s in production): the rerun must succeed within it."""


def _import(path: Path) -> Outcome:
    return import_payload(
        ImportRequest(data=path.read_bytes(), origin=str(path), trigger=ImportRun.Trigger.COMMAND)
    )


def _kill_at(point: str, tmp_path: Path) -> None:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "arenasite.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "test",
        "ARENA_VAR_DIR": str(tmp_path),
        "ARENA_IMPORT_CLAIM_SECONDS": str(LEASE_SECONDS),
    }
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(DEC_20), point],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        line = child.stdout.readline()
        os.kill(child.pid, signal.SIGKILL)
        errors = child.stderr.read()
    assert line.strip() == point, errors


@pytest.mark.parametrize("point", ["PARSING", "FIRST-BATCH-WRITTEN", "COMMITTED"])
def test_an_import_killed_anywhere_publishes_all_or_nothing_and_a_rerun_succeeds_within_a_lease(
    point: str, settings: Any, tmp_path: Path
) -> None:
    settings.ARENA_IMPORT_CLAIM_SECONDS = LEASE_SECONDS
    assert _import(SEED).status == ImportRun.Status.SUCCEEDED
    snapshots_before = set(Snapshot.objects.values_list("pk", flat=True))
    entries_before = Entry.objects.count()

    _kill_at(point, tmp_path)
    killed_at = time.monotonic()

    new = Snapshot.objects.exclude(pk__in=snapshots_before)
    if point == "COMMITTED":  # killed after the commit: published whole
        assert new.count() == 1 and new.get().entries.count() == new.get().row_count
    else:
        assert not new.exists()
        assert Entry.objects.count() == entries_before
    attempts = 0
    while True:  # what an operator (or the next beat) does: run it again until it goes
        attempts += 1
        outcome = _import(DEC_20)
        if outcome.ok or time.monotonic() - killed_at > 60:
            break
        assert outcome.status == ImportRun.Status.SKIPPED, outcome.reason
        time.sleep(0.25)
    waited = time.monotonic() - killed_at

    assert outcome.ok, outcome.reason
    assert waited < LEASE_SECONDS * 2 + 10  # within a lease or two, never the old 11 min
    assert Snapshot.objects.exclude(pk__in=snapshots_before).count() == 1
    killed = ImportRun.objects.filter(origin=str(DEC_20)).order_by("pk").first()
    assert killed is not None and killed.pk != outcome.run.pk  # type: ignore[union-attr]
    if point == "COMMITTED":
        assert outcome.status == ImportRun.Status.UNCHANGED  # it was published before the kill
    while killed.status == ImportRun.Status.RUNNING and time.monotonic() - killed_at < 60:
        runs.abandon_dead_runs()  # what the next import or the every-minute sweep does
        killed.refresh_from_db()
        time.sleep(0.25)
    marked = time.monotonic() - killed_at

    ended = ImportRun.Status.SUCCEEDED if point == "COMMITTED" else ImportRun.Status.FAILED
    assert killed.status == ended and "abandoned" in killed.reason
    assert marked < LEASE_SECONDS + 5
    print(
        f"\nSIGKILL at {point}: no partial publish; rerun {outcome.status} {waited:.1f} s "
        f"after the kill ({attempts} attempts); killed run marked {killed.status} "
        f"after {marked:.1f} s "
        f"(lease {LEASE_SECONDS} s here, 60 s in production)"
    )


def test_two_imports_of_one_board_at_once_make_one_snapshot() -> None:
    data = SEED.read_bytes()
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def worker() -> None:
        try:
            barrier.wait()
            outcomes.append(
                import_payload(
                    ImportRequest(data=data, origin="race", trigger=ImportRun.Trigger.SCHEDULE)
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(outcome.status for outcome in outcomes)
    assert len(statuses) == 2
    assert ImportRun.Status.SUCCEEDED in statuses
    assert set(statuses) <= {
        ImportRun.Status.SUCCEEDED,
        ImportRun.Status.SKIPPED,
        ImportRun.Status.UNCHANGED,
    }
    assert Snapshot.objects.count() == 1
    assert Entry.objects.count() == 266


def crossing_payload(names: list[str], *, reverse: bool) -> bytes:
    """A markdown board (no arena of its own: the hint places it) whose rows name new models,
    organisations and licenses in the order given, or the reverse."""
    table_head = SEED.read_text().splitlines()[16:18]
    order = list(reversed(names)) if reverse else names
    rows = [
        f"| {rank} | {rank}◄─►{rank} | {name} model | {1500 - rank} | ±5 | 10,000 "
        f"| {name} Org | {name} License |"
        for rank, name in enumerate(order, start=1)
    ]
    return ("## Leaderboard\n\n" + "\n".join(table_head + rows) + "\n").encode()


TRIALS = 3


def _import_crossing_pair(names: list[str]) -> dict[str, Outcome | BaseException]:
    """Two threads, two boards, the same new names in opposite orders, started together."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, Outcome | BaseException] = {}

    def worker(board: str, reverse: bool) -> None:
        try:
            barrier.wait()
            outcomes[board] = import_payload(
                ImportRequest(
                    data=crossing_payload(names, reverse=reverse),
                    origin=f"crossing {board}",
                    trigger=ImportRun.Trigger.SCHEDULE,
                    hint=BoardKey.parse(board),
                    published_on=dt.date(2025, 11, 18),  # the table alone carries no date
                )
            )
        except BaseException as error:  # a deadlock surfaces as DatabaseError
            outcomes[board] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=("vision/overall", False)),
        threading.Thread(target=worker, args=("webdev/overall", True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_boards_creating_the_same_new_names_in_opposite_order_both_succeed() -> None:
    """Before names were created in one sorted order, PostgreSQL deadlocked here 10 times out
    of 10 (``deadlock detected … leaderboard_organization_name_key``)."""
    succeeded = 0
    started = time.monotonic()
    for trial in range(TRIALS):
        outcomes = _import_crossing_pair([f"Cross{trial}x{i:03d}" for i in range(40)])

        for board, outcome in outcomes.items():
            assert isinstance(outcome, Outcome), f"{board}: {outcome!r}"
            assert outcome.status == ImportRun.Status.SUCCEEDED, f"{board}: {outcome.reason}"
        succeeded += 1
        assert Organization.objects.filter(name__startswith=f"Cross{trial}x").count() == 40
        assert AIModel.objects.filter(key__startswith=f"Cross{trial}x").count() == 40
    print(
        f"\ncrossing new names ({connection.vendor}): {succeeded} of {TRIALS} pairs of "
        f"concurrent imports both succeeded in {time.monotonic() - started:.1f} s"
    )
