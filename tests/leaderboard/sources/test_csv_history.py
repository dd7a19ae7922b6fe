"""HistoryPivotCsvAdapter and HistoryLongCsvAdapter against the two history samples."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.boards import BoardKey
from leaderboard.sources.base import Adapter, FormatError, ParseResult
from leaderboard.sources.csv_history import HistoryLongCsvAdapter, HistoryPivotCsvAdapter
from tests.leaderboard.sources.mutation import mutations, parse_or_format_error
from tests.paths import UPSTREAM

PIVOT_FILE = UPSTREAM / "csv-history" / "nakasyou_result_pivot_2025-03-02.csv"
LONG_FILE = UPSTREAM / "csv-history" / "jasontrigg0_alltime_2025-03-29.csv"
PIVOT = HistoryPivotCsvAdapter()
LONG = HistoryLongCsvAdapter()


@pytest.fixture(scope="module")
def pivot() -> ParseResult:
    return PIVOT.parse(PIVOT_FILE.read_bytes(), hint=BoardKey())


@pytest.fixture(scope="module")
def long() -> ParseResult:
    return LONG.parse(LONG_FILE.read_bytes(), hint=BoardKey())


def head(path: Path, lines: int) -> bytes:
    """The first ``lines`` lines: a small real slice for fuzzing big files."""
    return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def test_pivot_gives_one_text_overall_snapshot_per_date(pivot: ParseResult) -> None:
    assert pivot.format == "history-pivot"
    assert len(pivot.snapshots) == 98
    assert pivot.warnings == []
    dates = [snapshot.published_on or dt.date.min for snapshot in pivot.snapshots]
    assert dates[0] == dt.date(2023, 5, 8)
    assert dates[-1] == dt.date(2025, 2, 27)
    assert dates == sorted(dates)
    assert len(set(dates)) == 98
    for snapshot in pivot.snapshots:
        assert (snapshot.arena, snapshot.category, snapshot.style_control) == (
            "text",
            "overall",
            False,
        )
        scores = [row.score for row in snapshot.rows]
        assert scores == sorted(scores, reverse=True)


def test_pivot_zero_fill_means_absent_and_keys_name_models(pivot: ParseResult) -> None:
    first, last = pivot.snapshots[0], pivot.snapshots[-1]
    assert len(first.rows) == 13
    assert len(last.rows) == 209
    assert (first.rows[0].model_key, first.rows[0].score) == ("gpt-4", 1274.1856580388371)
    assert (last.rows[0].model, last.rows[0].score) == ("early-grok-3", 1403.4550352813053)
    assert (last.rows[-1].model, last.rows[-1].score) == ("llama-13b", 799.695724919699)
    assert all(row.score > 0 for snapshot in pivot.snapshots for row in snapshot.rows)
    assert all(
        row.rank is None and row.votes is None and row.rating_lower is None for row in last.rows
    )


def test_long_gives_one_snapshot_per_date_with_names_and_metadata(long: ParseResult) -> None:
    assert long.format == "history-long"
    assert len(long.snapshots) == 105
    assert sum(len(snapshot.rows) for snapshot in long.snapshots) == 13434 - 96
    assert long.warnings == ["96 repeated lines (same key, date and values) dropped"]
    first, last = long.snapshots[0], long.snapshots[-1]
    assert (first.published_on, len(first.rows)) == (dt.date(2023, 5, 8), 13)
    assert (last.published_on, len(last.rows)) == (
        dt.date(2025, 3, 26),
        220,
    )  # 221 lines, yi-34b-chat twice
    top = last.rows[0]
    assert (top.model_key, top.model, top.score) == (
        "gemini-2.5-pro-exp-03-25",
        "Gemini-2.5-Pro-Exp-03-25",
        1442.9589925419386,
    )
    assert (top.organization, top.license) == ("Google", "Proprietary")
    assert (last.rows[-1].model, last.rows[-1].organization) == ("LLaMA-13B", "Meta")
    assert (first.rows[0].model, first.rows[0].score) == ("ChatGPT-4", 1274.1856580388371)
    for snapshot in long.snapshots:
        assert (snapshot.arena, snapshot.category, snapshot.style_control) == (
            "text",
            "overall",
            False,
        )
        scores = [row.score for row in snapshot.rows]
        assert scores == sorted(scores, reverse=True)
        assert len({row.model_key for row in snapshot.rows}) == len(snapshot.rows)


def test_both_histories_agree_on_a_shared_date(pivot: ParseResult, long: ParseResult) -> None:
    day = dt.date(2025, 2, 27)
    wide = next(s for s in pivot.snapshots if s.published_on == day)
    tall = next(s for s in long.snapshots if s.published_on == day)
    assert {r.model_key: r.score for r in wide.rows} == {r.model_key: r.score for r in tall.rows}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "first line"),
        (b"date,a,b\n20230101,1,2\n", "first line"),
        (b",a,b\n", "no rated model"),
        (b",a,b\n2023-01-01,1000,0\n20230101,1,2\n", "repeated date"),
        (b",a,b\nyesterday,1,2\n", "bad or repeated date"),
        (b",a,b\n20230101,1\n", "2 cells, expected 3"),
    ],
)
def test_broken_pivots_raise_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        PIVOT.parse(payload, hint=BoardKey())


def test_pivot_date_without_ratings_is_skipped_with_a_warning() -> None:
    result = PIVOT.parse(b",a,b\n20230101,0.0,0.0\n20230102,1000,\n", hint=BoardKey())
    assert [s.published_on for s in result.snapshots] == [dt.date(2023, 1, 2)]
    assert result.warnings == ["2023-01-01: no model rated, date skipped"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "header lacks key, Model, rating, date"),
        (b"key,Model,rating\n", "header lacks date"),
        (b"key,Model,rating,date\n", "no rows"),
        (b"key,Model,rating,date\nk,K,1000,2023\n", "no valid key"),
        (b"key,Model,rating,date\nk,K,,20230101\n", "no valid key"),
        (b"key,Model,rating,date\nk,K,1000\n", "3 cells, expected 4"),
        (b"key,Model,rating,date\nk,K,1000,20230101\nk,K,1001,20230101\n", "rated twice"),
    ],
)
def test_broken_long_tables_raise_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        LONG.parse(payload, hint=BoardKey())


def test_long_row_without_display_name_falls_back_to_the_key_for_review() -> None:
    data = b"key,Model,rating,date\nmystery-7b,,1000.5,20240101\n"
    row = LONG.parse(data, hint=BoardKey()).snapshots[0].rows[0]
    assert (row.model, row.model_key, row.name_uncertain) == ("mystery-7b", "mystery-7b", True)
    assert (row.organization, row.license) == ("", "")


SLICES = [(PIVOT, head(PIVOT_FILE, 6)), (LONG, head(LONG_FILE, 60))]


@settings(max_examples=200, deadline=None)
@given(
    case=st.sampled_from(SLICES).flatmap(
        lambda case: st.tuples(st.just(case[0]), mutations([case[1]]))
    )
)
def test_mutated_slices_raise_only_format_error(case: tuple[Adapter, bytes]) -> None:
    adapter, data = case
    result = parse_or_format_error(adapter, data)
    if result is None:
        return
    assert result.snapshots
    assert all(snapshot.rows for snapshot in result.snapshots)
