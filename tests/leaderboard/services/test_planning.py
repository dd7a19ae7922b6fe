"""Dating a payload (``planning.date_snapshot``, the one place that decides a snapshot's publish
date) and keeping upstream's own update time, through the import door a user goes through."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from leaderboard.boards import BoardKey
from leaderboard.models import ImportRun, Snapshot
from leaderboard.services import importing
from leaderboard.services.planning import name_date
from tests.paths import SEED, UPSTREAM

pytestmark = pytest.mark.django_db

Status = ImportRun.Status
DatedBy = Snapshot.DatedBy
# Real dateless payloads: neither carries a date of its own (the dates are only in our names).
FBOULNOIS = UPSTREAM / "csv-fboulnois" / "lmsys_csv_2024-06-19_arena_elo.csv"
HF_TABLE = UPSTREAM / "csv-hf-leaderboard-table" / "leaderboard_table_20230619.csv"


def import_file(
    path: Path, *, name: str | None = None, published_on: dt.date | None = None
) -> importing.Outcome:
    return importing.import_origin(
        importing.FromFile(data=path.read_bytes(), name=name or str(path)),
        importing.ImportOptions(
            trigger=ImportRun.Trigger.COMMAND,
            board=BoardKey.parse("text/overall"),
            published_on=published_on,
        ),
    )


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("leaderboard_table_20240109.csv", dt.date(2024, 1, 9)),
        ("/data/elo_results_20240109.pkl", dt.date(2024, 1, 9)),
        ("elo_results_20231220_v2.json", dt.date(2023, 12, 20)),
        ("tests/data/leaderboard-text_json_2025-03-07.json", dt.date(2025, 3, 7)),
        ("acarter_snapshot_2026-02-15_211453.json.gz", dt.date(2026, 2, 15)),
        ("https://huggingface.co/x/resolve/main/leaderboard_table_20250511.csv?download=1",
         dt.date(2025, 5, 11)),
        # The folder's date is not the file's.
        ("2025-01-01/upload.csv", None),
        ("upload.csv", None),
        ("rows_2026-06-04_to_2026-10-02.json", None),  # two dates: which one?
        ("table_2024-0109.csv", None),  # half of each spelling
        ("table_20241340.csv", None),  # no 40th of month 13
        ("run_123420240109.csv", None),  # the digits belong to a longer number
        ("https://example.org/rows?date=20240109", None),  # a query is not a name
    ],
)  # fmt: skip
def test_a_date_is_read_from_the_file_name_in_either_spelling(
    origin: str, expected: dt.date | None
) -> None:
    assert name_date(origin) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [(FBOULNOIS, dt.date(2024, 6, 19)), (HF_TABLE, dt.date(2023, 6, 19))],
    ids=["YYYY-MM-DD", "YYYYMMDD"],
)
def test_a_dateless_file_is_dated_by_its_file_name(path: Path, expected: dt.date) -> None:
    outcome = import_file(path)

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    snapshot = Snapshot.objects.get()
    assert (snapshot.published_on, snapshot.dated_by) == (expected, DatedBy.FILE_NAME)
    assert outcome.counts.dating == [
        f"{snapshot.leaderboard.slug} {expected}: dated by the date in the file name"
    ]
    assert snapshot.upstream_updated_at is None  # a file name is no upstream update time


def test_a_dateless_file_with_a_dateless_name_is_refused_naming_published_on() -> None:
    outcome = import_file(FBOULNOIS, name="uploads/arena.csv")

    assert outcome.status == Status.REJECTED
    assert "carries no date of its own" in outcome.reason
    assert "--published-on YYYY-MM-DD" in outcome.reason
    assert Snapshot.objects.count() == 0
    assert outcome.run is not None and outcome.run.status == Status.REJECTED


def test_a_dateless_file_is_never_dated_today_even_in_a_dry_run() -> None:
    outcome = importing.import_origin(
        importing.FromFile(data=FBOULNOIS.read_bytes(), name="arena.csv"),
        importing.ImportOptions(trigger=ImportRun.Trigger.COMMAND, dry_run=True),
    )

    assert outcome.status == Status.REJECTED
    assert "--published-on" in outcome.reason


def test_published_on_wins_over_the_date_in_the_file_name() -> None:
    outcome = import_file(FBOULNOIS, published_on=dt.date(2024, 6, 1))

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    snapshot = Snapshot.objects.get()
    assert (snapshot.published_on, snapshot.dated_by) == (dt.date(2024, 6, 1), DatedBy.GIVEN)
    assert outcome.run is not None and outcome.run.published_on == dt.date(2024, 6, 1)


def test_the_payloads_own_date_wins_over_published_on_and_the_file_name() -> None:
    # As before this change: --published-on is for payloads that carry no date of their own.
    outcome = import_file(SEED, name="seed_2020-01-01.md", published_on=dt.date(2021, 1, 1))

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    snapshot = Snapshot.objects.get()
    assert (snapshot.published_on, snapshot.dated_by) == (dt.date(2025, 11, 18), DatedBy.PAYLOAD)
    assert outcome.counts.dating == []


def test_the_seed_keeps_upstreams_data_update_time_apart_from_the_import_time() -> None:
    outcome = import_file(SEED)

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    snapshot = Snapshot.objects.get()
    # The seed: "> **Data Update Time**: 2025-11-18 08:08:22 UTC / 2025-11-18 16:08:22 CST".
    assert snapshot.upstream_updated_at == dt.datetime(2025, 11, 18, 8, 8, 22, tzinfo=dt.UTC)
    assert snapshot.imported_at > snapshot.upstream_updated_at + dt.timedelta(days=1)


def test_each_markdown_board_keeps_its_own_update_time() -> None:
    page = UPSTREAM / "markdown-cherry" / "lmarena_md_2025-06-27_fboulnois-csv-links-license.md"

    outcome = import_file(page)

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    assert {s.upstream_updated_at for s in Snapshot.objects.all()} == {
        dt.datetime(2025, 6, 27, 11, 42, 7, tzinfo=dt.UTC)
    }


def test_a_date_only_update_stamp_dates_the_snapshot_but_states_no_time() -> None:
    # "> 排名更新时间: 2025-01-15": a day, not a moment.
    outcome = import_file(
        UPSTREAM / "markdown-cherry" / "lmarena_md_2025-01-17_laf-api-rankUB-stylectrl.md"
    )

    assert outcome.status == Status.SUCCEEDED, outcome.reason
    snapshot = Snapshot.objects.get()
    assert (snapshot.published_on, snapshot.upstream_updated_at) == (dt.date(2025, 1, 15), None)
