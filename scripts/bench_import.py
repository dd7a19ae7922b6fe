"""Import benchmark: one ~300-row board end to end, back-fill throughput, database size.

Run by `make bench`, once per database: DATABASE_URL unset → a fresh SQLite file; a
postgres:// DATABASE_URL → that database is dropped and created afresh (use a scratch name).
Prints medians from one run; the figures go in the closing note, not in tests.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UPSTREAM = REPO / "tests" / "data" / "upstream"
BOARD_SAMPLE = UPSTREAM / "json-scraped-snapshot" / "acarter_snapshot_2026-02-19_163450.json.gz"
HISTORY_SAMPLE = UPSTREAM / "csv-history" / "jasontrigg0_alltime_2025-03-29.csv"
BOARD_RUNS = 15
HISTORY_COPIES = 8


def _prepare_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        scratch = Path(tempfile.mkdtemp(prefix="arena-bench-"))
        os.environ["ARENA_VAR_DIR"] = str(scratch)
        os.environ.pop("DATABASE_URL", None)
        return "sqlite"
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return "postgresql"


def main() -> None:
    vendor = _prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arenasite.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(REPO))  # run as scripts/bench_import.py: the project is one folder up
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from leaderboard.boards import BoardKey
    from leaderboard.models import Entry, ImportRun, Leaderboard, Snapshot
    from leaderboard.services.importing import import_payload
    from leaderboard.services.planning import ImportRequest

    call_command("migrate", verbosity=0)

    def run(data: bytes, board: str) -> float:
        started = time.perf_counter()
        outcome = import_payload(
            ImportRequest(
                data=data,
                origin="bench",
                trigger=ImportRun.Trigger.COMMAND,
                hint=BoardKey.parse(board),
            )
        )
        elapsed = time.perf_counter() - started
        assert outcome.status == ImportRun.Status.SUCCEEDED, outcome.reason
        return elapsed

    board_bytes = BOARD_SAMPLE.read_bytes()
    # A new board each time, so every run parses, validates and writes all 309 rows; the
    # first run also creates the models, later runs find them (the steady state).
    board_times = [run(board_bytes, f"bench/board-{i}") for i in range(BOARD_RUNS)]

    history = HISTORY_SAMPLE.read_bytes()
    entries_before = Entry.objects.count()
    copy_seconds: list[float] = []
    cpu_started = time.process_time()
    for copy in range(HISTORY_COPIES):
        copy_seconds.append(run(history, "text/overall-no-style-control"))
        # The file names its own board; park this copy on another board (untimed) so the
        # next copy is a full back-fill again rather than a no-op.
        parked = Leaderboard.objects.create(arena="history", category=f"copy-{copy}")
        Snapshot.objects.filter(leaderboard__arena="text").update(leaderboard=parked)
        Leaderboard.objects.filter(arena="text").update(current_snapshot=None)
    backfill_cpu = time.process_time() - cpu_started  # includes the untimed parking, a bit
    backfill_seconds = sum(copy_seconds)
    backfilled = Entry.objects.count() - entries_before
    per_copy = backfilled / HISTORY_COPIES
    backfilled_snapshots = Snapshot.objects.filter(leaderboard__arena="history").count()

    if vendor == "sqlite":
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = Path(connection.settings_dict["NAME"]).stat().st_size
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    entries = Entry.objects.count()

    print(f"== import benchmark on {vendor}")
    print(
        f"one 309-row board (parse + validate + write), {BOARD_RUNS} runs: "
        f"median {statistics.median(board_times) * 1000:.0f} ms, "
        f"first (creates models) {board_times[0] * 1000:.0f} ms, "
        f"min {min(board_times) * 1000:.0f} ms, max {max(board_times) * 1000:.0f} ms"
    )
    print(
        f"back-fill: {backfilled:,} rows in {backfilled_snapshots} snapshots in "
        f"{backfill_seconds:.1f} s = {backfilled / backfill_seconds:,.0f} rows/s "
        f"(this process's CPU: {backfill_cpu:.1f} s = {backfilled / backfill_cpu:,.0f} rows/s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    # The first copy also creates every model the file names (one insert each, so that two
    # imports racing on a name never duplicate it); the later ones are a back-fill's steady state.
    print(
        f"  first copy (creates its models): {per_copy / copy_seconds[0]:,.0f} rows/s; "
        f"later copies, median: {per_copy / statistics.median(copy_seconds[1:]):,.0f} rows/s"
    )
    print(
        f"database: {size / 1e6:.1f} MB for {entries:,} entries (+ raw payloads) "
        f"≈ {size / entries * 1e6 / 1e6:.0f} MB per million entries"
    )


if __name__ == "__main__":
    main()
