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


@pytest.mark.parametrize(
    "bad",
    [
        row("b", 1390, rank=0),
        row("b", 1390, rank_upper=0, rank_lower=2),
        row("b", float("inf")),
    ],
)
def test_ranks_below_one_and_infinite_scores_are_impossible(bad: RowData) -> None:
    verdict = check_snapshot(
        board(row("a", 1400), bad, row("c", 1380)), previous_row_count=None, max_row_drop=0.5
    )
    assert verdict.hard == ["impossible numbers (bounds, votes or ranks): 'b'"]


def test_bounds_votes_and_spreads_at_their_limits_are_possible() -> None:
    rows = [
        row("a", 1400, rating_lower=1400.0, rating_upper=1400.0, votes=0, rank=1),
        row("b", 1390, rank=2, rank_upper=2, rank_lower=2),
        row("c", 1380, rank=3, rank_upper=1, rank_lower=3),
    ]
    assert check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5).ok


def spread_board(rank_kind: str) -> SnapshotData:
    return board(
        row("a", 1400, rank=1, rank_upper=1, rank_lower=2),
        row("b", 1390, rank=2, rank_upper=1, rank_lower=2),
        row("c", 1380, rank=3, rank_upper=4, rank_lower=5),  # position 3, spread 4..5
        rank_kind=rank_kind,
    )


def test_a_position_outside_the_rows_own_spread_is_a_soft_problem() -> None:
    verdict = check_snapshot(spread_board("position"), previous_row_count=None, max_row_drop=0.5)
    assert verdict.hard == []
    assert verdict.soft == ["rank outside its own spread for 'c'"]


def test_a_ub_rank_is_not_held_to_the_spread() -> None:
    verdict = check_snapshot(spread_board("ub"), previous_row_count=None, max_row_drop=0.5)
    assert verdict.ok


def test_wide_intervals_are_suspicious_and_the_width_limit_is_exact() -> None:
    rows = [
        row("a", 1400, rating_lower=900.0, rating_upper=1900.0),  # exactly 1000 wide
        row("b", 1390, rating_lower=890.0, rating_upper=1890.5),
        row("c", 1380),
    ]
    verdict = check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5)
    assert verdict.soft == ["confidence intervals wider than 1000: 'b'"]


def test_elo_scores_at_the_ends_of_the_range_are_plausible() -> None:
    rows = [row("a", 3000.0), row("b", 100.0), row("c", 99.9), row("d", 3000.1)]
    verdict = check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5)
    assert verdict.soft == ["scores outside 100–3000: 'c', 'd'"]


def test_names_longer_than_the_columns_are_hard_problems_and_limits_fit() -> None:
    fits = row("a" * 200, 1400, model_key="k" * 200, raw_model="r" * 300)
    fits_entities = row("b", 1390, organization="o" * 120, license="l" * 120)
    assert check_snapshot(
        board(fits, fits_entities, row("c", 1380)), previous_row_count=None, max_row_drop=0.5
    ).ok
    for too_long in (
        row("x" * 201, 1370),
        row("x", 1370, model_key="k" * 201),
        row("x", 1370, raw_model="r" * 301),
        row("x", 1370, organization="o" * 121),
        row("x", 1370, license="l" * 121),
    ):
        verdict = check_snapshot(
            board(row("a", 1400), row("b", 1390), too_long),
            previous_row_count=None,
            max_row_drop=0.5,
        )
        assert verdict.hard == [f"names longer than the database holds: {too_long.model[:60]!r}"]


def test_long_lists_of_problems_name_five_rows_and_count_the_rest() -> None:
    rows = [row(f"m{i}", 50.0) for i in range(7)]
    verdict = check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5)
    assert verdict.soft == ["scores outside 100–3000: 'm0', 'm1', 'm2', 'm3', 'm4' and 2 more"]
    five = check_snapshot(board(*rows[:5]), previous_row_count=None, max_row_drop=0.5)
    assert five.soft == ["scores outside 100–3000: 'm0', 'm1', 'm2', 'm3', 'm4'"]


def test_a_board_with_hard_problems_skips_the_rank_checks() -> None:
    rows = [row("a", 1400, rank=1), row("b", 1450, rank=2), row("a", 1380, rank=3)]
    verdict = check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5)
    assert verdict.hard == ["duplicate models: 'a'"]
    assert verdict.soft == []
    assert verdict.reasons() == ["duplicate models: 'a'"]


def test_the_model_key_identifies_a_row_before_its_display_name() -> None:
    rows = [row("Same", 1400, model_key="k1"), row("Same", 1390, model_key="k2"), row("c", 1380)]
    assert check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5).ok
    clash = [row("A", 1400, model_key="k1"), row("B", 1390, model_key=" K1 "), row("c", 1380)]
    verdict = check_snapshot(board(*clash), previous_row_count=None, max_row_drop=0.5)
    assert verdict.hard == ["duplicate models: 'B'"]


def ub_board(count: int, rank_of_last: int) -> SnapshotData:
    """``count`` rows a point and a half apart, the last one printed with ``rank_of_last``."""
    rows = [row(f"m{i}", 1500.0 - 1.5 * i, rank=i + 1) for i in range(count - 1)]
    last = row("last", 1500.0 - 1.5 * (count - 1), rank=rank_of_last)
    return board(*rows, last, rank_kind="ub")


@pytest.mark.parametrize(
    ("count", "slack"),
    [(10, 2), (100, 2), (125, 2), (175, 4), (300, 6)],  # 2 rows, or 2 % of them if more
)
def test_a_ub_rank_may_exceed_the_higher_scores_by_the_slack_and_no_more(
    count: int, slack: int
) -> None:
    higher = count - 1
    within = check_snapshot(ub_board(count, higher + 1 + slack), previous_row_count=None,
                            max_row_drop=0.5)  # fmt: skip
    beyond = check_snapshot(ub_board(count, higher + 2 + slack), previous_row_count=None,
                            max_row_drop=0.5)  # fmt: skip
    assert within.ok
    assert beyond.soft == ["ranks disagree with scores for 'last'"]


@pytest.mark.parametrize(("gap", "flagged"), [(1.0, True), (1.01, False)])
def test_a_score_within_a_point_is_not_a_higher_one_for_a_ub_rank(
    gap: float, flagged: bool
) -> None:
    # Rank 4 for "b" is 1 + the slack of 2 + one higher score: only if "a" is more than a
    # point above it.
    rows = [row("a", 1400.0 + gap, rank=1), row("b", 1400.0, rank=4), row("c", 1300.0, rank=3)]
    verdict = check_snapshot(board(*rows, rank_kind="ub"), previous_row_count=None,
                             max_row_drop=0.5)  # fmt: skip
    assert verdict.soft == (["ranks disagree with scores for 'b'"] if flagged else [])


@pytest.mark.parametrize(("gap", "flagged"), [(1.0, False), (1.01, True)])
def test_positions_may_be_out_of_order_by_a_point_and_no_more(gap: float, flagged: bool) -> None:
    rows = [row("a", 1400.0, rank=1), row("b", 1400.0 + gap, rank=2), row("c", 1300.0, rank=3)]
    verdict = check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5)
    assert verdict.soft == (["ranks disagree with scores for 'b'"] if flagged else [])


def test_positions_are_compared_in_rank_order_whatever_the_row_order() -> None:
    rows = [row("c", 1380, rank=3), row("a", 1400, rank=1), row("b", 1390, rank=2)]
    assert check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5).ok
    swapped = [row("c", 1380, rank=2), row("a", 1400, rank=1), row("b", 1390, rank=3)]
    verdict = check_snapshot(board(*swapped), previous_row_count=None, max_row_drop=0.5)
    assert verdict.soft == ["ranks disagree with scores for 'b'"]


def test_one_end_of_a_spread_alone_is_not_checked_against_the_position() -> None:
    rows = [
        row("a", 1400, rank=1, rank_upper=3),
        row("b", 1390, rank=2, rank_lower=1),
        row("c", 1380, rank=3, rank_upper=3, rank_lower=3),
    ]
    assert check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5).ok


def test_rows_without_a_name_are_counted() -> None:
    rows = [row("a", 1400), row("", 1390), row(" ", 1385), row("c", 1380)]
    verdict = check_snapshot(board(*rows), previous_row_count=None, max_row_drop=0.5)
    assert verdict.hard == ["2 rows without a model name"]
