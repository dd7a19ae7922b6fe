"""Scale benchmark: the history pages and selectors on a multi-year history (``make bench-scale``).

    DATABASE_URL=postgres://…/arena_scale python scripts/bench_scale.py [--generate] [--only model]

``--generate`` first drops and re-creates that database and fills it with
``generate_history.py`` (22 boards, daily for three years, ~300 models each: ~7 M entries,
then the history blocks, as the warm-up task builds them; about ten minutes on a quiet
two-core machine). Without it, the database is measured as it is.
Then, uncached, each measured over several models, boards or dates (each sample the median of
five runs after one to warm): one model's history (``history.model_history``, what the model
page and its API read) from its blocks, with each board's newest snapshot not in them (as
between an import and the rebuild after it) and from the entries alone; the model page as
the view renders it and through the whole stack into the page cache; the model's API
answer; a board as of a date (the snapshot look-up and its rows: SQL time only), the changes
pages, one board's blocks rebuilt, the pages of the five organisations with most models,
the compare page — median, p99, queries each — and the database's size per million entries,
table by table.
``--only model`` measures the model's history, page and API alone.
Figures go in the closing note, not in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
SAMPLES = 41
REPEATS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", action="store_true", help="re-create and fill the database")
    parser.add_argument(
        "--only", choices=["model"], help="measure only the model's history and page"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database of your own (arena_scale)")
    import generate_history

    if args.generate:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("DEBUG", "1")  # static files without collectstatic, as bench_history
    generate_history.setup_django()
    if args.generate:
        started = time.perf_counter()
        generate_history.generate(days=1095, per_board=300, seed=13, end=dt.date(2026, 11, 30))
        print(f"generated in {time.perf_counter() - started:.0f} s")
    measure(only_model=args.only == "model")


class Timer:
    """Counts the queries and sums their time (execute and fetch) on the default connection."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


@contextmanager
def timed() -> Iterator[Timer]:
    from django.db import connection

    timer = Timer()
    with connection.execute_wrapper(timer):
        yield timer


def report(name: str, samples: list[tuple[float, int]], unit: str = "ms") -> None:
    times = sorted(seconds * 1000 for seconds, _ in samples)
    queries = sorted(count for _, count in samples)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    print(
        f"{name:<44} median {statistics.median(times):7.1f} {unit}  p99 {p99:7.1f} {unit}  "
        f"queries {queries[0]}–{queries[-1]}  (n={len(times)})"
    )


def measure(*, only_model: bool = False) -> None:
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.db.models import Count
    from django.http import HttpResponseBase
    from django.test import RequestFactory
    from django.urls import reverse
    from django.utils import translation

    from leaderboard import history, page_cache, selectors, views_history
    from leaderboard.models import (
        AIModel,
        Entry,
        HistoryBuild,
        Leaderboard,
        Organization,
        Snapshot,
    )
    from leaderboard.services import history_blocks

    rng = random.Random(7)
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load; the visibility map it sets is what
        # lets the organisation page read its best ranks from the entry index alone.
        cursor.execute("VACUUM ANALYZE")
    entries = Entry.objects.count()
    boards = list(Leaderboard.objects.exclude(current_snapshot=None))
    counted = list(
        AIModel.objects.annotate(n=Count("entries")).filter(n__gt=0).order_by("-n", "pk")
    )
    longest = counted[:5]
    models = longest + rng.sample(counted[5:], min(SAMPLES - 5, len(counted) - 5))
    print(
        f"== scale benchmark on {connection.vendor}: {entries:,} entries, "
        f"{Snapshot.objects.count():,} snapshots, {len(boards)} boards, {len(counted):,} models "
        f"(longest history: {longest[0].n:,} entries)"  # type: ignore[attr-defined]
    )

    def run(fn: Callable[[], object], warm: bool = True) -> tuple[float, int]:
        """Once to warm, then the median of ``REPEATS`` runs: the machine's speed swings
        within seconds, and one run per sample measured those swings as much as the code.
        What a page's miss leaves for after sending is done after the timing."""
        if warm:
            settle(fn())
        times = []
        for _ in range(REPEATS):
            with timed() as timer:
                started = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - started)
            settle(result)
        return statistics.median(times), timer.queries

    def settle(result: object) -> None:
        if isinstance(result, HttpResponseBase):
            page_cache.finish(result)

    def model_history(key: str, charts: bool = False) -> Callable[[], object]:
        return lambda: history.model_history(key, charts=charts)

    builds = list(HistoryBuild.objects.values_list("pk", "fingerprint", "length"))

    @contextmanager
    def stale(board_ids: list[int], *, appended: bool) -> Iterator[None]:
        """Those boards' blocks as if an import had ``appended`` one snapshot since they were
        built (they cover all but the newest), or as a merge leaves them (blanked)."""
        lines = history.timelines(board_ids)
        for pk in board_ids:
            ids = [sid for sid, _ in lines[pk][:-1]] if appended else []
            HistoryBuild.objects.filter(pk=pk).update(
                fingerprint=history.fingerprint(ids) if appended else "", length=len(ids)
            )
        try:
            yield
        finally:
            for pk, fingerprint, length in builds:
                HistoryBuild.objects.filter(pk=pk).update(fingerprint=fingerprint, length=length)

    report(
        "one model's history (history.model_history)",
        [run(model_history(m.key)) for m in models],
    )
    report(
        "  … with its chart text (the page's read)",
        [run(model_history(m.key, charts=True)) for m in models],
    )
    every = [pk for pk, _, _ in builds]
    with stale(every, appended=True):
        report(
            "  … every board's newest snapshot not in blocks",
            [run(model_history(m.key)) for m in models],
        )
    with stale(every, appended=False):
        report(
            "  … from the entries alone (no block current)",
            [run(model_history(m.key)) for m in models],
        )
    factory = RequestFactory()

    def view_only(key: str) -> Callable[[], object]:
        def get() -> object:
            response = views_history.model_detail(factory.get(f"/models/{key}/"), key=key)
            assert response.status_code == 200, (key, response.status_code)
            return response

        return get

    with translation.override("en"):
        report("model page, view only (no middleware)", [run(view_only(m.key)) for m in models])
    handler = WSGIHandler()

    def page(path: str, *, finished: bool = False) -> Callable[[], HttpResponseBase]:
        """Through the whole stack as a browser asks (brotli or gzip), until the answer is
        ready to send; ``finished``: also what the page cache stores once it is sent."""

        def get() -> HttpResponseBase:
            cache.clear()  # uncached: every request renders
            request = factory.get(path, HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="br, gzip")
            response = handler.get_response(request)
            assert response.status_code == 200, (path, response.status_code)
            if finished:
                page_cache.finish(response)
            return response

        return get

    report(
        "model page, uncached (until it can be sent, br)",
        [run(page(m.get_absolute_url())) for m in models],
    )
    report(
        "  … and its gzip stored after sending",
        [run(page(m.get_absolute_url(), finished=True)) for m in models],
    )
    report("model API, uncached", [run(page(f"/api/v1/models/{m.key}")) for m in models])
    if only_model:
        return

    def as_of_sql(board: Leaderboard, day: dt.date) -> tuple[float, int]:
        def read() -> None:
            snapshot = selectors.snapshot_as_of(board, day)
            assert snapshot is not None
            list(selectors.board_rows(snapshot))

        read()
        with timed() as timer:
            read()
        return timer.seconds, timer.queries

    first = Snapshot.objects.order_by("published_on").values_list("published_on", flat=True)[0]
    span = (dt.date(2026, 11, 30) - first).days
    report(
        "board as of a date: SQL (look-up + rows)",
        [
            as_of_sql(rng.choice(boards), first + dt.timedelta(days=rng.randrange(span)))
            for _ in range(SAMPLES)
        ],
    )
    board = boards[0]
    day = first + dt.timedelta(days=span // 2)
    report(
        f"board page as of a date, uncached ({board.slug})",
        [run(page(f"{board.get_absolute_url()}?as_of={day.isoformat()}")) for _ in range(9)],
    )
    report("changes page (all boards), uncached", [run(page("/changes/")) for _ in range(9)])

    def rebuild(board: Leaderboard) -> tuple[float, int]:
        with stale([board.pk], appended=False), timed() as timer:
            started = time.perf_counter()
            history_blocks.rebuild(board.pk)
            return time.perf_counter() - started, timer.queries

    report("history blocks: one board rebuilt", [rebuild(b) for b in boards[:3]])
    report(
        "changes page (one board), uncached",
        [run(page(f"/{b.arena}/{b.url_category}/changes/")) for b in boards[:9]],
    )
    slugs = {org.pk: slug for slug, org in history.organization_slugs().items()}
    largest = Organization.objects.annotate(n=Count("models")).order_by("-n", "pk")[:5]
    report(
        "organisation page, uncached (the five with most models)",
        [run(page(reverse("leaderboard:organization", args=[slugs[o.pk]]))) for o in largest],
    )
    groups = [models[i : i + 4] for i in range(5, 25, 4)]  # four random models each
    report(
        "compare page (four models), uncached",
        [run(page("/compare/?models=" + ",".join(m.key for m in group))) for group in groups],
    )
    size_report(entries)


def size_report(entries: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        (database,) = cursor.fetchone()
        cursor.execute(
            """
            SELECT c.relname, pg_table_size(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND (c.relname LIKE 'leaderboard_entry%%'
               OR c.relname LIKE 'entry_%%' OR c.relname LIKE 'leaderboard_historyblock%%')
            ORDER BY 2 DESC
            """
        )
        relations = cursor.fetchall()
    per_million = 1e6 / entries
    print(
        f"database: {database / 1e6:,.0f} MB for {entries:,} entries = "
        f"{database / 1e6 * per_million:,.0f} MB per million entries"
    )
    for name, size in relations:
        print(f"  {name:<42} {size / 1e6 * per_million:6.1f} MB per million entries")


if __name__ == "__main__":
    main()
