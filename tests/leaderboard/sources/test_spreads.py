"""Rank-spread cells: two printed numbers, or the markdown page's glued digits."""

from __future__ import annotations

import pytest

from leaderboard.sources.spreads import split_glued_spread, two_ranks


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1◄─►4", (1, 4)), ("4 1", (1, 4)), ("12 - 20", (12, 20)), ("1634", None), ("", None)],
)
def test_two_numbers_make_a_spread_in_either_order(
    text: str, expected: tuple[int, int] | None
) -> None:
    assert two_ranks(text) == expected


def test_a_glued_spread_is_split_around_the_rank_and_closest_to_the_implied_one() -> None:
    assert split_glued_spread("1121", rank=15, implied=(11, 21)) == (11, 21)
    assert split_glued_spread("1121", rank=1, implied=None) == (1, 121)
    # 11◄─►21 and 112◄─►1 are impossible for rank 2; 1◄─►121 is the one that holds it.
    assert split_glued_spread("1121", rank=2, implied=(1, 3)) == (1, 121)


def test_without_an_implied_spread_the_narrowest_plausible_split_wins() -> None:
    assert split_glued_spread("1121", rank=None, implied=None) == (11, 21)


@pytest.mark.parametrize("digits", ["1", "1" * 13, "12a4", "0505"])
def test_digits_that_cannot_be_a_spread_give_none(digits: str) -> None:
    assert split_glued_spread(digits, rank=None, implied=None) is None
