"""Bradley–Terry arithmetic against values worked out by hand."""

from __future__ import annotations

import pytest

from leaderboard.headtohead import matchup, spreads_overlap, win_probability


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1400, 1400, 0.5),
        (1800, 1400, 1 / 1.1),  # 10^(-400/400) = 0.1
        (1400, 1800, 1 / 11),  # 10^(400/400) = 10
        (1600, 1400, 1 / (1 + 10**-0.5)),  # 0.759747
        (1500, 1400, 0.640065),  # 10^-0.25 = 0.562341 → 1/1.562341
    ],
)
def test_win_probability_matches_hand_computed_values(a: float, b: float, expected: float) -> None:
    assert win_probability(a, b) == pytest.approx(expected, abs=1e-6)


def test_the_two_directions_sum_to_one() -> None:
    assert win_probability(1432.5, 1377.1) + win_probability(1377.1, 1432.5) == pytest.approx(1)


def test_range_puts_a_at_its_lower_bound_against_b_at_its_upper_then_the_reverse() -> None:
    result = matchup(
        score_a=1500, lower_a=1300, upper_a=1700, spread_a=(1, 2),
        score_b=1500, lower_b=1300, upper_b=1700, spread_b=(1, 3),
    )  # fmt: skip

    assert result.probability == 0.5
    assert result.worst == pytest.approx(1 / 11)  # 1300 vs 1700
    assert result.best == pytest.approx(1 / 1.1)  # 1700 vs 1300
    assert not result.separable


def test_missing_bounds_collapse_the_range_to_the_point() -> None:
    result = matchup(
        score_a=1500, lower_a=None, upper_a=None, spread_a=(1, 1),
        score_b=1400, lower_b=None, upper_b=None, spread_b=(2, 4),
    )  # fmt: skip

    assert result.worst == result.probability == result.best == pytest.approx(0.640065, abs=1e-6)
    assert result.separable


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((1, 3), (3, 5), True),
        ((1, 2), (3, 5), False),
        ((4, 9), (1, 4), True),
        ((2, 2), (1, 1), False),
    ],
)
def test_spreads_overlap_when_they_share_a_rank(
    a: tuple[int, int], b: tuple[int, int], overlap: bool
) -> None:
    assert spreads_overlap(a, b) is overlap
    assert spreads_overlap(b, a) is overlap
