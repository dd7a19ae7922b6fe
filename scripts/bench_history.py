"""History pages benchmark: median uncached render time and queries per page on a long history.

A fresh SQLite database gets the bundled data (`load_bundled_data`), then the jasontrigg0
history CSV back-filled again onto parked boards until there are ≥ 800 snapshots, so a 2023
model has ~100 points on each of 8+ boards. Pages: model, organisation, changes (and feed),
compare, and the board with movement (plain, ``compare_to``, sorted by movement, its JSON
export). Each is rendered RUNS times with the cache cleared first; prints medians and the
queries of one render. Part of ``make bench``; figures go in notes, not in tests.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HISTORY = REPO / "leaderboard" / "bundled" / "jasontrigg0_alltime_2025-03-29.csv"
TARGET_SNAPSHOTS = 800
RUNS = 7


def main() -> None:
    os.environ["ARENA_VAR_DIR"] = tempfile.mkdtemp(prefix="arena-bench-history-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arenasite.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from leaderboard import history
    from leaderboard.boards import BoardKey
    from leaderboard.models import AIModel, ImportRun, Leaderboard, Organization, Snapshot
    from leaderboard.services import history_blocks
    from leaderboard.services.importing import import_payload
    from leaderboard.services.planning import ImportRequest

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("load_bundled_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"load_bundled_data on a fresh SQLite database: {time.perf_counter() - started:.1f} s")
    copy = 0
    while Snapshot.objects.count() < TARGET_SNAPSHOTS:
        # Park the board's history on another board so the next import is a full back-fill.
        parked = Leaderboard.objects.create(arena="history", category=f"copy-{copy}")
        source = Leaderboard.objects.get(arena="text", category="overall", style_control=False)
        Snapshot.objects.filter(leaderboard=source, source__contains="history").update(
            leaderboard=parked
        )
        parked.current_snapshot = parked.snapshots.order_by("-published_on").first()
        parked.save()
        outcome = import_payload(
            ImportRequest(
                data=HISTORY.read_bytes(),
                origin="bench",
                trigger=ImportRun.Trigger.COMMAND,
                hint=BoardKey.parse("text/overall-no-style-control"),
            )
        )
        assert outcome.ok, outcome.reason
        copy += 1
    started = time.perf_counter()
    rebuilt = history_blocks.refresh()  # what the task each import queues does next
    print(
        f"history blocks of {len(rebuilt)} boards rebuilt in {time.perf_counter() - started:.1f} s"
    )
    model = AIModel.objects.annotate(n=Count("entries")).order_by("-n").first()
    organization = Organization.objects.annotate(n=Count("models")).order_by("-n").first()
    assert model is not None and organization is not None
    slug = history.organization_slug(organization)
    print(
        f"history: {Snapshot.objects.count()} snapshots on {Leaderboard.objects.count()} boards; "
        f"model {model.key!r} has {model.n} entries; {organization.name} has "  # type: ignore[attr-defined]
        f"{organization.n} models"  # type: ignore[attr-defined]
    )
    client = Client(HTTP_HOST="localhost")
    pages = {
        "model": model.get_absolute_url(),
        "organisation": f"/organizations/{slug}/",
        "changes (all boards)": "/changes/",
        "changes (one board)": "/text/overall-no-style-control/changes/",
        "changes feed": "/changes/feed/",
        "compare (2 models)": f"/compare/?models={model.key},GPT-4-0314",
        # The board with its movement column: the long-history board (few rows per date) and
        # the widest one (text/overall, 323 rows): against the previous snapshot, against an
        # earlier date (the snapshot as of it), sorted by movement, exported.
        "board+movement (long)": "/text/overall-no-style-control/",
        "long, compare_to": "/text/overall-no-style-control/?compare_to=2024-01-01",
        "board+movement (wide)": "/text/overall/",
        "wide, compare_to": "/text/overall/?compare_to=2025-06-30",
        "wide, by movement": "/text/overall/?sort=-movement",
        "wide, JSON export": "/text/overall/export.json?compare_to=2025-06-30",
    }
    connection.queries_log.clear()  # the imports filled it; a full log makes counts read 0
    for name, path in pages.items():
        times = []
        for _ in range(RUNS):
            cache.clear()
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        print(
            f"{name:<22} median {statistics.median(times) * 1000:6.0f} ms  "
            f"{len(captured):3d} queries  {len(response.content) / 1000:6.0f} kB  {path}"
        )


if __name__ == "__main__":
    main()
