from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leaderboard.ranking import positions, rank_spread

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
