from __future__ import annotations

import pytest

from leaderboard.sources.base import RowData, SnapshotData
from leaderboard.validation import check_snapshot


def row(model: str, score: float, **fields: object) -> RowData:
    return RowData(model=model, score=score, **fields)  # type: ignore[arg-type]


def board(*rows: RowData, rank_kind: str | None = "position") -> SnapshotData:
    return SnapshotData(rows=list(rows), rank_kind=rank_kind)  # type: ignore[arg-type]


def test_a_clean_board_passes() -> None:
    verdict = check_snapshot(
        board(row("a", 1400, rank=1), row("b", 1390, rank=2), row("c", 1380, rank=3)),
        previous_row_count=3,
        max_row_drop=0.5,
    )
    assert verdict.ok


def test_positions_that_contradict_scores_are_a_soft_problem() -> None:
    rows = [row("a", 1400, rank=1), row("b", 1450, rank=2), row("c", 1380, rank=3)]
    verdict = check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5)
    assert verdict.hard == []
    assert verdict.soft == ["ranks disagree with scores for 'b'"]
    assert verdict.publishable(force=True) and not verdict.publishable(force=False)


def test_rounded_scores_may_tie_out_of_order_within_a_point() -> None:
    rows = [row("a", 1400.2, rank=1), row("b", 1400.9, rank=2), row("c", 1380, rank=3)]
    assert check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5).ok


def test_a_ub_rank_worse_than_the_number_of_higher_scores_is_inconsistent() -> None:
    rows = [
        row("a", 1400, rank=1),
        row("b", 1390, rank=1),
        row("c", 1380, rank=3),
        row("d", 1370, rank=9),
    ]  # 3 higher scores: rank 4 at worst, + 2 of slack
    verdict = check_snapshot(
        board(*rows, rank_kind="ub"), previous_row_count=None, max_row_drop=0.5
    )
    assert verdict.soft == ["ranks disagree with scores for 'd'"]


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (row("b", 1390, rating_lower=1395.0), "impossible numbers"),
        (row("b", 1390, rating_upper=1385.0), "impossible numbers"),
        (row("b", 1390, votes=-1), "impossible numbers"),
        (row("b", 1390, rank_upper=5, rank_lower=2), "impossible numbers"),
        (row("b", float("nan")), "impossible numbers"),
        (row("A", 1390), "duplicate models: 'A'"),
        (row(" ", 1390), "rows without a model name"),
    ],
)
def test_impossible_rows_are_hard_problems(bad: RowData, problem: str) -> None:
    verdict = check_snapshot(
        board(row("a", 1400), bad, row("c", 1380)), previous_row_count=None, max_row_drop=0.5
    )
    assert any(problem in reason for reason in verdict.hard)
    assert not verdict.publishable(force=True)


def test_too_few_rows_and_a_sharp_drop_are_soft_problems() -> None:
    verdict = check_snapshot(board(row("a", 1400)), previous_row_count=100, max_row_drop=0.5)
    assert verdict.soft == [
        "only 1 rows (at least 3 expected)",
        "row count fell sharply: 1 rows after 100 (more than 50% fewer)",
    ]


def test_elo_scores_out_of_range_are_suspicious_but_other_metrics_are_not() -> None:
    rows = [row("a", 0.11), row("b", 0.09), row("c", 0.05)]
    elo = check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5)
    other = SnapshotData(rows=rows, metric="score")
    assert elo.soft == ["scores outside 100–3000: 'a', 'b', 'c'"]
    assert check_snapshot(other, previous_row_count=None, max_row_drop=0.5).ok


def rows_of(count: int) -> SnapshotData:
    return board(*(row(f"m{i}", 1500.0 - i) for i in range(count)), rank_kind=None)


@pytest.mark.parametrize(
    ("rows", "previous", "max_drop", "flagged"),
    [(51, 100, 0.5, False), (49, 100, 0.5, True), (80, 100, 0.2, False), (79, 100, 0.2, True)],
)
def test_the_row_drop_threshold_is_exact(
    rows: int, previous: int, max_drop: float, flagged: bool
) -> None:
    verdict = check_snapshot(rows_of(rows), previous_row_count=previous, max_row_drop=max_drop)
    assert any("row count fell sharply" in p for p in verdict.soft) == flagged
