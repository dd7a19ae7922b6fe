"""Atomicity under real failure and real concurrency: a process killed in the middle of writing
a snapshot publishes nothing, and two imports of one board at once produce one snapshot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from leaderboard.models import Entry, ImportRun, Snapshot
from leaderboard.services.imports import Outcome
from leaderboard.services.planning import ImportRequest
from leaderboard.services.runs import import_payload

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = REPO / "tests" / "data" / "upstream"
SEED = UPSTREAM / "markdown-cherry" / "seed_en_2025-11-18.md"
DEC_20 = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-12-20_rank-spread.md"

# Runs the real import command in a child process whose entry writer stops for good after the
# first batch of rows has been written inside the snapshot's transaction.
CHILD = textwrap.dedent(
    """
    import sys, time, django
    django.setup()
    from django.db.models.query import QuerySet
    from leaderboard.services import imports

    imports.ENTRY_BATCH_SIZE = 50
    original = QuerySet.bulk_create

    def first_batch_then_hang(self, objs, batch_size=None, **kwargs):
        objs = list(objs)
        original(self, objs[:batch_size], batch_size=batch_size, **kwargs)
        print("FIRST-BATCH-WRITTEN", flush=True)
        time.sleep(600)

    QuerySet.bulk_create = first_batch_then_hang
    from django.core.management import call_command
    call_command("import_leaderboard", sys.argv[1])
    """
)


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def _import(path: Path) -> Outcome:
    return import_payload(
        ImportRequest(data=path.read_bytes(), origin=str(path), trigger=ImportRun.Trigger.COMMAND)
    )


def test_an_import_killed_mid_write_publishes_nothing_and_the_next_run_succeeds(
    settings: object, tmp_path: Path
) -> None:
    assert _import(SEED).status == ImportRun.Status.SUCCEEDED
    snapshots_before = list(Snapshot.objects.values_list("pk", flat=True))
    entries_before = Entry.objects.count()

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "arenasite.settings",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": "test",
        "ARENA_VAR_DIR": str(tmp_path),
        "ARENA_IMPORT_CLAIM_SECONDS": "1",
    }
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(DEC_20)],
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
    assert line.strip() == "FIRST-BATCH-WRITTEN", errors

    assert list(Snapshot.objects.values_list("pk", flat=True)) == snapshots_before
    assert Entry.objects.count() == entries_before
    time.sleep(1.1)  # the dead process's lease (1 s in the child) runs out
    settings.ARENA_IMPORT_CLAIM_SECONDS = 1  # type: ignore[attr-defined]

    outcome = _import(DEC_20)

    assert outcome.status == ImportRun.Status.SUCCEEDED
    assert Snapshot.objects.count() == len(snapshots_before) + 1
    abandoned = ImportRun.objects.get(origin=str(DEC_20), pk__lt=outcome.run.pk)  # type: ignore[union-attr]
    assert abandoned.status == ImportRun.Status.FAILED
    assert "abandoned" in abandoned.reason


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
