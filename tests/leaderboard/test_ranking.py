from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leaderboard.ranking import RankedRow, assign_ranks, positions, rank_spread
from leaderboard.sources.base import RowData

intervals = st.lists(
    st.tuples(st.floats(800, 1600), st.floats(0, 40)).map(lambda t: (t[0] - t[1], t[0] + t[1])),
    max_size=60,
)


@given(intervals)
def test_rank_spread_matches_the_definition(bounds: list[tuple[float, float]]) -> None:
    expected = [
        (
            1 + sum(1 for lo_j, _ in bounds if lo_j > up_i),
            sum(1 for _, up_j in bounds if up_j >= lo_i),
        )
        for lo_i, up_i in bounds
    ]
    assert rank_spread(bounds) == expected


@given(intervals)
def test_every_spread_contains_the_plain_position(bounds: list[tuple[float, float]]) -> None:
    scores = [(lo + up) / 2 for lo, up in bounds]
    for (best, worst), position in zip(rank_spread(bounds), positions(scores), strict=True):
        assert best <= position <= worst


def test_seed_top_rows_have_the_published_spreads() -> None:
    # grok-4.1-thinking 1483±11, grok-4.1 1465±11, gemini-2.5-pro 1452±4 (seed page, top 3)
    bounds = [(1472.0, 1494.0), (1454.0, 1476.0), (1448.0, 1456.0)]
    assert rank_spread(bounds) == [(1, 2), (1, 3), (2, 3)]


def test_positions_break_ties_by_input_order() -> None:
    assert positions([1400.0, 1450.0, 1400.0]) == [2, 1, 3]


def row(model: str, score: float, **fields: object) -> RowData:
    return RowData(model=model, score=score, **fields)  # type: ignore[arg-type]


def spreads(ranked: list[RankedRow]) -> list[tuple[str, int, int, int]]:
    return [(r.row.model, r.rank, r.rank_upper, r.rank_lower) for r in ranked]


def test_rows_are_ordered_by_score_then_upstream_rank_then_input_order() -> None:
    rows = [
        row("unranked-tie", 1400),
        row("second-tie", 1400, rank=5),
        row("first-tie", 1400, rank=4),
        row("top", 1500),
        row("input-order", 1300),
        row("input-order-2", 1300),
    ]
    ranked = assign_ranks(rows, rank_kind="position")
    assert [(r.row.model, r.rank) for r in ranked] == [
        ("top", 1),
        ("first-tie", 2),
        ("second-tie", 3),
        ("unranked-tie", 4),
        ("input-order", 5),
        ("input-order-2", 6),
    ]


def test_on_a_position_board_the_spread_is_computed_not_taken_from_the_printed_rank() -> None:
    rows = [
        row("a", 1400, rating_lower=1380.0, rating_upper=1420.0, rank=1),
        row("b", 1390, rating_lower=1370.0, rating_upper=1410.0, rank=2),
        row("c", 1300, rating_lower=1295.0, rating_upper=1305.0, rank=3),
    ]
    assert spreads(assign_ranks(rows, rank_kind="position")) == [
        ("a", 1, 1, 2),
        ("b", 2, 1, 2),  # b's interval reaches a's: it could be first
        ("c", 3, 3, 3),
    ]


def test_on_a_ub_board_the_best_rank_is_upstreams_ub_rank() -> None:
    # Upstream ranked with rows it later dropped, so its UB ranks are worse than ours would be.
    rows = [row("a", 1400, rank=1), row("b", 1390, rank=1), row("c", 1380, rank=5)]
    assert spreads(assign_ranks(rows, rank_kind="ub")) == [
        ("a", 1, 1, 1),
        ("b", 2, 1, 2),
        ("c", 3, 5, 5),  # the worst end is never better than the best end
    ]


def test_on_a_ub_board_a_row_without_a_printed_rank_gets_the_computed_best() -> None:
    rows = [row("a", 1400, rank=1), row("b", 1390)]
    assert spreads(assign_ranks(rows, rank_kind="ub")) == [("a", 1, 1, 1), ("b", 2, 2, 2)]


def test_upstreams_own_spread_wins_when_the_row_carries_both_ends() -> None:
    rows = [
        row("a", 1400, rank=1, rank_upper=1, rank_lower=4),
        row("b", 1390, rank=2, rank_upper=1, rank_lower=3),
    ]
    assert spreads(assign_ranks(rows, rank_kind="ub")) == [("a", 1, 1, 4), ("b", 2, 1, 3)]


def test_one_end_of_upstreams_spread_alone_is_ignored() -> None:
    rows = [row("a", 1400, rank_upper=3), row("b", 1390, rank_lower=7)]
    assert spreads(assign_ranks(rows, rank_kind="position")) == [("a", 1, 1, 1), ("b", 2, 2, 2)]


def test_a_row_without_bounds_counts_as_a_point_and_one_bound_alone_is_used() -> None:
    rows = [
        row("a", 1400, rating_lower=1350.0),  # 1350..1400: reaches down to c's upper bound
        row("b", 1395),  # the point 1395, inside a's interval
        row("c", 1340, rating_upper=1360.0),  # 1340..1360: below the point b
    ]
    assert spreads(assign_ranks(rows, rank_kind=None)) == [
        ("a", 1, 1, 3),
        ("b", 2, 1, 2),
        ("c", 3, 2, 3),
    ]
